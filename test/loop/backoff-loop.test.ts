// Retry timing in the running loop, driven by an injected clock: a failing key backs off
// exponentially and starts over after a success; requeue-after brings a key back exactly
// when asked. No test here waits for wall-clock time to pass.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../operator/core/clock.js";
import { Kinds } from "../../operator/core/kinds.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { configMap, testClient, testManager, waitFor } from "./support.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.close();
});

describe("per-key backoff and requeue-after", () => {
  it("backs off 100, 200, 400, 800ms on repeated failures, then resets after a success", async () => {
    const namespace = await cluster.newNamespace("backoff");
    await testClient(cluster.kubeConfig).create(Kinds.ConfigMap, configMap(namespace, "flaky"));
    const clock = new ManualClock();
    const attempts: number[] = [];
    // fail, fail, fail, fail, succeed, fail, ...
    const outcomes = [false, false, false, false, true, false];
    const manager = testManager(cluster.kubeConfig, {
      namespaces: [namespace],
      clock,
      queueBackoff: { initialMs: 100, maxMs: 60_000 },
    });
    const controller = manager.add({
      name: "flaky",
      for: Kinds.ConfigMap,
      reconcile: async (_key, ctx) => {
        if (ctx.name !== "flaky") return;
        const ok = outcomes[attempts.length] ?? true;
        attempts.push(clock.now());
        if (!ok) throw new Error(`attempt ${attempts.length} fails`);
      },
    });
    const key = `${namespace}/flaky`;
    /** Advances to just before the retry is due (nothing may be queued) and then onto it. */
    const expectRetryAfter = async (delayMs: number) => {
      const before = attempts.length;
      await waitFor(() => !controller.queue.isProcessing(key), { message: "reconcile finished" });
      clock.advance(delayMs - 1);
      expect(controller.queue.length).toBe(0);
      expect(attempts.length).toBe(before);
      clock.advance(1);
      await waitFor(() => attempts.length === before + 1, { message: `retry after ${delayMs}ms` });
    };

    await manager.start();
    try {
      await waitFor(() => attempts.length === 1, { message: "first attempt" });
      await expectRetryAfter(100);
      await expectRetryAfter(200);
      await expectRetryAfter(400);
      await expectRetryAfter(800); // attempt 5 succeeds: backoff forgotten
      await waitFor(() => controller.queue.numRequeues(key) === 0, { message: "backoff reset" });
      controller.queue.add(key); // a new event; attempt 6 fails again
      await waitFor(() => attempts.length === 6, { message: "attempt after success" });
      await expectRetryAfter(100);
      const start = attempts[0]!;
      expect(attempts.map((t) => t - start)).toEqual([0, 100, 300, 700, 1500, 1500, 1600]);
      const retries = await manager.metrics.queueRetries.get();
      expect(retries.values.find((v) => v.labels.controller === "flaky")?.value).toBe(5);
    } finally {
      await manager.stop();
    }
  });

  it("comes back exactly when requeueAfterMs says, on the injected clock", async () => {
    const namespace = await cluster.newNamespace("requeue");
    await testClient(cluster.kubeConfig).create(Kinds.ConfigMap, configMap(namespace, "timer"));
    const clock = new ManualClock();
    const runs: number[] = [];
    const manager = testManager(cluster.kubeConfig, { namespaces: [namespace], clock });
    const controller = manager.add({
      name: "timer",
      for: Kinds.ConfigMap,
      reconcile: async (_key, ctx) => {
        if (ctx.name !== "timer") return;
        runs.push(clock.now());
        return { requeueAfterMs: 30_000 };
      },
    });
    const key = `${namespace}/timer`;
    await manager.start();
    try {
      await waitFor(() => runs.length === 1 && !controller.queue.isProcessing(key), { message: "first run" });
      clock.advance(29_999);
      expect(controller.queue.length).toBe(0);
      expect(runs).toHaveLength(1);
      clock.advance(1);
      await waitFor(() => runs.length === 2, { message: "requeued run" });
      await waitFor(() => !controller.queue.isProcessing(key));
      clock.advance(30_000);
      await waitFor(() => runs.length === 3, { message: "second requeued run" });
      expect(runs.map((t) => t - runs[0]!)).toEqual([0, 30_000, 60_000]);
      const durations = await manager.metrics.reconcileDuration.get();
      const requeued = durations.values.find(
        (v) =>
          v.metricName?.endsWith("_count") &&
          v.labels.controller === "timer" &&
          v.labels.result === "requeue_after",
      );
      expect(requeued?.value).toBeGreaterThanOrEqual(3);
    } finally {
      await manager.stop();
    }
  });
});
