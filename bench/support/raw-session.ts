// The physical limit: onnxruntime-node session.run on pre-tokenised batches, in this process,
// with the same session options and thread count as the server's single worker. No HTTP, no
// batching logic, no tokenisation in the timed loop. Each batch runs twice over: padded to its
// longest text in one run, and cut into length buckets as the server's worker does.
import { readFileSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { loadModelDescriptor } from "../../runtime/inference/model-dir.js";
import { createSession } from "../../runtime/inference/session.js";
import { planLengthBuckets } from "../../runtime/inference/length-buckets.js";
import { BatchTokenizer, type TokenizedText } from "../../runtime/inference/tokenizer.js";
import { BENCH_TEXTS } from "./texts.js";

export interface RawResult {
  batchSize: number;
  /** One session.run per batch, padded to its longest text. */
  paddedTextsPerSecond: number;
  /** The batch cut into length buckets (planLengthBuckets), one run per bucket. */
  bucketedTextsPerSecond: number;
  /** Best of the two: the limit for this batch size. */
  textsPerSecond: number;
}

type Feed = Record<string, ort.Tensor>;

async function textsPerSecond(
  session: ort.InferenceSession,
  batches: Feed[][],
  batchSize: number,
  seconds: number,
): Promise<number> {
  for (const runs of batches) for (const feed of runs) await session.run(feed);
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const feed of batches[done % batches.length]!) await session.run(feed);
    done++;
  }
  return (done * batchSize * 1000) / (performance.now() - started);
}

export async function measureRawSessionRun(
  modelDir: string,
  batchSizes: number[],
  seconds: number,
  intraOpThreads: number,
): Promise<RawResult[]> {
  const model = await loadModelDescriptor(modelDir, { version: "bench" });
  const { session } = await createSession(model.modelPath, "cpu", intraOpThreads);
  const usesTokenTypeIds = session.inputNames.includes("token_type_ids");
  const read = (file: string) =>
    JSON.parse(readFileSync(path.join(modelDir, file), "utf8")) as Record<string, unknown>;
  const tokenizer = new BatchTokenizer(read("tokenizer.json"), read("tokenizer_config.json"), {
    maxLength: model.maxLength,
    withTokenTypeIds: usesTokenTypeIds,
  });
  const feedOf = (rows: TokenizedText[]): Feed => {
    const batch = tokenizer.pack(rows);
    const dims = [batch.batchSize, batch.sequenceLength];
    const feed: Feed = {
      input_ids: new ort.Tensor("int64", batch.inputIds, dims),
      attention_mask: new ort.Tensor("int64", batch.attentionMask, dims),
    };
    if (batch.tokenTypeIds) feed.token_type_ids = new ort.Tensor("int64", batch.tokenTypeIds, dims);
    return feed;
  };
  const results: RawResult[] = [];
  for (const batchSize of batchSizes) {
    // Eight different batches of the text mix the server sees.
    const rowsOfBatches = Array.from({ length: 8 }, (_, k) =>
      Array.from({ length: batchSize }, (_, i) =>
        tokenizer.tokenize(BENCH_TEXTS[(k * batchSize + i) % BENCH_TEXTS.length]!),
      ),
    );
    const padded = rowsOfBatches.map((rows) => [feedOf(rows)]);
    const bucketed = rowsOfBatches.map((rows) =>
      planLengthBuckets(rows.map((r) => r.ids.length)).map((bucket) => feedOf(bucket.map((i) => rows[i]!))),
    );
    const paddedTextsPerSecond = await textsPerSecond(session, padded, batchSize, seconds / 2);
    const bucketedTextsPerSecond = await textsPerSecond(session, bucketed, batchSize, seconds / 2);
    results.push({
      batchSize,
      paddedTextsPerSecond,
      bucketedTextsPerSecond,
      textsPerSecond: Math.max(paddedTextsPerSecond, bucketedTextsPerSecond),
    });
  }
  await session.release();
  return results;
}
