// The physical limit: onnxruntime-node session.run on pre-tokenised batches, in this process,
// with the same session options and thread count as the server's single worker. No HTTP, no
// batching logic, no tokenisation in the timed loop. Each batch runs twice over: padded to its
// longest text in one run, and cut into length buckets as the server's worker does. Beside
// throughput it records this process's CPU time per text, the floor the server's CPU time per
// text is compared with: nothing else runs in this process while it measures.
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
  /** CPU time (all threads) per 1000 texts, bucketed as the server runs them. */
  cpuSecondsPer1000Texts: number;
}

type Feed = Record<string, ort.Tensor>;

async function runBatches(
  session: ort.InferenceSession,
  batches: Feed[][],
  batchSize: number,
  seconds: number,
): Promise<{ textsPerSecond: number; cpuSecondsPer1000Texts: number }> {
  for (const runs of batches) for (const feed of runs) await session.run(feed);
  let done = 0;
  // process.cpuUsage counts every thread of the process, onnxruntime's intra-op pool included.
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const feed of batches[done % batches.length]!) await session.run(feed);
    done++;
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const texts = done * batchSize;
  return {
    textsPerSecond: (texts * 1000) / elapsedMs,
    cpuSecondsPer1000Texts: ((cpu.user + cpu.system) / 1e6 / texts) * 1000,
  };
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
    const paddedRun = await runBatches(session, padded, batchSize, seconds / 2);
    const bucketedRun = await runBatches(session, bucketed, batchSize, seconds / 2);
    results.push({
      batchSize,
      paddedTextsPerSecond: paddedRun.textsPerSecond,
      bucketedTextsPerSecond: bucketedRun.textsPerSecond,
      textsPerSecond: Math.max(paddedRun.textsPerSecond, bucketedRun.textsPerSecond),
      cpuSecondsPer1000Texts: bucketedRun.cpuSecondsPer1000Texts,
    });
  }
  await session.release();
  return results;
}
