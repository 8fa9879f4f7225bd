// Contract: watch streams. Replay from a resourceVersion, initial ADDED events without one,
// 410 Expired for a compacted resourceVersion, bookmarks, server-side timeouts, label and
// field selectors (objects entering and leaving a selector), and namespace scoping.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiServerEmulator } from "../apiserver/index.js";
import { connect, onRealCluster, type Clients } from "./harness.js";
import { recordWatch } from "./watch-helper.js";

let c: Clients;
let ns: string;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("watch");
});
afterAll(async () => {
  await c?.cluster.close();
});

const cmPath = () => `/api/v1/namespaces/${ns}/configmaps`;

describe("watch", () => {
  it("streams ADDED, MODIFIED and DELETED after the list's resourceVersion, in order", async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: "suite=order" });
    const w = await recordWatch(c.kc, cmPath(), {
      resourceVersion: list.metadata!.resourceVersion,
      labelSelector: "suite=order",
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "w1", labels: { suite: "order" } }, data: { v: "1" } },
    });
    await c.core.patchNamespacedConfigMap({ namespace: ns, name: "w1", body: { data: { v: "2" } } }, merge);
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "w1" });
    const events = await w.waitForEvents(3);
    w.stop();
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    expect(events[0]!.object).toMatchObject({
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "w1", namespace: ns },
    });
    const rvs = events.map((e) => BigInt(e.object.metadata!.resourceVersion!));
    expect(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!).toBe(true);
    expect(BigInt(list.metadata!.resourceVersion!) < rvs[0]!).toBe(true);
  });

  it("replays changes that happened after the given resourceVersion", async () => {
    const before = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: "suite=replay" });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "r1", labels: { suite: "replay" } } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "r2", labels: { suite: "replay" } } },
    });
    const w = await recordWatch(c.kc, cmPath(), {
      resourceVersion: before.metadata!.resourceVersion,
      labelSelector: "suite=replay",
    });
    const events = await w.waitForEvents(2);
    w.stop();
    expect(events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ["ADDED", "r1"],
      ["ADDED", "r2"],
    ]);
  });

  it("starts with ADDED events for existing objects when no resourceVersion is given", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "e1", labels: { suite: "existing" } } },
    });
    const w = await recordWatch(c.kc, cmPath(), { labelSelector: "suite=existing" });
    const events = await w.waitForEvents(1);
    w.stop();
    expect(events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "e1" } } });
  });

  it("answers a too old resourceVersion with an ERROR event carrying 410 Expired, then ends", async () => {
    const w = await recordWatch(c.kc, cmPath(), { resourceVersion: "1" });
    await w.waitForEnd();
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe("ERROR");
    expect(w.events[0]!.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(w.events[0]!.object.message).toMatch(/too old resource version/);
  });

  it("ends at timeoutSeconds; any BOOKMARK carries only the kind and a current resourceVersion", async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const w = await recordWatch(c.kc, cmPath(), {
      resourceVersion: list.metadata!.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: 3,
      labelSelector: "suite=nothing",
    });
    await w.waitForEnd();
    expect(w.ended?.error).toBeNull();
    // Nothing matches the selector, so bookmarks are all there can be.
    expect(w.events.filter((e) => e.type !== "BOOKMARK")).toEqual([]);
    const bookmarks = w.events.filter((e) => e.type === "BOOKMARK");
    // allowWatchBookmarks is a hint: kube-apiserver's watch cache sends them on its own schedule
    // (it may send none in 3 s). The emulator, like the watch cache's pre-timeout bookmark,
    // sends one 2 s before the deadline.
    if (c.cluster.emulator) expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    for (const bookmark of bookmarks) {
      expect(bookmark.object.kind).toBe("ConfigMap");
      expect(
        BigInt(bookmark.object.metadata!.resourceVersion!) >= BigInt(list.metadata!.resourceVersion!),
      ).toBe(true);
    }
  });

  it("turns objects entering and leaving a label selector into ADDED and DELETED", async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const w = await recordWatch(c.kc, cmPath(), {
      resourceVersion: list.metadata!.resourceVersion,
      labelSelector: "stage in (on),suite=sel",
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "s1", labels: { suite: "sel", stage: "off" } } },
    });
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "s1", body: { metadata: { labels: { stage: "on" } } } },
      merge,
    );
    await c.core.patchNamespacedConfigMap({ namespace: ns, name: "s1", body: { data: { a: "1" } } }, merge);
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "s1", body: { metadata: { labels: { stage: "off" } } } },
      merge,
    );
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "s1" });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "s-end", labels: { suite: "sel", stage: "on" } } },
    });
    const events = await w.waitForEvents(4);
    w.stop();
    expect(events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ["ADDED", "s1"],
      ["MODIFIED", "s1"],
      ["DELETED", "s1"],
      ["ADDED", "s-end"],
    ]);
  });

  it("filters by field selector and namespace", async () => {
    const other = await c.cluster.newNamespace("watch-other");
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const w = await recordWatch(c.kc, cmPath(), {
      resourceVersion: list.metadata!.resourceVersion,
      fieldSelector: "metadata.name=target",
    });
    await c.core.createNamespacedConfigMap({ namespace: other, body: { metadata: { name: "target" } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "bystander" } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "target" } } });
    const events = await w.waitForEvents(1);
    w.stop();
    expect(events[0]!.object.metadata).toMatchObject({ name: "target", namespace: ns });
    expect(w.events).toHaveLength(1);
  });

  it.skipIf(onRealCluster)(
    // Emulator only: a real cluster's watch history size cannot be chosen by a test.
    "expires a resourceVersion once more changes than the history holds happened after it",
    async () => {
      const small = await ApiServerEmulator.start({ historyLimit: 5 });
      try {
        const kc = small.kubeConfig();
        const core = kc.makeApiClient(CoreV1Api);
        const first = await core.createNamespacedConfigMap({
          namespace: "default",
          body: { metadata: { name: "h0" } },
        });
        const recent = await recordWatch(kc, "/api/v1/namespaces/default/configmaps", {
          resourceVersion: first.metadata!.resourceVersion,
        });
        for (let i = 1; i <= 6; i++)
          await core.createNamespacedConfigMap({
            namespace: "default",
            body: { metadata: { name: `h${i}` } },
          });
        await recent.waitForEvents(6);
        recent.stop();
        const w = await recordWatch(kc, "/api/v1/namespaces/default/configmaps", {
          resourceVersion: first.metadata!.resourceVersion,
        });
        await w.waitForEnd();
        expect(w.events.map((e) => [e.type, e.object.code, e.object.reason])).toEqual([
          ["ERROR", 410, "Expired"],
        ]);
      } finally {
        await small.close();
      }
    },
  );
});
