import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { float, GraphBuilder, int, ints } from "../../hack/onnx/graph-builder.js";
import { gelu, layerNorm, maskedMeanPool, maskedSumPool } from "../../hack/onnx/layers.js";
import { decodeModelProto } from "../../hack/onnx/model-proto.js";

const metadata = { producerName: "vigil test", producerVersion: "1" };

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const outputs = await session.run(feeds);
    const first = outputs[session.outputNames[0] ?? ""];
    if (first === undefined) throw new Error("no output");
    return first;
  } finally {
    await session.release();
  }
}

describe("ONNX writer (hack/onnx)", () => {
  it("writes an IR 8 / opset 17 ModelProto with typed attributes, dynamic dims and metadata", () => {
    const g = new GraphBuilder("attributes");
    const x = g.input("x", "float32", ["batch", 3]);
    const y = g.op("Transpose", [x], { perm: ints([1, 0]) });
    g.output(g.op("LeakyRelu", [y], { alpha: float(0.25) }), "y", "float32", [3, "batch"]);
    const proto = decodeModelProto(g.toModelBytes({ ...metadata, properties: { labels: "a,b" } }));

    expect(proto.ir_version).toBe(8);
    expect(proto.opset_import).toEqual([{ domain: "", version: 17 }]);
    expect(proto.metadata_props).toEqual([{ key: "labels", value: "a,b" }]);
    expect(proto.graph.input[0]?.type.tensor_type.shape.dim).toEqual([
      { dim_param: "batch" },
      { dim_value: 3 },
    ]);
    expect(proto.graph.node.map((n) => n.op_type)).toEqual(["Transpose", "LeakyRelu", "Identity"]);
    expect(proto.graph.node[0]?.attribute).toEqual([{ name: "perm", type: 7, ints: [1, 0] }]);
    expect(proto.graph.node[1]?.attribute).toEqual([{ name: "alpha", type: 1, f: 0.25 }]);
  });

  it("stores float32 and int64 initializers that onnxruntime reads back exactly", async () => {
    const g = new GraphBuilder("initializers");
    const x = g.input("x", "float32", [2]);
    const w = g.weight("w", Float32Array.of(1.5, -2.25), [2]);
    const shape = g.int64Constant("shape", [1, 2]);
    g.output(g.op("Reshape", [g.op("Mul", [x, w]), shape]), "y", "float32", [1, 2]);
    const y = await run(g.toModelBytes(metadata), {
      x: new ort.Tensor("float32", Float32Array.of(2, 4), [2]),
    });
    expect(y.dims).toEqual([1, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([3, -9]);
  });

  it("masked mean pooling ignores padded positions and gives 0, not NaN, for an all-padding row", async () => {
    const g = new GraphBuilder("pool");
    const x = g.input("x", "float32", ["b", "s", 2]);
    const mask = g.input("mask", "int64", ["b", "s"]);
    g.output(maskedMeanPool(g, x, mask), "y", "float32", ["b", 2]);
    const y = await run(g.toModelBytes(metadata), {
      x: new ort.Tensor("float32", Float32Array.of(1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10), [2, 3, 2]),
      mask: new ort.Tensor("int64", BigInt64Array.of(1n, 1n, 0n, 0n, 0n, 0n), [2, 3]),
    });
    expect(Array.from(y.data as Float32Array)).toEqual([2, 3, 0, 0]);
  });

  it("masked sum pooling adds the real positions only, and gives 0 for an all-padding row", async () => {
    const g = new GraphBuilder("sum");
    const x = g.input("x", "float32", ["b", "s", 2]);
    const mask = g.input("mask", "int64", ["b", "s"]);
    g.output(maskedSumPool(g, x, mask), "y", "float32", ["b", 2]);
    const y = await run(g.toModelBytes(metadata), {
      x: new ort.Tensor("float32", Float32Array.of(1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10), [2, 3, 2]),
      mask: new ort.Tensor("int64", BigInt64Array.of(1n, 1n, 0n, 0n, 0n, 0n), [2, 3]),
    });
    expect(y.dims).toEqual([2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([4, 6, 0, 0]);
  });

  it("exact GELU and LayerNormalization match their definitions", async () => {
    const g = new GraphBuilder("blocks");
    const x = g.input("x", "float32", [1, 4]);
    const ones = g.weight("gamma", Float32Array.of(1, 1, 1, 1), [4]);
    const zeros = g.weight("beta", Float32Array.of(0, 0, 0, 0), [4]);
    g.output(gelu(g, layerNorm(g, x, ones, zeros, 1e-5), "gelu"), "y", "float32", [1, 4]);
    const input = [1, 2, 3, 4];
    const y = await run(g.toModelBytes(metadata), {
      x: new ort.Tensor("float32", Float32Array.from(input), [1, 4]),
    });

    const mean = 2.5;
    const std = Math.sqrt(input.reduce((s, v) => s + (v - mean) ** 2, 0) / 4 + 1e-5);
    // GELU(v) = v·Φ(v); Φ via the Abramowitz-Stegun erf approximation (|error| < 1.5e-7).
    const erf = (v: number) => {
      const t = 1 / (1 + 0.3275911 * Math.abs(v));
      const poly =
        t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
      return Math.sign(v) * (1 - poly * Math.exp(-v * v));
    };
    const expected = input.map((v) => (v - mean) / std).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
    Array.from(y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 5));
  });

  it("refuses a value name used twice and a tensor whose data does not fill its shape", () => {
    const g = new GraphBuilder("errors");
    g.input("x", "float32", [1]);
    expect(() => g.weight("x", Float32Array.of(1), [1])).toThrow('value name "x" is used twice');
    expect(() => g.weight("w", Float32Array.of(1, 2, 3), [2, 2])).toThrow("3 values do not fill shape [2,2]");
    expect(() => g.op("Cast", ["x"], { to: int(1) }, "x")).toThrow("used twice");
  });
});
