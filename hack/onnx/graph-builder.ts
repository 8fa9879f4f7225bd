import {
  AttributeType,
  DataType,
  encodeModelProto,
  IR_VERSION,
  OPSET_VERSION,
  type AttributeProto,
  type DataTypeCode,
  type DimensionProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from "./model-proto.js";

/** A value in the graph, referred to by its tensor name. */
export type Value = string;
export type ElementType = "float32" | "int64";
/** A fixed size, or a symbolic name for a dynamic dimension (e.g. "batch_size"). */
export type Dimension = number | string;

/** An attribute value tagged with its ONNX type, because JS numbers cannot tell int from float. */
export type Attribute =
  | { type: "int"; value: number }
  | { type: "float"; value: number }
  | { type: "ints"; value: number[] }
  | { type: "floats"; value: number[] }
  | { type: "string"; value: string };

export const int = (value: number): Attribute => ({ type: "int", value });
export const float = (value: number): Attribute => ({ type: "float", value });
export const ints = (value: number[]): Attribute => ({ type: "ints", value });
export const floats = (value: number[]): Attribute => ({ type: "floats", value });
export const str = (value: string): Attribute => ({ type: "string", value });

export interface ModelMetadata {
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** Written to ModelProto.metadata_props (shown by Netron, readable from ORT's session metadata). */
  properties?: Record<string, string>;
}

const elementTypeCodes: Record<ElementType, DataTypeCode> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
};

/**
 * Builds an ONNX graph node by node, so model scripts read like a model definition:
 * `const h = g.op("MatMul", [x, w])`. Every op returns the name of its (single) output.
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(private readonly name: string) {}

  input(name: string, elementType: ElementType, shape: Dimension[]): Value {
    this.claim(name);
    this.inputs.push(valueInfo(name, elementType, shape));
    return name;
  }

  /** Marks `value` as a graph output; an Identity node renames it when the names differ. */
  output(value: Value, name: string, elementType: ElementType, shape: Dimension[]): void {
    const outputName = value === name ? value : this.op("Identity", [value], {}, name);
    this.outputs.push(valueInfo(outputName, elementType, shape));
  }

  /** A float32 weight tensor stored in the model file. */
  weight(name: string, data: Float32Array, dims: number[]): Value {
    checkSize(name, data.length, dims);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    // ONNX raw_data is little-endian regardless of the host.
    data.forEach((x, i) => view.setFloat32(i * 4, x, true));
    return this.addInitializer({ name, dims, data_type: DataType.FLOAT, raw_data: bytes });
  }

  /** A constant int64 tensor (axes, shapes); a 0-d scalar when `dims` is []. */
  int64Constant(name: string, values: number[], dims: number[] = [values.length]): Value {
    checkSize(name, values.length, dims);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((x, i) => view.setBigInt64(i * 8, BigInt(x), true));
    return this.addInitializer({ name, dims, data_type: DataType.INT64, raw_data: bytes });
  }

  /** A constant float32 scalar (0-d tensor). */
  floatScalar(name: string, value: number): Value {
    return this.weight(name, Float32Array.of(value), []);
  }

  /** Appends one node with a single output and returns that output's name. */
  op(
    opType: string,
    inputs: Value[],
    attributes: Record<string, Attribute> = {},
    outputName?: string,
  ): Value {
    const index = this.counters.get(opType) ?? 0;
    this.counters.set(opType, index + 1);
    const nodeName = `${opType}_${index}`;
    const output = outputName ?? `${nodeName}_out`;
    this.claim(output);
    this.nodes.push({
      name: nodeName,
      op_type: opType,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([key, attribute]) => toAttributeProto(key, attribute)),
    });
    return output;
  }

  /** Serializes the graph as an ONNX ModelProto (IR 8, opset 17). */
  toModelBytes(metadata: ModelMetadata): Uint8Array {
    if (this.outputs.length === 0) throw new Error(`graph ${this.name} has no outputs`);
    const model: ModelProto = {
      ir_version: IR_VERSION,
      opset_import: [{ domain: "", version: OPSET_VERSION }],
      producer_name: metadata.producerName,
      producer_version: metadata.producerVersion,
      ...(metadata.docString === undefined ? {} : { doc_string: metadata.docString }),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadata_props: Object.entries(metadata.properties ?? {}).map(([key, value]) => ({ key, value })),
    };
    return encodeModelProto(model);
  }

  private addInitializer(tensor: TensorProto): Value {
    this.claim(tensor.name);
    this.initializers.push(tensor);
    return tensor.name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: value name "${name}" is used twice`);
    this.names.add(name);
  }
}

function valueInfo(name: string, elementType: ElementType, shape: Dimension[]): ValueInfoProto {
  const dim: DimensionProto[] = shape.map((d) =>
    typeof d === "number" ? { dim_value: d } : { dim_param: d },
  );
  return { name, type: { tensor_type: { elem_type: elementTypeCodes[elementType], shape: { dim } } } };
}

function checkSize(name: string, length: number, dims: number[]): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length) throw new Error(`tensor ${name}: ${length} values do not fill shape [${dims}]`);
}

function toAttributeProto(name: string, attribute: Attribute): AttributeProto {
  switch (attribute.type) {
    case "int":
      return { name, type: AttributeType.INT, i: attribute.value };
    case "float":
      return { name, type: AttributeType.FLOAT, f: attribute.value };
    case "ints":
      return { name, type: AttributeType.INTS, ints: attribute.value };
    case "floats":
      return { name, type: AttributeType.FLOATS, floats: attribute.value };
    case "string":
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(attribute.value) };
  }
}
