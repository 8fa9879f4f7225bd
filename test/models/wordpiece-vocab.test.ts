import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { buildTokenizerConfig, buildTokenizerJson, splitIntoWords } from "../../hack/onnx/bert-tokenizer.js";
import { learnWordPieceVocab } from "../../hack/onnx/wordpiece-vocab.js";

const options = { maxSize: 100, minPairFrequency: 2, baseAlphabet: "" };

describe("WordPiece vocabulary learning", () => {
  const corpus = ["idiot idiota idioot", "idiot idiota", "the cat", "the hat"];
  const words = splitIntoWords(corpus).flat();

  it("starts with the special tokens and both forms of every character", () => {
    const vocab = learnWordPieceVocab(words, options);
    expect(vocab.slice(0, 4)).toEqual(["[PAD]", "[UNK]", "[CLS]", "[SEP]"]);
    for (const token of ["i", "##d", "##o", "t", "##t", "c", "h"]) expect(vocab).toContain(token);
  });

  it("merges frequent pairs into shared pieces and stops below the frequency threshold", () => {
    const vocab = learnWordPieceVocab(words, options);
    expect(vocab).toContain("idiot"); // 5 occurrences as a prefix
    expect(vocab).toContain("the"); // 2 occurrences
    expect(vocab).not.toContain("cat"); // once only
    const tokenizer = new Tokenizer(buildTokenizerJson(vocab), buildTokenizerConfig(16));
    expect(tokenizer.encode("Idiotat cat").tokens).toEqual(["[CLS]", "idiota", "##t", "c", "##at", "[SEP]"]);
    // No "s" anywhere in this vocabulary, so WordPiece gives up on the whole word.
    expect(tokenizer.encode("idiots").tokens).toEqual(["[CLS]", "[UNK]", "[SEP]"]);
  });

  it("respects the size limit and is deterministic", () => {
    // Special tokens and the alphabet are always kept; the limit caps the merges added after them.
    const alphabetOnly = learnWordPieceVocab(words, { ...options, maxSize: 0 });
    const small = learnWordPieceVocab(words, { ...options, maxSize: alphabetOnly.length + 3 });
    expect(small).toHaveLength(alphabetOnly.length + 3);
    expect(small.slice(0, alphabetOnly.length)).toEqual(alphabetOnly);
    expect(learnWordPieceVocab(words, options)).toEqual(learnWordPieceVocab([...words], options));
  });

  it("includes the base alphabet so unseen words can still be spelled", () => {
    const vocab = learnWordPieceVocab(["a"], { ...options, baseAlphabet: "xyz" });
    const tokenizer = new Tokenizer(buildTokenizerJson(vocab), buildTokenizerConfig(16));
    expect(tokenizer.encode("zyx").tokens).toEqual(["[CLS]", "z", "##y", "##x", "[SEP]"]);
  });
});
