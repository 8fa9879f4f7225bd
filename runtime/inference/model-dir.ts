// Reads a model directory in the Hugging Face export layout (what `optimum-cli export onnx`
// writes), so real models drop in unchanged:
//   model.onnx | onnx/model.onnx, config.json (id2label, problem_type), tokenizer.json,
//   tokenizer_config.json (optional).
// Only metadata is read here, on the main thread; the workers load the session and tokenizer.
// Every problem is a ModelLoadError naming the file and what is wrong with it.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ModelLoadError } from "../errors.js";

export type Activation = "sigmoid" | "softmax";

export interface ModelDescriptor {
  dir: string;
  name: string;
  version: string;
  modelPath: string;
  tokenizerPath: string;
  tokenizerConfigPath: string | undefined;
  /** Label names by output index. */
  labels: string[];
  problemType: string;
  activation: Activation;
  /** Longer inputs are truncated to this many tokens (special tokens included). */
  maxLength: number;
  /** Set when a requested truncation length had to be lowered to what the model supports. */
  truncationNote?: string;
}

const DEFAULT_MAX_LENGTH = 512;
// tokenizer_config.json uses a huge sentinel (1e30) for "no limit".
const MAX_SANE_LENGTH = 1_000_000;

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new ModelLoadError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new Error("not a JSON object");
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

function labelsFrom(configPath: string, config: Record<string, unknown>): string[] {
  const id2label = config.id2label;
  if (typeof id2label !== "object" || id2label === null || Array.isArray(id2label)) {
    throw new ModelLoadError(`${configPath}: id2label is missing; it names the model's output classes`);
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  if (entries.length === 0) throw new ModelLoadError(`${configPath}: id2label is empty`);
  const labels: string[] = [];
  for (const [id, label] of entries) {
    const index = Number(id);
    if (!Number.isInteger(index) || index < 0 || index >= entries.length) {
      throw new ModelLoadError(`${configPath}: id2label keys must be 0..${entries.length - 1}, got '${id}'`);
    }
    if (typeof label !== "string" || label === "") {
      throw new ModelLoadError(`${configPath}: id2label['${id}'] must be a non-empty string`);
    }
    labels[index] = label;
  }
  if (new Set(labels).size !== labels.length)
    throw new ModelLoadError(`${configPath}: id2label has duplicate labels`);
  return labels;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < MAX_SANE_LENGTH
    ? value
    : undefined;
}

// RoBERTa-family models number positions from padding_idx + 1 (transformers'
// create_position_ids_from_input_ids), so `max_position_embeddings` = 514 holds 512 tokens.
const POSITIONS_AFTER_PADDING = new Set([
  "roberta",
  "xlm-roberta",
  "xlm-roberta-xl",
  "camembert",
  "longformer",
  "data2vec-text",
  "roberta-prelayernorm",
  "xmod",
]);

/** Tokens the position embeddings can take, after the family's offset; Infinity when unknown. */
export function usablePositions(config: Record<string, unknown>): number {
  const positions = positiveInt(config.max_position_embeddings);
  if (positions === undefined) return Infinity;
  const modelType = typeof config.model_type === "string" ? config.model_type : "";
  if (!POSITIONS_AFTER_PADDING.has(modelType)) return positions;
  const padding = typeof config.pad_token_id === "number" ? config.pad_token_id : 1;
  return positions - padding - 1;
}

/** A name usable in URL paths (/v2/models/{name}): the last segment of `_name_or_path`. */
function nameFrom(config: Record<string, unknown>, dir: string): string {
  const raw = typeof config._name_or_path === "string" && config._name_or_path ? config._name_or_path : dir;
  const last = raw.split(/[\\/]/).filter(Boolean).at(-1) ?? "model";
  return last.replace(/[^A-Za-z0-9._-]/g, "-");
}

export interface ModelOverrides {
  name?: string | undefined;
  version: string;
  /** VIGIL_MAX_SEQUENCE_LENGTH: truncate to this many tokens, at most the model's own limit. */
  maxSequenceLength?: number | undefined;
}

export async function loadModelDescriptor(dir: string, overrides: ModelOverrides): Promise<ModelDescriptor> {
  if (!existsSync(dir)) throw new ModelLoadError(`${dir}: model directory does not exist`);
  const modelPath = [path.join(dir, "model.onnx"), path.join(dir, "onnx", "model.onnx")].find((p) =>
    existsSync(p),
  );
  if (!modelPath) throw new ModelLoadError(`${dir}: no model.onnx or onnx/model.onnx`);
  const tokenizerPath = path.join(dir, "tokenizer.json");
  if (!existsSync(tokenizerPath)) {
    throw new ModelLoadError(`${dir}: no tokenizer.json (export the fast tokenizer with the model)`);
  }
  const tokenizerConfigPath = path.join(dir, "tokenizer_config.json");
  const configPath = path.join(dir, "config.json");
  const config = await readJson(configPath);
  const tokenizerConfig = existsSync(tokenizerConfigPath) ? await readJson(tokenizerConfigPath) : {};
  const labels = labelsFrom(configPath, config);
  const problemType =
    typeof config.problem_type === "string" ? config.problem_type : "single_label_classification";
  // config.json's `max_length` is a generation setting, not an input limit: never read it.
  const positionLimit = usablePositions(config);
  const modelLimit = Math.min(positionLimit, positiveInt(tokenizerConfig.model_max_length) ?? Infinity);
  const requested = overrides.maxSequenceLength;
  // Longer inputs than the position embeddings cover would fail inside onnxruntime.
  const maxLength = requested === undefined ? modelLimit : Math.min(requested, positionLimit);
  const truncationNote =
    requested !== undefined && maxLength < requested
      ? `VIGIL_MAX_SEQUENCE_LENGTH=${requested} exceeds the model's ${maxLength} positions; truncating to ${maxLength} tokens`
      : undefined;
  return {
    dir,
    name: overrides.name ?? nameFrom(config, dir),
    version: overrides.version,
    modelPath,
    tokenizerPath,
    tokenizerConfigPath: existsSync(tokenizerConfigPath) ? tokenizerConfigPath : undefined,
    labels,
    problemType,
    activation: problemType === "multi_label_classification" ? "sigmoid" : "softmax",
    maxLength: Number.isFinite(maxLength) ? maxLength : DEFAULT_MAX_LENGTH,
    ...(truncationNote ? { truncationNote } : {}),
  };
}
