import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/** ONNX IR version 8 and default-domain opset 17: the first opset with LayerNormalization. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

/** TensorProto.DataType values for the element types our graphs use. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: DataTypeCode;
  raw_data: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export type DimensionProto = { dim_value: number } | { dim_param: string };

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: DataTypeCode; shape: { dim: DimensionProto[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props: { key: string; value: string }[];
}

const schemaPath = fileURLToPath(new URL("./onnx.proto", import.meta.url));
// keepCase: the field names above are ONNX's own snake_case names, not protobufjs's camelCase aliases.
const modelType = new protobuf.Root().loadSync(schemaPath, { keepCase: true }).lookupType("onnx.ModelProto");

/** Serializes a ModelProto with protobufjs; field order is fixed by the schema, so equal input gives equal bytes. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const message = modelType.fromObject(model);
  const problem = modelType.verify(message);
  if (problem) throw new Error(`invalid ModelProto: ${problem}`);
  return modelType.encode(message).finish();
}

/** Parses bytes written by encodeModelProto (used by tests to inspect what was written). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const message = modelType.decode(bytes);
  return modelType.toObject(message, { longs: Number, bytes: Array, defaults: false }) as ModelProto;
}
