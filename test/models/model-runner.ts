import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";

/** Loads a Hugging Face-layout model directory the way the runtime will: tokenizer + ORT session. */
export async function loadModelDirectory(dir: string) {
  const readJson = (name: string) =>
    JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, unknown>;
  const tokenizer = new Tokenizer(readJson("tokenizer.json"), readJson("tokenizer_config.json"));
  const session = await ort.InferenceSession.create(join(dir, "model.onnx"), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return { tokenizer, session, config: readJson("config.json") };
}

/**
 * Right-pads the id sequences with 0 ([PAD]) to `length` (default: the longest) and runs the model.
 * `tokenTypeId` adds a token_type_ids input filled with that segment id.
 */
export async function runLogits(
  session: ort.InferenceSession,
  sequences: number[][],
  options: { length?: number; tokenTypeId?: 0 | 1 } = {},
): Promise<number[][]> {
  const batch = sequences.length;
  const length = options.length ?? Math.max(...sequences.map((s) => s.length));
  const ids = new BigInt64Array(batch * length);
  const mask = new BigInt64Array(batch * length);
  sequences.forEach((sequence, row) =>
    sequence.forEach((id, col) => {
      ids[row * length + col] = BigInt(id);
      mask[row * length + col] = 1n;
    }),
  );
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", ids, [batch, length]),
    attention_mask: new ort.Tensor("int64", mask, [batch, length]),
  };
  if (options.tokenTypeId !== undefined) {
    const segments = new BigInt64Array(batch * length).fill(BigInt(options.tokenTypeId));
    feeds.token_type_ids = new ort.Tensor("int64", segments, [batch, length]);
  }
  const { logits } = await session.run(feeds);
  if (logits === undefined) throw new Error("model has no logits output");
  const [rows, labels] = logits.dims as [number, number];
  const data = logits.data as Float32Array;
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * labels, (r + 1) * labels)));
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
