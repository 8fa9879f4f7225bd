// The work queue in the running loop: keys, not events. An event storm on one object turns
// into a handful of reconciles that end on the final state; one key is never reconciled
// twice at once; --concurrency bounds reconciles in flight across keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { ConcurrencyProbe, configMap, onEmulator, testClient, testManager, waitFor } from "./support.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.close();
});

describe("work queue under load", () => {
  // The contract, independent of how fast the server is: while an object's reconcile runs,
  // any number of updates to it leave one more reconcile, of the final state. The storm is
  // smaller on a real apiserver (its writes cost far more CPU than the emulator's).
  const updates = onEmulator ? 1000 : 200;
  it(`turns ${updates} updates of one object during its reconcile into one more reconcile, of the final state`, async () => {
    const namespace = await cluster.newNamespace("storm");
    const client = testClient(cluster.kubeConfig);
    await client.create(Kinds.ConfigMap, configMap(namespace, "storm", { n: "0" }));

    const probe = new ConcurrencyProbe();
    const seen: string[] = [];
    let gate: Promise<void> | undefined;
    let openGate = () => {};
    const manager = testManager(cluster.kubeConfig, { namespaces: [namespace], concurrency: 4 });
    manager.add({
      name: "storm",
      for: Kinds.ConfigMap,
      reconcile: (key, ctx) =>
        probe.run(key, async () => {
          if (ctx.name !== "storm") return;
          await gate;
          // Read through the API (not only the cache), as a reconcile doing real work would.
          const live = await ctx.client.get<KubeObject & { data?: { n?: string } }>(
            Kinds.ConfigMap,
            ctx.name,
            ctx.namespace,
          );
          const cached = ctx
            .cache<KubeObject & { data?: { n?: string } }>(Kinds.ConfigMap)
            .get(ctx.name, ctx.namespace);
          seen.push(cached?.data?.n ?? live.data?.n ?? "");
        }),
    });
    await manager.start();
    try {
      await waitFor(() => seen.length >= 1, { message: "initial reconcile" });
      gate = new Promise((resolve) => (openGate = resolve));
      // Four waves of concurrent writers, like several clients fighting over one object.
      const wave = updates / 4;
      for (let w = 0; w < 4; w++) {
        await Promise.all(
          Array.from({ length: wave }, (_, i) =>
            client.patch(
              Kinds.ConfigMap,
              { name: "storm", namespace },
              { data: { n: String(w * wave + i + 1) } },
            ),
          ),
        );
      }
      const final = (
        await client.get<KubeObject & { data?: { n?: string } }>(Kinds.ConfigMap, "storm", namespace)
      ).data?.n;
      // Every update has reached the informer (and so the queue) before the reconcile goes on.
      const informer = manager.informer<KubeObject & { data?: { n?: string } }>(Kinds.ConfigMap);
      await waitFor(() => informer.get("storm", namespace)?.data?.n === final, {
        message: "the informer to see the final state",
        timeoutMs: 60_000,
      });
      await waitFor(() => probe.active === 1, { message: "the reconcile held during the storm" });
      openGate();
      await waitFor(() => seen.at(-1) === final, { message: "a reconcile of the final state" });
      await waitFor(() => probe.active === 0, { message: "reconciles to finish" });
      const reconciles = seen.length - 1;
      expect(reconciles).toBeGreaterThanOrEqual(1);
      expect(reconciles).toBeLessThanOrEqual(2);
      expect(probe.maxPerKey).toBe(1);
    } finally {
      openGate();
      await manager.stop();
    }
  });

  it("never runs more reconciles at once than --concurrency, and reaches that limit", async () => {
    const namespace = await cluster.newNamespace("conc");
    const client = testClient(cluster.kubeConfig);
    const names = Array.from({ length: 12 }, (_, i) => `cm-${i}`);
    for (const name of names) await client.create(Kinds.ConfigMap, configMap(namespace, name));

    const probe = new ConcurrencyProbe();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reconciled = new Set<string>();
    const manager = testManager(cluster.kubeConfig, { namespaces: [namespace], concurrency: 3 });
    manager.add({
      name: "gated",
      for: Kinds.ConfigMap,
      reconcile: (key) =>
        probe.run(key, async () => {
          await gate;
          reconciled.add(key);
        }),
    });
    await manager.start();
    try {
      await waitFor(() => probe.active === 3, { message: "three reconciles in flight" });
      release();
      await waitFor(() => names.every((n) => reconciled.has(`${namespace}/${n}`)), { message: "all keys" });
      expect(probe.max).toBe(3);
      expect(probe.maxPerKey).toBe(1);
    } finally {
      release();
      await manager.stop();
    }
  });

  it("coalesces every change made during a reconcile into exactly one more reconcile, after it ends", async () => {
    const namespace = await cluster.newNamespace("inflight");
    const client = testClient(cluster.kubeConfig);
    await client.create(Kinds.ConfigMap, configMap(namespace, "busy", { v: "a" }));

    const probe = new ConcurrencyProbe();
    const seen: string[] = [];
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const manager = testManager(cluster.kubeConfig, { namespaces: [namespace], concurrency: 4 });
    manager.add({
      name: "busy",
      for: Kinds.ConfigMap,
      reconcile: (key, ctx) =>
        probe.run(key, async () => {
          if (ctx.name !== "busy") return;
          const obj = ctx
            .cache<KubeObject & { data?: { v?: string } }>(Kinds.ConfigMap)
            .get(ctx.name, ctx.namespace);
          seen.push(`start:${obj?.data?.v}`);
          await gate;
          seen.push("end");
        }),
    });
    await manager.start();
    try {
      await waitFor(() => seen.includes("start:a"), { message: "first reconcile running" });
      for (let i = 1; i <= 100; i++) {
        await client.patch(
          Kinds.ConfigMap,
          { name: "busy", namespace },
          { data: { v: i === 100 ? "b" : `a${i}` } },
        );
      }
      const cache = manager.informer<KubeObject & { data?: { v?: string } }>(Kinds.ConfigMap);
      await waitFor(() => cache.get("busy", namespace)?.data?.v === "b", {
        message: "cache has the last update",
      });
      expect(seen).toEqual(["start:a"]);
      const first = release;
      gate = new Promise<void>((resolve) => (release = resolve));
      first();
      await waitFor(() => seen.includes("start:b"), { message: "second reconcile" });
      release();
      await waitFor(() => seen.length === 4);
      expect(seen).toEqual(["start:a", "end", "start:b", "end"]);
      expect(probe.maxPerKey).toBe(1);
    } finally {
      release();
      await manager.stop();
    }
  });
});
