import { describe, expect, it } from "vitest";
import { QueueFullError } from "../../runtime/errors.js";
import { Batcher } from "../../runtime/inference/batcher.js";
import { waitFor } from "../harness/index.js";

/** A runner whose batches finish only when the test releases them. */
function controlledRunner() {
  const batches: { items: number[]; release(): void; fail(e: Error): void }[] = [];
  const run = (items: number[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      batches.push({ items, release: () => resolve(items.map((i) => `out-${i}`)), fail: reject });
    });
  return { batches, run };
}

describe("Batcher", () => {
  it("groups items that arrive while the runner is busy, up to maxBatchSize", async () => {
    const runner = controlledRunner();
    const sizes: number[] = [];
    const batcher = new Batcher<number, string>({
      maxBatchSize: 4,
      maxDelayMs: 0,
      maxQueue: 100,
      concurrency: 1,
      run: runner.run,
      onBatch: (n) => sizes.push(n),
    });
    const first = batcher.submit(0);
    await waitFor("the first batch", async () => runner.batches.length === 1);
    const rest = Array.from({ length: 9 }, (_, i) => batcher.submit(i + 1));
    expect(batcher.depth).toBe(9);
    // Only one batch in flight (concurrency 1) until it is released.
    expect(runner.batches).toHaveLength(1);
    runner.batches[0]!.release();
    await expect(first).resolves.toBe("out-0");
    await waitFor("the second batch", async () => runner.batches.length === 2);
    expect(runner.batches[1]!.items).toEqual([1, 2, 3, 4]);
    runner.batches[1]!.release();
    await waitFor("the third batch", async () => runner.batches.length === 3);
    expect(runner.batches[2]!.items).toEqual([5, 6, 7, 8]);
    runner.batches[2]!.release();
    await waitFor("the fourth batch", async () => runner.batches.length === 4);
    runner.batches[3]!.release();
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 9 }, (_, i) => `out-${i + 1}`));
    expect(sizes).toEqual([1, 4, 4, 1]);
  });

  it("sends a full batch at once without waiting for maxDelayMs", async () => {
    const runner = controlledRunner();
    const batcher = new Batcher<number, string>({
      maxBatchSize: 3,
      maxDelayMs: 60_000,
      maxQueue: 100,
      concurrency: 1,
      run: runner.run,
    });
    const outputs = [1, 2, 3].map((i) => batcher.submit(i));
    await waitFor("a full batch", async () => runner.batches.length === 1);
    expect(runner.batches[0]!.items).toEqual([1, 2, 3]);
    runner.batches[0]!.release();
    expect(await Promise.all(outputs)).toEqual(["out-1", "out-2", "out-3"]);
  });

  it("sends a partial batch once the oldest item has waited maxDelayMs", async () => {
    const runner = controlledRunner();
    const batcher = new Batcher<number, string>({
      maxBatchSize: 32,
      maxDelayMs: 20,
      maxQueue: 100,
      concurrency: 1,
      run: runner.run,
    });
    const outputs = [batcher.submit(1), batcher.submit(2)];
    expect(runner.batches).toHaveLength(0);
    await waitFor("the delayed batch", async () => runner.batches.length === 1);
    expect(runner.batches[0]!.items).toEqual([1, 2]);
    runner.batches[0]!.release();
    expect(await Promise.all(outputs)).toEqual(["out-1", "out-2"]);
  });

  it("runs up to `concurrency` batches at once", async () => {
    const runner = controlledRunner();
    const batcher = new Batcher<number, string>({
      maxBatchSize: 2,
      maxDelayMs: 0,
      maxQueue: 100,
      concurrency: 2,
      run: runner.run,
    });
    const outputs = [1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    await waitFor("two batches in flight", async () => runner.batches.length === 2);
    expect(batcher.depth).toBeGreaterThan(0);
    runner.batches.forEach((b) => b.release());
    await waitFor("all batches", async () => {
      runner.batches.forEach((b) => b.release());
      return batcher.depth === 0;
    });
    runner.batches.forEach((b) => b.release());
    expect(await Promise.all(outputs)).toEqual(["out-1", "out-2", "out-3", "out-4", "out-5"]);
  });

  it("rejects with QueueFullError beyond maxQueue and counts the rejection", async () => {
    const runner = controlledRunner();
    let rejections = 0;
    const batcher = new Batcher<number, string>({
      maxBatchSize: 1,
      maxDelayMs: 0,
      maxQueue: 2,
      concurrency: 1,
      run: runner.run,
      onRejected: () => rejections++,
    });
    const inFlight = batcher.submit(0);
    await waitFor("the first batch", async () => runner.batches.length === 1);
    const queued = [batcher.submit(1), batcher.submit(2)];
    const error = await batcher.submit(3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ statusCode: 503, code: "queue_full", retryAfterSeconds: 1 });
    expect(rejections).toBe(1);
    await waitFor("everything", async () => {
      runner.batches.forEach((b) => b.release());
      return batcher.depth === 0 && runner.batches.length === 3;
    });
    runner.batches.forEach((b) => b.release());
    expect(await Promise.all([inFlight, ...queued])).toEqual(["out-0", "out-1", "out-2"]);
  });

  it("fails only the item the model cannot take, not the ones batched with it, and keeps serving", async () => {
    const runs: number[][] = [];
    const batcher = new Batcher<number, string>({
      maxBatchSize: 8,
      maxDelayMs: 5,
      maxQueue: 20,
      concurrency: 1,
      run: async (items) => {
        runs.push(items);
        if (items.includes(5)) throw new Error("session.run failed");
        return items.map((i) => `out-${i}`);
      },
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7, 8].map((i) => batcher.submit(i)));
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect((outcomes[4] as PromiseRejectedResult).reason).toEqual(new Error("session.run failed"));
    expect((outcomes[0] as PromiseFulfilledResult<string>).value).toBe("out-1");
    // Bisection, not one run per item: the whole batch, then halves down to the culprit.
    expect(runs.length).toBeLessThan(8);
    await expect(batcher.submit(9)).resolves.toBe("out-9");
  });

  it("fails every item when each one fails on its own", async () => {
    const batcher = new Batcher<number, string>({
      maxBatchSize: 4,
      maxDelayMs: 5,
      maxQueue: 10,
      concurrency: 1,
      run: async () => {
        throw new Error("session.run failed");
      },
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
  });

  it("rejects a runner that returns the wrong number of outputs", async () => {
    const batcher = new Batcher<number, string>({
      maxBatchSize: 2,
      maxDelayMs: 60_000,
      maxQueue: 10,
      concurrency: 1,
      run: async () => ["only one"],
    });
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow(
      "batch runner returned 1 outputs for 2 items",
    );
  });

  it("drain() waits for queued and running batches", async () => {
    const runner = controlledRunner();
    const batcher = new Batcher<number, string>({
      maxBatchSize: 1,
      maxDelayMs: 0,
      maxQueue: 10,
      concurrency: 1,
      run: runner.run,
    });
    const outputs = [batcher.submit(1), batcher.submit(2)];
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    await waitFor("the first batch", async () => runner.batches.length === 1);
    runner.batches[0]!.release();
    await waitFor("the second batch", async () => runner.batches.length === 2);
    expect(drained).toBe(false);
    runner.batches[1]!.release();
    await draining;
    expect(await Promise.all(outputs)).toEqual(["out-1", "out-2"]);
  });
});
