"""Reference token ids for test/models/tokenizer-parity.test.ts, made once with transformers.

Trains three small tokenizers locally (no model hub needed), one per family the runtime serves:
  - wordpiece: an uncased BERT WordPiece tokenizer (BertNormalizer + BertPreTokenizer),
  - bpe: a byte-level BPE RoBERTa tokenizer,
  - unigram: a SentencePiece Unigram model trained with the default `nmt_nfkc` rule, so its
    tokenizer.json carries a real `precompiled_charsmap`, converted by transformers' slow->fast
    conversion into an XLM-R tokenizer,
saves each with save_pretrained, then records the ids transformers' AutoTokenizer gives for
every text of the fixed corpus and of a code point sweep. The test replays the same texts through
the runtime's tokenizer and asserts identical ids; it needs none of this Python.

Rerun: see README.md next to this file.
"""

import gzip
import json
import os
import shutil
import sys
import tempfile

import sentencepiece as spm
import tokenizers
import transformers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "test", "models", "data", "tokenizer-parity")

# Texts chosen for the places where tokenizer implementations disagree: normalization (NFKC
# charsmap, accents, case), Unicode classes (punctuation, whitespace, control, unassigned),
# grapheme clusters, and scripts whose characters combine.
FIXED_CORPUS = [
    # plain
    "Hello, world! This is a test.",
    "You are a débile idiot!",
    "  leading and trailing spaces  ",
    "multiple     inner   spaces and\ttabs\nand newlines\r\nand CRLF",
    "it's don't we'll they're I'm you've she'd",
    "``quoted'' and \"double\" and 'single'",
    "Numbers 12345 3.14159 1,000,000 ½ ¾ ² ³ ⁴ ₅ Ⅻ ⅻ ① ⑩",
    "",
    " ",
    "a",
    # emoji, ZWJ sequences, skin tones, flags, keycaps, variation selectors
    "family 👨\u200d👩\u200d👧\u200d👦 and couple 👩\u200d❤️\u200d💋\u200d👨",
    "👍🏻 👍🏼 👍🏽 👍🏾 👍🏿 thumbs",
    "🧑🏽\u200d💻 coder, 🏳️\u200d🌈 flag, 🏴\u200d☠️ pirate",
    "flags 🇫🇷🇩🇪🇯🇵🇺🇸 and subdivision 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "keycaps 1️⃣ #️⃣ *️⃣ and text vs emoji ☺︎ ☺️ ❤ ❤️",
    "zero\u200dwidth\u200cjoiner\u200bspace\u2060word\ufeffbom",
    "a\u200d b\u200d\u200d c \u200d",
    "🤬🤬🤬 you are trash 🗑️",
    # combining marks, decomposed vs precomposed
    "café cafe\u0301 CAFÉ CAFE\u0301 naïve coöperate",
    "Ångström A\u030angstro\u0308m ñ n\u0303 Ç c\u0327",
    "Z\u0351\u0364\u036b\u0353\u032a\u0323a\u0310\u0306\u0351\u0342\u0304l\u0310\u0304\u0363\u0316g\u0361\u0315o\u0334\u0335",
    "Ａ\u0301 ｅ\u0301 fullwidth with accent",
    "e\u0301\u0302 o\u0323\u0302 stacked",
    # Indic
    "नमस्ते दुनिया, क्षत्रिय ज्ञान श्रीमान द्वार",
    "क्‍ष क्‌ष हिन्दी में गाली: तुम बेवकूफ हो",
    "வணக்கம் உலகம் தமிழ் ஸ்ரீ க்ஷ",
    "বাংলা ভাষা র‍্যাব",
    "ਪੰਜਾਬੀ ગુજરાતી ଓଡ଼ିଆ తెలుగు ಕನ್ನಡ മലയാളം සිංහල",
    "क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़ (nukta) क\u093c ड\u093c",
    # CJK
    "中文测试，这是一个句子。你是白痴！",
    "日本語のテキスト、カタカナとひらがな。ｶﾀｶﾅ ﾊﾟﾋﾟﾌﾟ",
    "한국어 텍스트 바보야 \u1100\u1161\u11a8 jamo",
    "CJK ext B 𠀀𠀁𪜀 ext G 𰀀 compat 豈 更 and 丽",
    "㍻ ㍼ ㌔ ㌢ ㈱ ㊤ ㋐ ㋿",
    "全角　スペース　と　ＡＢＣ　１２３！？",
    # RTL
    "مرحبا بالعالم، أنت غبي! ١٢٣ ۴۵۶",
    "ﻻ ﷺ ﷽ ﻿ presentation forms",
    "שָׁלוֹם עוֹלָם בְּרֵאשִׁית בָּרָא",
    "mixed \u202bRTL\u202c \u202eoverride\u202c \u200fmark\u200e",
    "اللُّغَةُ العَرَبِيَّةُ مع التشكيل وتطويــــل",
    # Thai, others
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ ไอ้โง่",
    "ລາວ ខ្មែរ မြန်မာ ཀྲ་ ᠮᠣᠩᠭᠣᠯ",
    "Ελληνικά ΟΔΥΣΣΕΥΣ σοφός ΣΟΦΟΣ Σ",
    "Русский ТЕКСТ ёжик Ёлка",
    "İstanbul ıi İI ǅ ǆ Ǆ ß ẞ ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ",
    "ŉ ǰ ΐ և ﬓ ﬔ",
    # control, private use, specials
    "ctrl\x00nul\x01soh\x07bel\x08bs\x0bvt\x0cff\x1besc\x7fdel\x85nel\x9fapc",
    "private \ue000\uf8ff\U000f0000\U0010fffd use",
    "replacement \ufffd and nonchar \ufffe\uffff \U0001fffe",
    "tags \U000e0001\U000e0041\U000e007f variation \ufe00\ufe0f\U000e0100\U000e01ef",
    "line\u2028separator\u2029paragraph\x1cfs\x1dgs\x1ers\x1fus",
    # full-width, ligatures, compatibility
    "ＦＵＬＬＷＩＤＴＨ ｆｕｌｌｗｉｄｔｈ ＠＃＄％＾＆＊（）",
    "ligatures ﬁne ﬂow æsthetic Œuvre Ĳssel",
    "math 𝐀𝐁𝐂 𝑎𝑏𝑐 𝔸𝔹ℂ ℌℑℜ ™ ℃ ℉ № ℡ ㎏ ㎞",
    "super ⁰¹²³ sub ₀₁₂ fractions ⅐ ⅑ ⅒ ↉",
    "circled Ⓐⓐ ㊀ ㉑ parenthesized ⑴ ⒜ ㈠",
    "～ wave dash 〜 and ~ tilde ＼ ￥ ￦",
    # spaces
    "nbsp\u00a0here ogham\u1680en\u2002em\u2003thin\u2009hair\u200a",
    "narrow\u202fnbsp medium\u205fmath ideographic\u3000space",
    "figure\u2007punct\u2008six\u2006four\u2005three\u2004",
    "tab\tvt\x0bff\x0cnl\ncr\r",
    # punctuation and symbols
    "quotes «» ‹› „“ ‚‘ 「」 『』 ‐ ‑ ‒ – — ― … ‥ ·",
    "symbols © ® ° ± × ÷ § ¶ † ‡ • ‰ ′ ″ € £ ¥ ¢ ₹ ₿",
    "new punct ⸺ ⸻ ⹀ ⹁ ⹂ ⹏ ⹝ \U00011b00 \U00016fe2",
    "URL https://example.com/path?q=1&r=ünï#frag user@mail.com",
    "code `x = y ** 2` <tag attr=\"v\"/> {json: [1, 2]}",
    "repeat!!!??? ...... ---- ____ ****",
    # mixed scripts and long words
    "supercalifragilisticexpialidocious " * 3,
    "x" * 120,
    "混合 mixed テキスト with émojis 😀 and नमस्ते",
    "Ｈｅｌｌｏ　ｗｏｒｌｄ！ ＜ｂ＞ ﾃｽﾄ",
    "the quick brown fox jumps over the lazy dog THE QUICK BROWN FOX",
]

