// An ONNX model's graph inputs and outputs, read from its protobuf (onnx.proto: ModelProto.graph
// -> GraphProto.input / output -> ValueInfoProto -> TypeProto.tensor_type) without loading the
// model: the walk reads field headers and seeks past everything else (initializers, nodes), so
// it holds one 64 KiB window whatever the model's size, and onnxruntime (tens of MB resident,
// plus the weights) is not loaded in the init container at all. The result has the shape the
// runtime's session metadata has (session.ts tensorSignatures), so checkSignature judges it by
// the rules the runtime applies at start. Like onnxruntime, inputs that are also initializers
// (older exports list every weight as a graph input) are not model inputs.
import { open, type FileHandle } from "node:fs/promises";
import { ModelLoadError } from "../errors.js";
import type { TensorSignature } from "../inference/signature.js";

const WINDOW_BYTES = 64 * 1024;
/** Names and dimension parameters are short; a longer string means the bytes are not ONNX. */
const MAX_STRING_BYTES = 64 * 1024;

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_SPARSE_INITIALIZER = 15;
const TENSOR_NAME = 8;
const SPARSE_TENSOR_VALUES = 1;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_ELEM_TYPE = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** TensorProto.DataType codes, named as onnxruntime names them. */
const ELEMENT_TYPES: Record<number, string> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  16: "bfloat16",
  21: "uint4",
  22: "int4",
};

class NotOnnx extends Error {}

/** Positional reads through one window, so the many small fields of a graph cost few reads. */
class FileWindow {
  private readonly buffer = Buffer.allocUnsafe(WINDOW_BYTES);
  private start = 0;
  private length = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  /** Up to `length` bytes at `position` (fewer at the end of the file); valid until the next read. */
  async read(position: number, length: number): Promise<Buffer> {
    if (length > WINDOW_BYTES) throw new Error(`read of ${length} bytes exceeds the window`);
    const inWindow = position >= this.start && position + length <= this.start + this.length;
    if (!inWindow) {
      const { bytesRead } = await this.file.read(this.buffer, 0, WINDOW_BYTES, position);
      this.start = position;
      this.length = bytesRead;
    }
    const offset = position - this.start;
    return this.buffer.subarray(offset, Math.min(offset + length, this.length));
  }
}

interface Field {
  number: number;
  wire: number;
  /** The varint's value (wire type 0). */
  value: bigint;
  /** The value's bytes (wire type 2): [start, end) in the file. */
  start: number;
  end: number;
}

async function varint(
  file: FileWindow,
  position: number,
  end: number,
): Promise<{ value: bigint; next: number }> {
  const bytes = await file.read(position, Math.min(10, end - position));
  let value = 0n;
  for (let i = 0; i < bytes.length; i++) {
    value |= BigInt(bytes[i]! & 0x7f) << BigInt(7 * i);
    if (bytes[i]! < 0x80) return { value, next: position + i + 1 };
  }
  throw new NotOnnx(`a varint at byte ${position} does not end`);
}

/** The fields of the message stored in [start, end), in file order. */
async function* fields(file: FileWindow, start: number, end: number): AsyncGenerator<Field> {
  let position = start;
  while (position < end) {
    const at = position;
    const tag = await varint(file, at, end);
    const number = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (number === 0) throw new NotOnnx(`field number 0 at byte ${at}`);
    let field: Field;
    if (wire === WIRE_VARINT) {
      const { value, next } = await varint(file, tag.next, end);
      field = { number, wire, value, start: tag.next, end: next };
    } else if (wire === WIRE_LEN) {
      const length = await varint(file, tag.next, end);
      field = { number, wire, value: 0n, start: length.next, end: length.next + Number(length.value) };
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      field = { number, wire, value: 0n, start: tag.next, end: tag.next + (wire === WIRE_I64 ? 8 : 4) };
    } else {
      throw new NotOnnx(`wire type ${wire} at byte ${at}`);
    }
    if (field.end > end) throw new NotOnnx(`field ${number} at byte ${at} runs past its message`);
    yield field;
    position = field.end;
  }
}

async function text(file: FileWindow, field: Field): Promise<string> {
  const length = field.end - field.start;
  if (length > MAX_STRING_BYTES) throw new NotOnnx(`a ${length}-byte name at byte ${field.start}`);
  return (await file.read(field.start, length)).toString("utf8");
}

