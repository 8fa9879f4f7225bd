// Logits -> probabilities. Multi-label models score each label independently (sigmoid);
// single-label models spread one unit of probability over the labels (softmax).
import type { Activation } from "./model-dir.js";

/** Applies the activation to each row of a [rows, labels] logits matrix, in a new array. */
export function activate(logits: Float32Array, labels: number, activation: Activation): Float32Array {
  const out = new Float32Array(logits.length);
  if (activation === "sigmoid") {
    for (let i = 0; i < logits.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]!));
    return out;
  }
  for (let row = 0; row < logits.length; row += labels) {
    let max = -Infinity;
    for (let j = 0; j < labels; j++) max = Math.max(max, logits[row + j]!);
    let sum = 0;
    for (let j = 0; j < labels; j++) sum += out[row + j] = Math.exp(logits[row + j]! - max);
    for (let j = 0; j < labels; j++) out[row + j] = out[row + j]! / sum;
  }
  return out;
}