# (first, last) inclusive code point ranges swept one code point at a time. The whole BMP and
# SMP hold nearly every class that tripped a table (new punctuation, marks, unassigned
# code points, emoji); the later planes are sampled at block edges.
SWEEP_RANGES = [
    (0x0000, 0xD7FF),
    (0xE000, 0xFFFF),
    (0x10000, 0x1FFFF),
    (0x20000, 0x200FF),
    (0x2A6C0, 0x2A7FF),
    (0x2B730, 0x2B83F),
    (0x2CEA0, 0x2CEBF),
    (0x2EBE0, 0x2EBFF),
    (0x2EE50, 0x2EE6F),
    (0x2F800, 0x2F8FF),
    (0x2FA00, 0x2FA3F),
    (0x30000, 0x300FF),
    (0x31340, 0x3135F),
    (0x323A0, 0x323BF),
    (0xE0000, 0xE01FF),
    (0xF0000, 0xF00FF),
    (0x10FF00, 0x10FFFF),
]
SWEEP_CHUNK = 64


def sweep_texts():
    """Each code point between two 'a's, so its class (removed, split off, kept, stripped)
    shows up in the ids; 64 code points per text. Must match sweepTexts() in the test."""
    texts = []
    for first, last in SWEEP_RANGES:
        for start in range(first, last + 1, SWEEP_CHUNK):
            end = min(start + SWEEP_CHUNK - 1, last)
            texts.append(" ".join(f"a{chr(c)}a" for c in range(start, end + 1)))
    return texts


