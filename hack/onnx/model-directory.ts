import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a Hugging Face-layout model directory (model.onnx, config.json, tokenizer.json,
 * tokenizer_config.json, ...). JSON is written with a fixed indent and trailing newline so
 * regenerating unchanged content gives byte-identical files and readable diffs.
 */

export interface ClassifierConfigOptions {
  nameOrPath: string;
  architecture: string;
  modelType: string;
  labels: readonly string[];
  maxPositionEmbeddings: number;
  vocabSize: number;
  hiddenSize: number;
  /** Further config.json keys (e.g. num_hidden_layers), written after the standard ones. */
  extra?: Record<string, unknown>;
}

/** config.json as `transformers` writes it for a multi-label sequence classifier. */
export function buildClassifierConfig(options: ClassifierConfigOptions): Record<string, unknown> {
  return {
    _name_or_path: options.nameOrPath,
    architectures: [options.architecture],
    model_type: options.modelType,
    problem_type: "multi_label_classification",
    id2label: Object.fromEntries(options.labels.map((label, id) => [String(id), label])),
    label2id: Object.fromEntries(options.labels.map((label, id) => [label, id])),
    max_position_embeddings: options.maxPositionEmbeddings,
    vocab_size: options.vocabSize,
    hidden_size: options.hiddenSize,
    pad_token_id: 0,
    torch_dtype: "float32",
    ...options.extra,
  };
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes each file (bytes as-is, strings as UTF-8) into `dir`, creating it if needed. */
export function writeModelDirectory(dir: string, files: Record<string, Uint8Array | string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}
