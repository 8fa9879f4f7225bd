// The API server failing the operator's writes while it converges a new service: bursts of
// 500/503, the apiserver's own 504 Timeout, 429 with Retry-After, and every request slowed
// down. Each run must end exactly where a fault-free run ends (test/resilience/support.ts).
// Emulator only: a real apiserver cannot be made to fail on demand.
import { describe, expect, it } from "vitest";
import { onEmulator } from "../loop/support.js";
import { createService, expectConverged, operatorWriteIn, useResilienceEnv } from "./support.js";

const env = useResilienceEnv();

describe.skipIf(!onEmulator)("API errors during reconcile", () => {
  it("converges through a burst of 500s and 503s on its child and status writes", async () => {
    const namespace = await env.cluster.newNamespace("errors-5xx");
    const match = operatorWriteIn(namespace);
    env.emulator.faults.failNext(4, { status: 500, match });
    env.emulator.faults.failNext(4, { status: 503, match });
    await createService(env.client, namespace);
    const { requests } = await expectConverged(env, namespace);
    const failed = requests.filter((r) => match(r) && r.status >= 500);
    expect(failed.map((r) => r.status).sort()).toEqual([500, 500, 500, 500, 503, 503, 503, 503]);
  });

  it("converges when the apiserver times requests out (504)", async () => {
    const namespace = await env.cluster.newNamespace("errors-504");
    const match = operatorWriteIn(namespace);
    env.emulator.faults.failNext(6, { status: 504, match });
    await createService(env.client, namespace);
    const { requests } = await expectConverged(env, namespace);
    expect(requests.filter((r) => match(r) && r.status === 504)).toHaveLength(6);
  });

  // Retry-After sets the earliest retry of the refused key, but a watch event for the key
  // (here the Policy's status, written meanwhile) queues it again at once, as in
  // controller-runtime, so the test asserts convergence, not the wait.
  it("converges through 429 Too Many Requests with Retry-After", async () => {
    const namespace = await env.cluster.newNamespace("errors-429");
    const match = operatorWriteIn(namespace);
    env.emulator.faults.failNext(3, { status: 429, retryAfterSeconds: 1, match });
    await createService(env.client, namespace);
    const { requests } = await expectConverged(env, namespace);
    expect(requests.filter((r) => match(r) && r.status === 429)).toHaveLength(3);
  });

  it("converges with every request in its namespace slowed to 150 ms", async () => {
    const namespace = await env.cluster.newNamespace("errors-slow");
    env.emulator.faults.addLatency(150, (r) => r.namespace === namespace);
    // From before the service exists, so no child write can start before the clock does.
    const startedAt = Date.now();
    await createService(env.client, namespace);
    const { requests } = await expectConverged(env, namespace);
    // The children are applied one after another within a reconcile, and one key is never
    // reconciled twice at once: each child write took its 150 ms in turn.
    const childWrites = requests.filter((r) => operatorWriteIn(namespace)(r) && !r.subresource).length;
    expect(childWrites).toBeGreaterThanOrEqual(4);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(childWrites * 150);
  });
});
