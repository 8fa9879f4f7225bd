// The JS tokenizer library's base classes Vigil extends, typed here: the package's declarations
// re-export them through extensionless paths that NodeNext resolution does not follow, so
// TypeScript sees only `Tokenizer` (as any). The shapes are the library's (types/core/*.d.ts).
import * as library from "@huggingface/tokenizers";

type JsonObject = Record<string, unknown>;

export interface NormalizerInstance {
  normalize(text: string): string;
}

export interface PreTokenizeOptions {
  section_index?: number;
}

export interface PreTokenizerInstance {
  pre_tokenize_text(text: string, options?: PreTokenizeOptions): string[];
  pre_tokenize(text: string | string[], options?: PreTokenizeOptions): string[];
}

const classes = library as unknown as {
  Normalizer: abstract new (config: JsonObject) => NormalizerInstance;
  PreTokenizer: abstract new () => PreTokenizerInstance;
  SequenceNormalizer: new (config: JsonObject) => NormalizerInstance;
  SequencePreTokenizer: new (config: JsonObject) => PreTokenizerInstance;
};

/** Base of every normalizer; instances are callable, which the library's pipeline relies on. */
export const Normalizer = classes.Normalizer;
/** Base of every pre-tokenizer; instances are callable, which the library's pipeline relies on. */
export const PreTokenizer = classes.PreTokenizer;

/** The library's own normalizer for one tokenizer.json normalizer config. */
export const libraryNormalizer = (config: unknown): NormalizerInstance =>
  new classes.SequenceNormalizer({ type: "Sequence", normalizers: [config] });

/** The library's own pre-tokenizer for one tokenizer.json pre_tokenizer config. */
export const libraryPreTokenizer = (config: unknown): PreTokenizerInstance =>
  new classes.SequencePreTokenizer({ type: "Sequence", pretokenizers: [config] });
