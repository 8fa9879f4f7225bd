// Dynamic batching in the real server: concurrent requests share model runs (the batch-size
// histogram shows batches larger than one), and a text scores the same in a padded batch as
// when it runs alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { metricValue, postJson, startTestRuntime } from "./support/runtime.js";

let runtime: RunningRuntime;

beforeAll(async () => {
  // No cache, so every request reaches the model; a delay wide enough for the burst to gather.
  runtime = await startTestRuntime({
    VIGIL_CACHE_MAX_ENTRIES: "0",
    VIGIL_MAX_BATCH_SIZE: "16",
    VIGIL_MAX_DELAY_MS: "10",
    VIGIL_WORKERS: "1",
  });
});
afterAll(async () => runtime.stop());

// Texts of different lengths, so batches really are padded to their longest member.
const TEXTS = Array.from({ length: 48 }, (_, i) =>
  i % 3 === 0
    ? `message ${i}: you are an idiot`
    : i % 3 === 1
      ? `message ${i}: thank you so much for the help yesterday, it made my week and I am grateful`
      : `nachricht ${i}: ich werde dich finden`,
);

async function batchStats(): Promise<{ count: number; sum: number; single: number }> {
  return {
    count: (await metricValue(runtime, "vigil_batch_size_count")) ?? 0,
    sum: (await metricValue(runtime, "vigil_batch_size_sum")) ?? 0,
    single: (await metricValue(runtime, 'vigil_batch_size_bucket{le="1"}')) ?? 0,
  };
}

describe("dynamic batching", () => {
  it("batches concurrent requests and scores each text as if it ran alone", async () => {
    // Unbatched: one request at a time, each its own model run of one text.
    const alone: Record<string, number>[] = [];
    const beforeAlone = await batchStats();
    for (const text of TEXTS) {
      alone.push((await postJson(runtime, "/v1/classify", { text })).body.results[0].scores);
    }
    const afterAlone = await batchStats();
    expect(afterAlone.count - beforeAlone.count).toBe(TEXTS.length);
    expect(afterAlone.single - beforeAlone.single).toBe(TEXTS.length);

    // Batched: all at once, from concurrent clients.
    const responses = await Promise.all(TEXTS.map((text) => postJson(runtime, "/v1/classify", { text })));
    const afterBurst = await batchStats();
    const batches = afterBurst.count - afterAlone.count;
    const texts = afterBurst.sum - afterAlone.sum;
    expect(texts).toBe(TEXTS.length);
    expect(batches).toBeLessThan(TEXTS.length);
    expect(texts / batches).toBeGreaterThan(1);

    responses.forEach((res, i) => {
      expect(res.status).toBe(200);
      const scores = res.body.results[0].scores as Record<string, number>;
      for (const [label, score] of Object.entries(alone[i]!)) {
        expect(scores[label], `${TEXTS[i]} / ${label}`).toBeCloseTo(score, 5);
      }
    });
  });

  it("runs the texts of one request together", async () => {
    const before = await batchStats();
    const res = await postJson(runtime, "/v1/classify", { texts: TEXTS.slice(0, 8) });
    expect(res.status).toBe(200);
    const after = await batchStats();
    expect(after.count - before.count).toBe(1);
    expect(after.sum - before.sum).toBe(8);
  });
});
