import { int, type GraphBuilder, type Value } from "./graph-builder.js";
import { DataType } from "./model-proto.js";

/**
 * Hashed word-piece bigrams, the evidence bag's second kind of feature. A bag of single pieces
 * cannot tell "kill the process" from "kill you", or "te voy a llamar" from "te voy a matar";
 * pairs of adjacent pieces can. Every adjacent pair of real tokens (neither one a special token:
 * [PAD], [UNK], [CLS], [SEP] carry no evidence, alone or in a pair) becomes feature
 *   vocabSize + (left · 1000003 + right) mod buckets,
 * a row of the evidence table after the vocabulary's. Hashing keeps the table a fixed size and the
 * graph free of lookups; pairs that collide share a row, and L2 keeps the rare ones near zero.
 * The same numbering is computed here for training and inside the ONNX graph for inference.
 */

export interface BigramHashing {
  /** Number of token ids; bigram features are numbered from here. */
  vocabSize: number;
  /** Rows reserved for bigrams; 0 turns bigrams off. */
  buckets: number;
  /** Ids below this are special tokens and never form a bigram. */
  firstRealId: number;
}

/** An odd prime well above any vocabulary size, so (left, right) and (right, left) differ. */
const MULTIPLIER = 1_000_003;
/** Slice's "to the end" for a dynamic axis. */
const TO_END = Number.MAX_SAFE_INTEGER;

/** The bigram feature ids of one unpadded token sequence. */
export function bigramFeatureIds(ids: readonly number[], hashing: BigramHashing): number[] {
  const features: number[] = [];
  if (hashing.buckets === 0) return features;
  for (let t = 0; t + 1 < ids.length; t++) {
    const left = ids[t] as number;
    const right = ids[t + 1] as number;
    if (left < hashing.firstRealId || right < hashing.firstRealId) continue;
    features.push(hashing.vocabSize + ((left * MULTIPLIER + right) % hashing.buckets));
  }
  return features;
}

/**
 * The same features in an ONNX graph: from input_ids and attention_mask [batch, seq] (int64),
 * bigram ids and their mask [batch, seq - 1] (int64; 1 where both tokens are real, unpadded
 * and not special), ready for Gather and maskedSumPool.
 */
export function bigramFeatures(
  g: GraphBuilder,
  inputIds: Value,
  attentionMask: Value,
  hashing: BigramHashing,
): { ids: Value; mask: Value } {
  const axes = g.int64Constant("bigram_axes", [1]);
  const zero = g.int64Constant("bigram_start_first", [0]);
  const one = g.int64Constant("bigram_start_second", [1]);
  const dropLast = g.int64Constant("bigram_end_first", [-1]);
  const toEnd = g.int64Constant("bigram_end_second", [TO_END]);
  const left = (x: Value) => g.op("Slice", [x, zero, dropLast, axes]);
  const right = (x: Value) => g.op("Slice", [x, one, toEnd, axes]);

  const leftIds = left(inputIds);
  const rightIds = right(inputIds);
  const scalar = (name: string, value: number) => g.int64Constant(name, [value], []);
  const hashed = g.op("Mod", [
    g.op("Add", [g.op("Mul", [leftIds, scalar("bigram_multiplier", MULTIPLIER)]), rightIds]),
    scalar("bigram_buckets", hashing.buckets),
  ]);
  const ids = g.op("Add", [hashed, scalar("bigram_offset", hashing.vocabSize)]);

  const lastSpecial = scalar("bigram_last_special_id", hashing.firstRealId - 1);
  const isReal = (x: Value) => g.op("Cast", [g.op("Greater", [x, lastSpecial])], { to: int(DataType.INT64) });
  const mask = g.op("Mul", [
    g.op("Mul", [left(attentionMask), right(attentionMask)]),
    g.op("Mul", [isReal(leftIds), isReal(rightIds)]),
  ]);
  return { ids, mask };
}
