// Swaps the JS tokenizer library's normalizer and pre-tokenizer for Vigil's exact ones where the
// library only approximates the Rust `tokenizers` library that transformers runs (the parity
// test, test/models/tokenizer-parity.test.ts, holds the result to transformers' ids). The
// library's Normalizer and PreTokenizer classes are its extension point; everything else
// (models, added tokens, post-processing) stays the library's.
import type { Tokenizer } from "@huggingface/tokenizers";
import { ExactBertNormalizer, type BertNormalizerConfig } from "./bert-normalizer.js";
import { ExactBertPreTokenizer } from "./bert-pre-tokenizer.js";
import {
  libraryNormalizer,
  libraryPreTokenizer,
  type NormalizerInstance,
  type PreTokenizerInstance,
} from "./library-classes.js";
import { ExactPrecompiledNormalizer, type PrecompiledNormalizerConfig } from "./precompiled-normalizer.js";
import { ExactSequenceNormalizer, ExactSequencePreTokenizer } from "./sequences.js";
import { ExactWhitespaceSplit } from "./whitespace-split.js";

type Config = { type?: unknown } & Record<string, unknown>;

const asConfig = (value: unknown): Config | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Config) : undefined;

const childConfigs = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

/** Vigil's exact normalizer for a tokenizer.json normalizer, or undefined where the library's is exact. */
export function exactNormalizer(config: unknown): NormalizerInstance | undefined {
  const c = asConfig(config);
  switch (c?.type) {
    case "Precompiled":
      return new ExactPrecompiledNormalizer(c as unknown as PrecompiledNormalizerConfig);
    case "BertNormalizer":
      return new ExactBertNormalizer(c as unknown as BertNormalizerConfig);
    case "Sequence": {
      const children = childConfigs(c.normalizers);
      const exact = children.map(exactNormalizer);
      if (exact.every((n) => n === undefined)) return undefined;
      return new ExactSequenceNormalizer(children.map((child, i) => exact[i] ?? libraryNormalizer(child)));
    }
    default:
      return undefined;
  }
}

/** Vigil's exact pre-tokenizer for a tokenizer.json pre_tokenizer, or undefined where the library's is exact. */
export function exactPreTokenizer(config: unknown): PreTokenizerInstance | undefined {
  const c = asConfig(config);
  switch (c?.type) {
    case "BertPreTokenizer":
      return new ExactBertPreTokenizer();
    case "WhitespaceSplit":
      return new ExactWhitespaceSplit();
    case "Sequence": {
      const children = childConfigs(c.pretokenizers);
      const exact = children.map(exactPreTokenizer);
      if (exact.every((p) => p === undefined)) return undefined;
      return new ExactSequencePreTokenizer(
        children.map((child, i) => exact[i] ?? libraryPreTokenizer(child)),
      );
    }
    default:
      return undefined;
  }
}

/** Installs the exact normalizer and pre-tokenizer `tokenizerJson` calls for, where Vigil has them. */
export function useExactPipeline(tokenizer: Tokenizer, tokenizerJson: Record<string, unknown>): void {
  const normalizer = exactNormalizer(tokenizerJson.normalizer);
  if (normalizer) tokenizer.normalizer = normalizer;
  const preTokenizer = exactPreTokenizer(tokenizerJson.pre_tokenizer);
  if (preTokenizer) tokenizer.pre_tokenizer = preTokenizer;
}
