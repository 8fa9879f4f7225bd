// The operator process dying in the middle of a reconcile (Manager.kill: requests stop, the
// in-flight reconcile is cancelled, a write already sent still lands) and a fresh one taking
// over with empty caches. test/loop/rollout-restart.test.ts covers restarts between rollout
// phases; these crash inside the reconcile that creates the children, and while every status
// write fails. Emulator only (the crash points are made with injected latency and errors).
import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "../apiserver/index.js";
import { startOperator } from "../loop/reconcile-support.js";
import { onEmulator, waitFor } from "../loop/support.js";
import { childrenOf, createService, expectConverged, operatorWriteIn, useResilienceEnv } from "./support.js";

const env = useResilienceEnv();

/** Kills the running operator and starts a fresh one against the same cluster. */
async function crashAndRestart(afterCrash: () => Promise<void> = async () => {}): Promise<void> {
  await env.operator.manager.kill();
  await afterCrash();
  env.operator = await startOperator(env.cluster);
}

describe.skipIf(!onEmulator)("operator crash mid-reconcile", () => {
  it("finishes a half-applied set of children without duplicating any", async () => {
    const namespace = await env.cluster.newNamespace("crash-apply");
    const childWrite = (r: RecordedRequest) => operatorWriteIn(namespace)(r) && !r.subresource;
    // Slow child writes stretch the reconcile that creates them, so the crash lands inside it.
    env.emulator.faults.addLatency(300, childWrite);
    await createService(env.client, namespace);
    await waitFor(() => env.emulator.requests.filter((r) => childWrite(r) && r.status === 201).length >= 2, {
      message: "the first children to be created",
    });
    let survivors: string[] = [];
    await crashAndRestart(async () => {
      // Let the write that was on the wire land, as it would after a real crash.
      await new Promise((resolve) => setTimeout(resolve, 400));
      survivors = await childrenOf(env.client, namespace);
      env.emulator.faults.clear();
    });
    expect(survivors.length).toBeGreaterThan(0);
    expect(survivors.length).toBeLessThan(env.referenceChildren.length);
    await expectConverged(env, namespace);
  });

  it("converges after crashing while every status write failed", async () => {
    const namespace = await env.cluster.newNamespace("crash-status");
    const statusWrite = (r: RecordedRequest) =>
      operatorWriteIn(namespace)(r) && r.subresource === "status" && r.resource === "moderationservices";
    env.emulator.faults.failNext(100_000, { status: 500, match: statusWrite });
    await createService(env.client, namespace);
    await waitFor(() => env.emulator.requests.filter((r) => statusWrite(r) && r.status === 500).length >= 3, {
      message: "three failed status writes",
    });
    await crashAndRestart(async () => env.emulator.faults.clear());
    const { service } = await expectConverged(env, namespace);
    expect(service.status?.rollout).toMatchObject({ phase: "Active" });
  });
});
