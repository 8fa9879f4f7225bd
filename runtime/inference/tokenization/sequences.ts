// Sequences of already-built normalizers and pre-tokenizers. The library's Sequence classes build
// their children from config themselves, so they cannot hold Vigil's exact ones.
import {
  Normalizer,
  PreTokenizer,
  type NormalizerInstance,
  type PreTokenizeOptions,
  type PreTokenizerInstance,
} from "./library-classes.js";

export class ExactSequenceNormalizer extends Normalizer {
  constructor(private readonly normalizers: readonly NormalizerInstance[]) {
    super({ type: "Sequence" });
  }

  override normalize(text: string): string {
    return this.normalizers.reduce<string>((t, normalizer) => normalizer.normalize(t), text);
  }
}

export class ExactSequencePreTokenizer extends PreTokenizer {
  constructor(private readonly preTokenizers: readonly PreTokenizerInstance[]) {
    super();
  }

  override pre_tokenize_text(text: string, options?: PreTokenizeOptions): string[] {
    return this.preTokenizers.reduce<string[]>((words, p) => p.pre_tokenize(words, options), [text]);
  }
}
