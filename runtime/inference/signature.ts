// The input/output contract a classification model must meet, checked when the session loads so
// a wrong artifact fails at start with a message saying exactly what is wrong, not with an
// onnxruntime error on the first request.
import { ModelLoadError } from "../errors.js";

export interface TensorSignature {
  name: string;
  /** onnxruntime element type ("int64", "float32", ...); undefined when not a tensor / unknown. */
  type?: string | undefined;
  /** Dimensions: numbers for fixed sizes, strings (symbolic) or -1 for dynamic ones. */
  shape?: readonly (number | string)[] | undefined;
}

export interface ModelSignature {
  /** Whether the model takes token_type_ids (BERT does, RoBERTa/DistilBERT do not). */
  usesTokenTypeIds: boolean;
  /** A fixed sequence length the model demands, if its inputs are not dynamic in that axis. */
  fixedSequenceLength: number | undefined;
}

const REQUIRED_INPUTS = ["input_ids", "attention_mask"];
const OPTIONAL_INPUTS = ["token_type_ids"];
const OUTPUT = "logits";

function describe(tensors: readonly TensorSignature[]): string {
  return tensors.map((t) => t.name).join(", ") || "none";
}

export function checkSignature(
  modelPath: string,
  inputs: readonly TensorSignature[],
  outputs: readonly TensorSignature[],
  labelCount: number,
): ModelSignature {
  function fail(message: string): never {
    throw new ModelLoadError(`${modelPath}: ${message}`);
  }
  const names = inputs.map((i) => i.name);
  for (const required of REQUIRED_INPUTS) {
    if (!names.includes(required)) {
      fail(
        `missing input '${required}' (model inputs: ${describe(inputs)}; expected input_ids, attention_mask[, token_type_ids])`,
      );
    }
  }
  let fixedSequenceLength: number | undefined;
  for (const input of inputs) {
    if (!REQUIRED_INPUTS.includes(input.name) && !OPTIONAL_INPUTS.includes(input.name)) {
      fail(`unsupported input '${input.name}' (expected input_ids, attention_mask[, token_type_ids])`);
    }
    if (input.type !== undefined && input.type !== "int64") {
      fail(`input '${input.name}' must be int64, is ${input.type}`);
    }
    if (input.shape !== undefined) {
      if (input.shape.length !== 2)
        fail(`input '${input.name}' must be rank 2 [batch, sequence], has shape [${input.shape.join(", ")}]`);
      const seq = input.shape[1];
      if (typeof seq === "number" && seq > 0) fixedSequenceLength = seq;
    }
  }
  const logits = outputs.find((o) => o.name === OUTPUT);
  if (!logits) fail(`missing output '${OUTPUT}' (model outputs: ${describe(outputs)})`);
  if (logits.type !== undefined && logits.type !== "float32") {
    fail(`output '${OUTPUT}' must be float32, is ${logits.type}`);
  }
  const shape = logits.shape;
  if (shape !== undefined) {
    if (shape.length !== 2)
      fail(`output '${OUTPUT}' must be rank 2 [batch, labels], has shape [${shape.join(", ")}]`);
    const classes = shape[1];
    if (typeof classes === "number" && classes > 0 && classes !== labelCount) {
      fail(`output '${OUTPUT}' has ${classes} classes but config.json id2label names ${labelCount}`);
    }
  }
  return { usesTokenTypeIds: names.includes("token_type_ids"), fixedSequenceLength };
}