function isMessage(field: Field, number: number): boolean {
  return field.number === number && field.wire === WIRE_LEN;
}

async function tensorName(file: FileWindow, start: number, end: number): Promise<string | undefined> {
  let name: string | undefined;
  for await (const field of fields(file, start, end)) {
    if (isMessage(field, TENSOR_NAME)) name = await text(file, field);
  }
  return name;
}

async function dimension(file: FileWindow, dim: Field): Promise<number | string> {
  // onnxruntime reports a dimension that is neither fixed nor named as the empty name.
  let size: number | string = "";
  for await (const field of fields(file, dim.start, dim.end)) {
    if (field.number === DIM_VALUE && field.wire === WIRE_VARINT)
      size = Number(BigInt.asIntN(64, field.value));
    else if (isMessage(field, DIM_PARAM)) size = await text(file, field);
  }
  return typeof size === "number" && size >= 0 ? size : String(size);
}

async function tensorType(file: FileWindow, tensor: Field): Promise<Omit<TensorSignature, "name">> {
  let type: string | undefined;
  let shape: (number | string)[] = [];
  for await (const field of fields(file, tensor.start, tensor.end)) {
    if (field.number === TENSOR_TYPE_ELEM_TYPE && field.wire === WIRE_VARINT) {
      const code = Number(field.value);
      type = ELEMENT_TYPES[code] ?? `element type ${code}`;
    } else if (isMessage(field, TENSOR_TYPE_SHAPE)) {
      shape = [];
      for await (const dim of fields(file, field.start, field.end)) {
        if (isMessage(dim, SHAPE_DIM)) shape.push(await dimension(file, dim));
      }
    }
  }
  return { type, shape };
}

async function valueInfo(file: FileWindow, info: Field): Promise<TensorSignature> {
  let name = "";
  let signature: Omit<TensorSignature, "name"> = { type: "non-tensor" };
  for await (const field of fields(file, info.start, info.end)) {
    if (isMessage(field, VALUE_INFO_NAME)) name = await text(file, field);
    else if (isMessage(field, VALUE_INFO_TYPE)) {
      for await (const kind of fields(file, field.start, field.end)) {
        if (isMessage(kind, TYPE_TENSOR)) signature = await tensorType(file, kind);
      }
    }
  }
  return { name, ...signature };
}

export interface OnnxSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

async function readGraphs(file: FileWindow): Promise<OnnxSignature> {
  const inputs: TensorSignature[] = [];
  const outputs: TensorSignature[] = [];
  const initializers = new Set<string>();
  let graphs = 0;
  for await (const model of fields(file, 0, file.size)) {
    if (!isMessage(model, MODEL_GRAPH)) continue;
    graphs += 1;
    for await (const field of fields(file, model.start, model.end)) {
      if (isMessage(field, GRAPH_INPUT)) inputs.push(await valueInfo(file, field));
      else if (isMessage(field, GRAPH_OUTPUT)) outputs.push(await valueInfo(file, field));
      else if (isMessage(field, GRAPH_INITIALIZER)) {
        const name = await tensorName(file, field.start, field.end);
        if (name !== undefined) initializers.add(name);
      } else if (isMessage(field, GRAPH_SPARSE_INITIALIZER)) {
        for await (const part of fields(file, field.start, field.end)) {
          if (!isMessage(part, SPARSE_TENSOR_VALUES)) continue;
          const name = await tensorName(file, part.start, part.end);
          if (name !== undefined) initializers.add(name);
        }
      }
    }
  }
  if (graphs === 0) throw new NotOnnx("it has no graph");
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
}

/** Throws ModelLoadError naming the file when it is not an ONNX model. */
export async function readOnnxSignature(modelPath: string): Promise<OnnxSignature> {
  const handle = await open(modelPath, "r");
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new NotOnnx("the file is empty");
    return await readGraphs(new FileWindow(handle, size));
  } catch (error) {
    if (error instanceof NotOnnx)
      throw new ModelLoadError(`${modelPath}: not an ONNX model (${error.message})`);
    throw error;
  } finally {
    await handle.close();
  }
}
