// The operator's watches failing: a connection that keeps dropping while a service converges,
// and an outage during which the spec changes and a child is deleted, after which the history
// it would resume from is gone (410 Gone), so only a relist shows what happened.
// Emulator only: a real apiserver cannot be made to drop watches or answer 410 on demand.
import { describe, expect, it } from "vitest";
import { Kinds } from "../../operator/core/kinds.js";
import type { OperatorUnderTest } from "../loop/reconcile-support.js";
import { onEmulator } from "../loop/support.js";
import { createService, expectConverged, SERVICE, useResilienceEnv } from "./support.js";

const env = useResilienceEnv();

const informerRestarts = async (operator: OperatorUnderTest) =>
  (await operator.manager.metrics.informerRestarts.get()).values.reduce((sum, v) => sum + v.value, 0);

describe.skipIf(!onEmulator)("watch outages", () => {
  it("converges while its watch connections drop every 100 ms", async () => {
    const namespace = await env.cluster.newNamespace("watch-flap");
    const dropped: number[] = [];
    const flapping = setInterval(() => dropped.push(env.emulator.faults.dropWatches()), 100);
    try {
      await createService(env.client, namespace);
      await expectConverged(env, namespace);
    } finally {
      clearInterval(flapping);
    }
    expect(dropped.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("acts on a spec change and a deleted child it missed, after relisting on 410 Gone", async () => {
    const namespace = await env.cluster.newNamespace("watch-gone");
    await createService(env.client, namespace);
    const before = await expectConverged(env, namespace);
    const restartsBefore = await informerRestarts(env.operator);

    // Every watch fails from now on and the open ones end: the operator sees nothing of what follows.
    env.emulator.faults.failNext(100_000, { status: 500, match: (r) => r.verb === "watch" });
    env.emulator.faults.dropWatches();
    const changed = await env.client.patch(
      Kinds.ModerationService,
      { name: SERVICE, namespace },
      { spec: { replicas: 3 } },
    );
    await env.client.delete(Kinds.Service, SERVICE, namespace);
    env.emulator.compactHistory();
    env.emulator.faults.clear();

    const { service, requests } = await expectConverged(env, namespace);
    expect(service.metadata?.generation).toBe(changed.metadata?.generation);
    expect(service.metadata?.generation).toBeGreaterThan(before.service.metadata?.generation ?? 0);
    expect(service.status?.readyReplicas).toBe(3);
    // Nothing but a relist could have shown the operator these changes: its resume failed.
    expect(requests.some((r) => r.verb === "list" && r.resource === "moderationservices")).toBe(true);
    expect(await informerRestarts(env.operator)).toBeGreaterThan(restartsBefore);
  });
});