def training_text():
    english = (
        "the quick brown fox jumps over the lazy dog . you are an idiot and this is stupid . "
        "hello world , this is a test of the tokenizer . we will not tolerate hate speech here . "
        "moderation keeps the conversation civil and safe for everyone who joins . "
        "numbers like 2024 and 3.14 appear in text , as do names like alice and bob . "
    )
    return [english] * 40 + FIXED_CORPUS * 3


def train_wordpiece(directory, _scratch):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(
        vocab_size=1500, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], limit_alphabet=400
    )
    tok.train_from_iterator(training_text(), trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )
    fast.save_pretrained(directory)


def train_bpe(directory, _scratch):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1500,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(training_text(), trainer=trainer)
    tok.post_processor = processors.RobertaProcessing(
        ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")), add_prefix_space=False
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=512,
    )
    fast.save_pretrained(directory)


def train_unigram(directory, scratch):
    corpus = os.path.join(scratch, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for line in training_text():
            f.write(line.replace("\n", " ").replace("\x00", " ") + "\n")
    # XLM-R's layout and file name: <unk>=0, <s>=1, </s>=2, which the converter re-maps to
    # <s>=0, <pad>=1, </s>=2, <unk>=3 (the fairseq order) and <mask> last.
    spm_dir = os.path.join(scratch, "xlmr-sentencepiece")
    os.makedirs(spm_dir)
    spm.SentencePieceTrainer.train(
        input=corpus,
        model_prefix=os.path.join(spm_dir, "sentencepiece.bpe"),
        model_type="unigram",
        vocab_size=1200,
        hard_vocab_limit=False,
        character_coverage=1.0,
        normalization_rule_name="nmt_nfkc",
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    with open(os.path.join(spm_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512}, f)
    # Loading a directory that holds only the SentencePiece model runs transformers' slow->fast
    # conversion (XLMRobertaConverter), which embeds the model's precompiled_charsmap.
    fast = AutoTokenizer.from_pretrained(spm_dir)
    fast.save_pretrained(directory)


def reference_ids(directory, texts):
    tok = AutoTokenizer.from_pretrained(directory)
    return [tok(t, add_special_tokens=True)["input_ids"] for t in texts]


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    sweep = sweep_texts()
    families = {"wordpiece": train_wordpiece, "bpe": train_bpe, "unigram": train_unigram}
    with tempfile.TemporaryDirectory() as scratch:
        for family, train in families.items():
            directory = os.path.join(OUT, family)
            train(directory, scratch)
            # Only what the runtime reads: tokenizer.json and tokenizer_config.json.
            for name in os.listdir(directory):
                if name not in ("tokenizer.json", "tokenizer_config.json"):
                    os.remove(os.path.join(directory, name))
            reference = {
                "generator": {
                    "transformers": transformers.__version__,
                    "tokenizers": tokenizers.__version__,
                    "sentencepiece": spm.__version__,
                    "tokenizer_class": AutoTokenizer.from_pretrained(directory).__class__.__name__,
                },
                "fixed": reference_ids(directory, FIXED_CORPUS),
                "sweep": reference_ids(directory, sweep),
            }
            # mtime=0: the same ids give the same bytes, so a rerun shows no spurious diff.
            with open(os.path.join(directory, "reference-ids.json.gz"), "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
                    f.write(json.dumps(reference, separators=(",", ":")).encode("utf-8"))
    corpus = {"fixed": FIXED_CORPUS, "sweep": {"ranges": SWEEP_RANGES, "chunk": SWEEP_CHUNK}}
    with open(os.path.join(OUT, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump(corpus, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
