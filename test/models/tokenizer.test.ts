import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import { beforeAll, describe, expect, it } from "vitest";

const MODEL_DIR = "runtime/models/default";

describe("default tokenizer.json with @huggingface/tokenizers", () => {
  const tokenizerJson = JSON.parse(readFileSync(`${MODEL_DIR}/tokenizer.json`, "utf8")) as {
    truncation: unknown;
    padding: unknown;
    normalizer: { type: string; lowercase: boolean; strip_accents: boolean };
    pre_tokenizer: { type: string };
    post_processor: { type: string };
    model: {
      type: string;
      unk_token: string;
      continuing_subword_prefix: string;
      vocab: Record<string, number>;
    };
  };
  const vocab = tokenizerJson.model.vocab;
  const idOf = (token: string) => {
    const id = vocab[token];
    if (id === undefined) throw new Error(`"${token}" is not in the vocabulary`);
    return id;
  };
  let tokenizer: Tokenizer;

  beforeAll(() => {
    tokenizer = new Tokenizer(
      tokenizerJson,
      JSON.parse(readFileSync(`${MODEL_DIR}/tokenizer_config.json`, "utf8")),
    );
  });

  it("is a BERT WordPiece tokenizer with no truncation or padding of its own", () => {
    expect(tokenizerJson).toMatchObject({
      truncation: null,
      padding: null,
      normalizer: { type: "BertNormalizer", lowercase: true, strip_accents: true },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: { type: "TemplateProcessing" },
      model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##" },
    });
    expect(["[PAD]", "[UNK]", "[CLS]", "[SEP]"].map(idOf)).toEqual([0, 1, 2, 3]);
  });

  it("has the vocabulary the model was trained with", () => {
    const config = JSON.parse(readFileSync(`${MODEL_DIR}/config.json`, "utf8")) as { vocab_size: number };
    expect(tokenizer.get_vocab().size).toBe(config.vocab_size);
    expect(Object.keys(vocab)).toHaveLength(config.vocab_size);
  });

  it("encodes a known text to [CLS] word pieces [SEP] with the vocabulary's ids", () => {
    const encoding = tokenizer.encode("You are a débile idiot!");
    const expectedTokens = ["[CLS]", "you", "are", "a", "debile", "idiot", "!", "[SEP]"];
    expect(encoding.tokens).toEqual(expectedTokens);
    expect(encoding.ids).toEqual(expectedTokens.map(idOf));
    expect(encoding.ids[0]).toBe(2);
    expect(encoding.ids.at(-1)).toBe(3);
    expect(encoding.attention_mask).toEqual(expectedTokens.map(() => 1));
  });

  it("lowercases and strips accents, so accented and unaccented spellings share ids", () => {
    expect(tokenizer.encode("Tu es DÉBILE").ids).toEqual(tokenizer.encode("tu es debile").ids);
    expect(tokenizer.encode("Du bist ein IDIOT").tokens).toEqual([
      "[CLS]",
      "du",
      "bist",
      "ein",
      "idiot",
      "[SEP]",
    ]);
  });

  it("splits unknown Latin words into ## pieces instead of [UNK]", () => {
    const { tokens } = tokenizer.encode("xylophonequartz");
    expect(tokens.slice(1, -1).join("").replaceAll("##", "")).toBe("xylophonequartz");
    expect(tokens.slice(2, -1).every((t: string) => t.startsWith("##"))).toBe(true);
    expect(tokens).not.toContain("[UNK]");
  });

  it("maps words in scripts absent from the training data to [UNK]", () => {
    expect(tokenizer.encode("Привет мир").tokens).toEqual(["[CLS]", "[UNK]", "[UNK]", "[SEP]"]);
    // BertNormalizer puts spaces around CJK characters, so each becomes its own [UNK].
    expect(tokenizer.encode("日本").ids).toEqual([2, 1, 1, 3]);
  });

  it("encodes empty text as just [CLS] [SEP]", () => {
    expect(tokenizer.encode("").ids).toEqual([2, 3]);
  });
});
