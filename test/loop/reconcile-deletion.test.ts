// Deleting a ModerationService: every child goes with it through its ownerReference (the
// emulator's garbage collector is on, as a real cluster's always is); the operator holds no
// finalizer, so nothing can keep the service stuck in Terminating. The statuses derived from
// it (Policy usedBy, ModelDeployment phase) drop it.
import { describe, expect, it } from "vitest";
import { Kinds, type ResourceKind } from "../../operator/core/kinds.js";

import {
  convergedSamples,
  readOptional,
  waitForCondition,
  type WithStatus,
  useOperatorCluster,
} from "./reconcile-support.js";
import { testClient, waitFor } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const CHILD_KINDS: ResourceKind[] = [
  Kinds.Deployment,
  Kinds.Service,
  Kinds.ConfigMap,
  Kinds.ServiceAccount,
  Kinds.NetworkPolicy,
  Kinds.PodDisruptionBudget,
  Kinds.HorizontalPodAutoscaler,
];

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

async function children(namespace: string): Promise<string[]> {
  const names: string[] = [];
  for (const kind of CHILD_KINDS) {
    const list = await client().listAll(kind, {
      namespace,
      labelSelector: "app.kubernetes.io/instance=comments",
    });
    names.push(...list.items.map((item) => `${kind.kind}/${item.metadata?.name}`));
  }
  return names.sort();
}

describe("ModerationService deletion", () => {
  it("garbage-collects every child and drops the service from the derived statuses", async () => {
    const namespace = await env.cluster.newNamespace("delete");
    await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
    const before = await children(namespace);
    expect(before).toHaveLength(7);
    const service = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
    expect(service.metadata?.finalizers ?? []).toEqual([]);
    await waitFor(async () => {
      const policy = await client().get<WithStatus>(Kinds.Policy, "comments", namespace);
      return (policy.status?.usedBy as string[] | undefined)?.includes("comments");
    });

    await client().delete(Kinds.ModerationService, "comments", namespace);
    await waitFor(
      async () =>
        (await readOptional(client(), Kinds.ModerationService, namespace, "comments")) === undefined,
      {
        message: "the ModerationService to be gone",
      },
    );
    await waitFor(async () => (await children(namespace)).length === 0, {
      message: "the children to be garbage-collected",
      timeoutMs: 30_000,
    });

    await waitFor(
      async () => {
        const policy = await client().get<WithStatus>(Kinds.Policy, "comments", namespace);
        return policy.status?.usedBy === undefined;
      },
      { message: "Policy usedBy to drop the service" },
    );
    const model = await waitForCondition(client(), Kinds.ModelDeployment, namespace, "toxicity", {
      type: "Ready",
      status: "False",
      reason: "NotReferenced",
    });
    expect(model.status?.phase).toBe("Pending");
    expect(model.status?.activeRevision).toBeUndefined();
  });
});
