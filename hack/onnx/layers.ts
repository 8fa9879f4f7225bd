import { DataType } from "./model-proto.js";
import { float, int, ints, type GraphBuilder, type Value } from "./graph-builder.js";

/**
 * Neural-network building blocks expressed as ONNX ops (opset 17), shared by the model scripts.
 * Weights are passed in as graph values so callers decide how they are initialised or trained.
 */

/** y = x · W + b, for x [..., in], W [in, out], b [out]. */
export function linear(g: GraphBuilder, x: Value, weight: Value, bias: Value): Value {
  return g.op("Add", [g.op("MatMul", [x, weight]), bias]);
}

/** attention_mask (int64 [batch, seq], 1 = real token) as float32 [batch, seq]. */
export function maskAsFloat(g: GraphBuilder, attentionMask: Value): Value {
  return g.op("Cast", [attentionMask], { to: int(DataType.FLOAT) });
}

/**
 * Mean of x [batch, seq, dim] over the real tokens only: padding positions contribute nothing,
 * so a text's result does not depend on how much padding its batch added.
 */
export function maskedMeanPool(g: GraphBuilder, x: Value, attentionMask: Value): Value {
  const mask = maskAsFloat(g, attentionMask);
  const mask3d = g.op("Unsqueeze", [mask, g.int64Constant("pool_unsqueeze_axes", [2])]);
  const sum = g.op("ReduceSum", [g.op("Mul", [x, mask3d]), g.int64Constant("pool_sum_axes", [1])], {
    keepdims: int(0),
  });
  const count = g.op("ReduceSum", [mask, g.int64Constant("pool_count_axes", [1])], { keepdims: int(1) });
  // An all-padding row would divide by zero; clamping the count to 1 makes its mean 0 instead of NaN.
  const safeCount = g.op("Max", [count, g.floatScalar("pool_min_count", 1)]);
  return g.op("Div", [sum, safeCount]);
}

/**
 * Sum of x [batch, seq, dim] over the real tokens only, so a text's result does not depend on how
 * much padding its batch added (even if the pad token's embedding is not zero). `name` prefixes
 * the constants it adds, so one graph can pool more than once.
 */
export function maskedSumPool(g: GraphBuilder, x: Value, attentionMask: Value, name = "sum"): Value {
  const mask3d = g.op("Unsqueeze", [
    maskAsFloat(g, attentionMask),
    g.int64Constant(`${name}_unsqueeze_axes`, [2]),
  ]);
  return g.op("ReduceSum", [g.op("Mul", [x, mask3d]), g.int64Constant(`${name}_axes`, [1])], {
    keepdims: int(0),
  });
}

export function layerNorm(g: GraphBuilder, x: Value, scale: Value, bias: Value, epsilon = 1e-12): Value {
  return g.op("LayerNormalization", [x, scale, bias], { axis: int(-1), epsilon: float(epsilon) });
}

/** Exact (Erf-based) GELU, 0.5·x·(1 + erf(x/√2)); opset 17 has no Gelu op, and ORT fuses this pattern. */
export function gelu(g: GraphBuilder, x: Value, prefix: string): Value {
  const erf = g.op("Erf", [g.op("Div", [x, g.floatScalar(`${prefix}_sqrt2`, Math.SQRT2)])]);
  const onePlusErf = g.op("Add", [erf, g.floatScalar(`${prefix}_one`, 1)]);
  return g.op("Mul", [g.op("Mul", [x, onePlusErf]), g.floatScalar(`${prefix}_half`, 0.5)]);
}

/**
 * Additive attention bias [batch, 1, 1, seq]: 0 where attention_mask is 1, -10000 where it is 0,
 * so softmax gives padded keys ~zero weight (the BERT convention).
 */
export function attentionMaskBias(g: GraphBuilder, attentionMask: Value): Value {
  const mask = g.op("Unsqueeze", [maskAsFloat(g, attentionMask), g.int64Constant("mask_axes", [1, 2])]);
  const inverted = g.op("Sub", [g.floatScalar("mask_one", 1), mask]);
  return g.op("Mul", [inverted, g.floatScalar("mask_large_negative", -10000)]);
}

export interface AttentionWeights {
  query: [Value, Value];
  key: [Value, Value];
  value: [Value, Value];
  output: [Value, Value];
}

/**
 * Multi-head self-attention over x [batch, seq, hidden]:
 * softmax(Q·Kᵀ/√d + maskBias)·V per head, heads concatenated, then the output projection.
 */
export function multiHeadSelfAttention(
  g: GraphBuilder,
  x: Value,
  maskBias: Value,
  weights: AttentionWeights,
  shape: { hidden: number; heads: number; prefix: string },
): Value {
  const headSize = shape.hidden / shape.heads;
  // Reshape's 0 copies the input dim, so batch and sequence stay dynamic.
  const splitShape = g.int64Constant(`${shape.prefix}_split_heads`, [0, 0, shape.heads, headSize]);
  const mergeShape = g.int64Constant(`${shape.prefix}_merge_heads`, [0, 0, shape.hidden]);
  const heads = (projected: Value, perm: number[]): Value =>
    g.op("Transpose", [g.op("Reshape", [projected, splitShape])], { perm: ints(perm) });

  const q = heads(linear(g, x, ...weights.query), [0, 2, 1, 3]); // [b, h, s, d]
  const kT = heads(linear(g, x, ...weights.key), [0, 2, 3, 1]); // [b, h, d, s]
  const v = heads(linear(g, x, ...weights.value), [0, 2, 1, 3]); // [b, h, s, d]

  const scale = g.floatScalar(`${shape.prefix}_scale`, 1 / Math.sqrt(headSize));
  const scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, kT]), scale]), maskBias]);
  const probabilities = g.op("Softmax", [scores], { axis: int(-1) });
  const context = g.op("Transpose", [g.op("MatMul", [probabilities, v])], { perm: ints([0, 2, 1, 3]) });
  return linear(g, g.op("Reshape", [context, mergeShape]), ...weights.output);
}
