// The ONNX inputs and outputs fetch-model reads from the protobuf must be what onnxruntime
// reports for the same file, since the runtime judges the model by onnxruntime's view at start.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { float, GraphBuilder, int } from "../../hack/onnx/graph-builder.js";
import { decodeModelProto, encodeModelProto, type ModelProto } from "../../hack/onnx/model-proto.js";
import { readOnnxSignature } from "../../runtime/artifacts/onnx-signature.js";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import { ModelLoadError } from "../../runtime/errors.js";
import { createSession, tensorSignatures } from "../../runtime/inference/session.js";

let temp: string;
let fileNo = 0;

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "vigil-onnx-"));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function write(bytes: Uint8Array): Promise<string> {
  const file = path.join(temp, `model-${++fileNo}.onnx`);
  await writeFile(file, bytes);
  return file;
}

async function onnxruntimeView(file: string) {
  const { session } = await createSession(file, "cpu", 1);
  try {
    return {
      inputs: tensorSignatures(session.inputMetadata),
      outputs: tensorSignatures(session.outputMetadata),
    };
  } finally {
    await session.release();
  }
}

/**
 * A small classifier with what real exports contain and the demo model does not: a fixed
 * sequence length, an unnamed dynamic dimension, a token_type_ids input, and a weight that is
 * also listed as a graph input (as exports before ONNX IR 4 list every weight).
 */
function unusualModel(): Uint8Array {
  const g = new GraphBuilder("unusual");
  const ids = g.input("input_ids", "int64", ["batch", 128]);
  g.input("attention_mask", "int64", ["batch", 128]);
  g.input("token_type_ids", "int64", ["batch", 128]);
  const asFloat = g.op("Cast", [ids], { to: int(1) });
  const summed = g.op("ReduceSum", [asFloat, g.int64Constant("axes", [1])], { keepdims: int(1) });
  const w = g.weight("classifier.weight", Float32Array.of(0.5, -0.5, 1), [1, 3]);
  const scaled = g.op("Mul", [g.op("MatMul", [summed, w]), g.floatScalar("scale", 2)]);
  g.output(g.op("LeakyRelu", [scaled], { alpha: float(0.1) }), "logits", "float32", ["batch", 3]);
  const model = decodeModelProto(g.toModelBytes({ producerName: "vigil-test", producerVersion: "1" }));
  const weightInput = { ...model.graph.input[0]!, name: "classifier.weight" };
  weightInput.type = { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 3 }] } } };
  // An unnamed, unsized dimension: neither dim_value nor dim_param.
  model.graph.input[1]!.type.tensor_type.shape.dim[0] = {} as { dim_value: number };
  model.graph.input.push(weightInput);
  return encodeModelProto(model as ModelProto);
}

describe("readOnnxSignature", () => {
  it("reads the demo model's inputs and outputs as onnxruntime reports them", async () => {
    const file = path.join(DEFAULT_MODEL_DIR, "model.onnx");
    expect(await readOnnxSignature(file)).toEqual(await onnxruntimeView(file));
  });

  it("agrees with onnxruntime on fixed, named and unnamed dimensions, and leaves out weights listed as inputs", async () => {
    const file = await write(unusualModel());
    const signature = await readOnnxSignature(file);
    expect(signature).toEqual(await onnxruntimeView(file));
    expect(signature.inputs.map((i) => i.name)).toEqual(["input_ids", "attention_mask", "token_type_ids"]);
    expect(signature.inputs[0]).toEqual({ name: "input_ids", type: "int64", shape: ["batch", 128] });
  });

  it.each([
    [
      "bytes that are not protobuf",
      () => Buffer.from("not protobuf"),
      /not an ONNX model \(wire type 6 at byte 0\)/,
    ],
    ["an empty file", () => Buffer.alloc(0), /not an ONNX model \(the file is empty\)/],
    ["a protobuf without a graph", () => Buffer.from([0x08, 0x08]), /not an ONNX model \(it has no graph\)/],
  ])("refuses %s", async (_name, bytes, message) => {
    const file = await write(bytes());
    await expect(readOnnxSignature(file)).rejects.toThrow(ModelLoadError);
    await expect(readOnnxSignature(file)).rejects.toThrow(message);
  });

  it("refuses a model cut short, as onnxruntime does", async () => {
    const whole = await readFile(path.join(DEFAULT_MODEL_DIR, "model.onnx"));
    const file = await write(whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(readOnnxSignature(file)).rejects.toThrow(
      /not an ONNX model \(field 7 at byte \d+ runs past its message\)/,
    );
    await expect(onnxruntimeView(file)).rejects.toThrow(/cannot load/);
  });
});
