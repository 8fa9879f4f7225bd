// The response shapes as their owners publish them, transcribed as JSON Schema so responses
// can be checked field by field (additionalProperties: false where the published type is closed).
//  - OpenAI: openai-python src/openai/types/moderation.py and moderation_create_response.py
//    (Moderation, Categories, CategoryScores, CategoryAppliedInputTypes; 13 categories).
//  - Open Inference Protocol v2: kserve/open-inference-protocol
//    specification/protocol/open_inference_rest.yaml (components.schemas).
import { Ajv } from "ajv";

const OPENAI_CATEGORY_NAMES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/instructions",
  "self-harm/intent",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
];
// Image-capable categories may also list "image"; a text-only server lists "text".
const IMAGE_CAPABLE = new Set([
  "self-harm",
  "self-harm/instructions",
  "self-harm/intent",
  "sexual",
  "violence",
  "violence/graphic",
]);

const perCategory = (schema: (name: string) => object) => ({
  type: "object",
  additionalProperties: false,
  required: OPENAI_CATEGORY_NAMES,
  properties: Object.fromEntries(OPENAI_CATEGORY_NAMES.map((c) => [c, schema(c)])),
});

export const OPENAI_MODERATION_RESPONSE = {
  type: "object",
  additionalProperties: false,
  required: ["id", "model", "results"],
  properties: {
    id: { type: "string" },
    model: { type: "string" },
    results: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["flagged", "categories", "category_scores", "category_applied_input_types"],
        properties: {
          flagged: { type: "boolean" },
          categories: perCategory(() => ({ type: "boolean" })),
          category_scores: perCategory(() => ({ type: "number" })),
          category_applied_input_types: perCategory((c) => ({
            type: "array",
            items: { enum: IMAGE_CAPABLE.has(c) ? ["text", "image"] : ["text"] },
          })),
        },
      },
    },
  },
};

const parameters = { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } };
const tensorData: object = {
  type: "array",
  items: {
    anyOf: [{ $ref: "#/$defs/tensor_data" }, { type: "number" }, { type: "string" }, { type: "boolean" }],
  },
};
const metadataTensor = {
  type: "object",
  additionalProperties: false,
  required: ["name", "datatype", "shape"],
  properties: {
    name: { type: "string" },
    datatype: { type: "string" },
    shape: { type: "array", items: { type: "integer" } },
  },
};

export const OIP_METADATA_SERVER_RESPONSE = {
  type: "object",
  additionalProperties: false,
  required: ["name", "version", "extensions"],
  properties: {
    name: { type: "string" },
    version: { type: "string" },
    extensions: { type: "array", items: { type: "string" } },
  },
};

export const OIP_METADATA_MODEL_RESPONSE = {
  type: "object",
  additionalProperties: false,
  required: ["name", "platform"],
  properties: {
    name: { type: "string" },
    versions: { type: "array", items: { type: "string" } },
    platform: { type: "string" },
    inputs: { type: "array", items: metadataTensor },
    outputs: { type: "array", items: metadataTensor },
  },
};

export const OIP_INFERENCE_RESPONSE = {
  $defs: { tensor_data: tensorData },
  type: "object",
  additionalProperties: false,
  required: ["model_name", "outputs"],
  properties: {
    model_name: { type: "string" },
    model_version: { type: "string" },
    id: { type: "string" },
    parameters,
    outputs: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "shape", "datatype", "data"],
        properties: {
          name: { type: "string" },
          shape: { type: "array", items: { type: "integer" } },
          datatype: { type: "string" },
          parameters,
          data: { $ref: "#/$defs/tensor_data" },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });

/** The schema violations of `value`, as readable strings (empty when it conforms). */
export function violations(schema: object, value: unknown): string[] {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
