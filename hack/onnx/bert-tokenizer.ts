import { Tokenizer } from "@huggingface/tokenizers";

/**
 * The Hugging Face `tokenizer.json` / `tokenizer_config.json` pair for a BERT-style WordPiece
 * tokenizer, in the layout `transformers` and `@huggingface/tokenizers` load unchanged.
 */

export const PAD_TOKEN = "[PAD]";
export const UNK_TOKEN = "[UNK]";
export const CLS_TOKEN = "[CLS]";
export const SEP_TOKEN = "[SEP]";
/** Ids 0-3, in BERT's order of importance: [PAD] must be 0 because runtimes pad with 0. */
export const SPECIAL_TOKENS = [PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN] as const;
export const CONTINUATION_PREFIX = "##";

/**
 * Lowercase and strip accents (mBERT-uncased style). Our data is Latin-script European text in
 * which people often drop accents ("tu es debile" / "débile", "estupido" / "estúpido"); folding
 * maps both spellings to one token, which a vocabulary of a few thousand entries needs. The cost:
 * pairs that differ only by accent merge (es "año"/"ano", pt "é"/"e"), and scripts whose
 * combining marks are letters (Devanagari, Thai) would be damaged; those languages are not in the
 * training data, and a real multilingual export brings its own tokenizer.json.
 */
const normalizer = {
  type: "BertNormalizer",
  clean_text: true,
  handle_chinese_chars: true,
  strip_accents: true,
  lowercase: true,
};

export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: AddedToken[];
  normalizer: typeof normalizer;
  pre_tokenizer: { type: "BertPreTokenizer" };
  post_processor: object;
  decoder: { type: "WordPiece"; prefix: string; cleanup: boolean };
  model: {
    type: "WordPiece";
    unk_token: string;
    continuing_subword_prefix: string;
    max_input_chars_per_word: number;
    vocab: Record<string, number>;
  };
}

interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** `vocab` lists tokens in id order and must start with SPECIAL_TOKENS. */
export function buildTokenizerJson(vocab: readonly string[]): TokenizerJson {
  SPECIAL_TOKENS.forEach((token, id) => {
    if (vocab[id] !== token) throw new Error(`vocabulary id ${id} must be ${token}, got ${vocab[id]}`);
  });
  const ids = new Map(vocab.map((token, id) => [token, id]));
  if (ids.size !== vocab.length) throw new Error("vocabulary contains duplicate tokens");
  const specialEntry = (token: string) => ({ id: token, ids: [ids.get(token)], tokens: [token] });
  return {
    version: "1.0",
    // The runtime truncates and pads per batch; a tokenizer-level setting would fight it.
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer,
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: CLS_TOKEN, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: CLS_TOKEN, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 1 } },
      ],
      special_tokens: { [CLS_TOKEN]: specialEntry(CLS_TOKEN), [SEP_TOKEN]: specialEntry(SEP_TOKEN) },
    },
    decoder: { type: "WordPiece", prefix: CONTINUATION_PREFIX, cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: CONTINUATION_PREFIX,
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

export function buildTokenizerConfig(modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    strip_accents: true,
    tokenize_chinese_chars: true,
    model_max_length: modelMaxLength,
    padding_side: "right",
    truncation_side: "right",
    pad_token: PAD_TOKEN,
    unk_token: UNK_TOKEN,
    cls_token: CLS_TOKEN,
    sep_token: SEP_TOKEN,
    clean_up_tokenization_spaces: true,
  };
}

/**
 * Splits texts into normalized words exactly as the WordPiece model will see them, using the
 * library's own normalizer and pre-tokenizer, so the vocabulary is built from the same words the
 * runtime produces.
 */
export function splitIntoWords(texts: readonly string[]): string[][] {
  const tokenizer = new Tokenizer(buildTokenizerJson(SPECIAL_TOKENS), buildTokenizerConfig(512));
  const { normalizer: normalize, pre_tokenizer: preTokenize } = tokenizer;
  if (normalize === null || preTokenize === null)
    throw new Error("tokenizer has no normalizer/pre-tokenizer");
  return texts.map((text) => preTokenize(normalize(text)));
}
