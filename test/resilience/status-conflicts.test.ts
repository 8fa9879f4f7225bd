// Status writes losing the optimistic-lock race (409 Conflict) on every kind the operator
// writes status for, and a spec that keeps changing while the service converges. Whatever
// the race costs, the status must end up describing the last spec and what exists.
// Emulator only (injected conflicts).
import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "../apiserver/index.js";
import { Kinds } from "../../operator/core/kinds.js";
import { conditionOf, waitForCondition } from "../loop/reconcile-support.js";
import { onEmulator } from "../loop/support.js";
import { createService, expectConverged, SERVICE, useResilienceEnv } from "./support.js";

const env = useResilienceEnv();

describe.skipIf(!onEmulator)("conflicts on status writes", () => {
  it("recomputes and writes the status of the service, its Policy and its ModelDeployment after 409s", async () => {
    const namespace = await env.cluster.newNamespace("conflict-status");
    const statusWrite = (resource: string) => (r: RecordedRequest) =>
      r.namespace === namespace && r.resource === resource && r.subresource === "status";
    for (const resource of ["moderationservices", "policies", "modeldeployments"]) {
      env.emulator.faults.failNext(3, { status: 409, match: statusWrite(resource) });
    }
    await createService(env.client, namespace);
    const { service, requests } = await expectConverged(env, namespace);
    for (const resource of ["moderationservices", "policies", "modeldeployments"]) {
      const conflicts = requests.filter((r) => statusWrite(resource)(r) && r.status === 409);
      expect(conflicts.length, resource).toBeGreaterThanOrEqual(3);
    }
    const policy = await waitForCondition(env.client, Kinds.Policy, namespace, "policy", {
      type: "Valid",
      status: "True",
    });
    expect(policy.status?.usedBy).toEqual([SERVICE]);
    const model = await waitForCondition(env.client, Kinds.ModelDeployment, namespace, "model", {
      type: "Ready",
      status: "True",
    });
    const rollout = service.status?.rollout as { activeRevision?: string } | undefined;
    expect(model.status).toMatchObject({
      phase: "Active",
      activeRevision: { hash: rollout?.activeRevision },
    });
  });

  it("ends on the last of a run of spec changes made while it converges", async () => {
    const namespace = await env.cluster.newNamespace("conflict-spec");
    await createService(env.client, namespace);
    // Each change bumps the generation under the operator's feet: its status writes, computed
    // from the previous object, race these updates.
    let last;
    for (const replicas of [2, 4, 1, 3, 2]) {
      last = await env.client.patch(
        Kinds.ModerationService,
        { name: SERVICE, namespace },
        { spec: { replicas } },
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const { service } = await expectConverged(env, namespace);
    expect(service.metadata?.generation).toBe(last?.metadata?.generation);
    expect(service.status?.readyReplicas).toBe(2);
    expect(conditionOf(service, "Ready")?.observedGeneration).toBe(last?.metadata?.generation);
  });
});
