// Emulator only (fault injection and request recording exist only in the emulator):
// injected 500/429/409 failures, latency, dropped and stalled watches, and the request log.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServerEmulator } from "../apiserver/index.js";
import { connect, expectStatus, onRealCluster, type Clients } from "./harness.js";
import { recordWatch } from "./watch-helper.js";

let c: Clients;
let ns: string;
let emulator: ApiServerEmulator;

describe.skipIf(onRealCluster)("fault injection (emulator only)", () => {
  beforeAll(async () => {
    c = await connect();
    emulator = c.cluster.emulator!;
    ns = await c.cluster.newNamespace("faults");
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "target" }, data: { v: "0" } },
    });
  });
  afterAll(async () => {
    await c?.cluster.close();
  });

  it("fails the next N requests with 500 InternalError, then serves again", async () => {
    emulator.faults.failNext(2, { status: 500 });
    const status = await expectStatus(
      c.core.readNamespacedConfigMap({ namespace: ns, name: "target" }),
      500,
      "InternalError",
    );
    expect(status.message).toContain("Internal error occurred");
    await expectStatus(
      c.core.readNamespacedConfigMap({ namespace: ns, name: "target" }),
      500,
      "InternalError",
    );
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: "target" })).data).toEqual({
      v: "0",
    });
  });

  it("answers 429 with Retry-After", async () => {
    emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 3 });
    let headers: Record<string, string> | undefined;
    try {
      await c.core.readNamespacedConfigMap({ namespace: ns, name: "target" });
    } catch (err) {
      headers = (err as { headers: Record<string, string> }).headers;
    }
    expect(headers?.["retry-after"]).toBe("3");
    emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const status = await expectStatus(
      c.core.readNamespacedConfigMap({ namespace: ns, name: "target" }),
      429,
      "TooManyRequests",
    );
    expect(status.details?.retryAfterSeconds).toBe(3);
  });

  it("fails only matching requests, e.g. updates with 409", async () => {
    emulator.faults.failNext(1, { status: 409, match: (r) => r.verb === "patch" && r.name === "target" });
    await c.core.readNamespacedConfigMap({ namespace: ns, name: "target" });
    await expectStatus(
      c.core.patchNamespacedConfigMap(
        { namespace: ns, name: "target", body: { data: { v: "1" } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
      409,
      "Conflict",
    );
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: "target" })).data).toEqual({
      v: "0",
    });
  });

  it("delays matching requests", async () => {
    emulator.faults.addLatency(150, (r) => r.verb === "get");
    const started = Date.now();
    await c.core.readNamespacedConfigMap({ namespace: ns, name: "target" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    emulator.faults.clear();
  });

  it("drops open watches: the stream ends cleanly", async () => {
    const w = await recordWatch(c.kc, `/api/v1/namespaces/${ns}/configmaps`, {
      resourceVersion: String(emulator.resourceVersion),
    });
    expect(emulator.faults.dropWatches((r) => r.namespace === ns)).toBe(1);
    await w.waitForEnd();
    expect(w.ended?.error).toBeNull();
  });

  it("stalls watches: connected, but nothing is delivered", async () => {
    const rv = String(emulator.resourceVersion);
    const stalled = await recordWatch(c.kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv });
    emulator.faults.stallWatches();
    emulator.faults.clear();
    const healthy = await recordWatch(c.kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "during-stall" } } });
    // Events reach every stream at once; once the healthy one has it, the stalled one would too.
    await healthy.waitForEvents(1);
    expect(stalled.events).toEqual([]);
    expect(stalled.ended).toBeUndefined();
    stalled.stop();
    healthy.stop();
  });

  it("records requests with verb, resource, namespace, name, status and content type", async () => {
    emulator.resetRequests();
    await c.core.readNamespacedConfigMap({ namespace: ns, name: "target" });
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "target", body: { data: { v: "2" } }, fieldManager: "recorder" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await expectStatus(c.core.readNamespacedConfigMap({ namespace: ns, name: "absent" }), 404);
    expect(emulator.requests).toEqual([
      expect.objectContaining({
        verb: "get",
        method: "GET",
        resource: "configmaps",
        namespace: ns,
        name: "target",
        status: 200,
      }),
      expect.objectContaining({
        verb: "patch",
        resource: "configmaps",
        name: "target",
        status: 200,
        contentType: "application/merge-patch+json",
        fieldManager: "recorder",
      }),
      expect.objectContaining({ verb: "get", name: "absent", status: 404 }),
    ]);
    expect(emulator.writes()).toHaveLength(1);
    emulator.resetRequests();
    expect(emulator.requests).toHaveLength(0);
  });
});
