// The ModerationService reconciler end to end, with the operator's real controllers in a
// Manager against the API emulator (or VIGIL_TEST_KUBECONFIG's cluster): the shipped samples
// become owned children, simulated ready pods make the service Ready for its generation, a
// second reconcile writes nothing, and an object the operator did not create is left alone
// and reported.
import { describe, expect, it } from "vitest";
import type { LiveDeployment } from "../../operator/controllers/live-objects.js";
import { Kinds, type ResourceKind } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";

import {
  applySamples,
  conditionOf,
  readOptional,
  waitForCondition,
  waitForRevision,
  writesOfAnotherReconcile,
  type WithStatus,
  useOperatorCluster,
} from "./reconcile-support.js";
import { canSimulateWorkloads, configMap, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

const waitForDeployment = (namespace: string, service: string) =>
  waitForRevision(client(), namespace, service);

const CHILDREN: [ResourceKind, string][] = [
  [Kinds.ServiceAccount, "comments"],
  [Kinds.NetworkPolicy, "comments"],
  [Kinds.ConfigMap, "comments-policy"],
  [Kinds.Service, "comments"],
  [Kinds.Service, "comments-preview"],
  [Kinds.PodDisruptionBudget, "comments"],
];

describe("ModerationService reconciliation", () => {
  it("turns the three samples into children owned by the ModerationService", async () => {
    const namespace = await env.cluster.newNamespace("samples");
    await applySamples(client(), namespace, SAMPLES);
    const deployment = await waitForDeployment(namespace, "comments");
    const service = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
    const owner = {
      apiVersion: "moderation.vigil.dev/v1alpha1",
      kind: "ModerationService",
      name: "comments",
      uid: service.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    const children: KubeObject[] = [deployment];
    for (const [kind, name] of CHILDREN) {
      children.push(
        await waitFor(() => readOptional(client(), kind, namespace, name), {
          message: `${kind.kind} ${name}`,
        }),
      );
    }
    for (const child of children) expect(child.metadata?.ownerReferences).toEqual([owner]);
    expect(deployment.metadata?.name).toMatch(/^comments-[0-9a-f]{10}$/);
    expect((deployment as LiveDeployment).spec?.replicas).toBe(2);
    // replicas without autoscaling: no HPA; no VPA asked for.
    expect(
      await readOptional(client(), Kinds.HorizontalPodAutoscaler, namespace, "comments"),
    ).toBeUndefined();

    const status = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Ready",
      status: "False",
      reason: "Rolling",
    });
    expect(status.status).toMatchObject({
      observedGeneration: service.metadata?.generation,
      endpoint: `http://comments.${namespace}.svc.cluster.local:8080`,
      activeRevision: { name: deployment.metadata?.name, modelVersion: "1.0.0" },
    });
    expect(conditionOf(status, "Progressing")).toMatchObject({ status: "True", reason: "Rolling" });
    expect(conditionOf(status, "Degraded")).toMatchObject({ status: "False" });
  });

  it.skipIf(!canSimulateWorkloads)(
    "reports Ready=True for the current generation once the pods are ready (pods are simulated)",
    async () => {
      const namespace = await env.cluster.newNamespace("ready");
      await applySamples(client(), namespace, SAMPLES);
      const deployment = await waitForDeployment(namespace, "comments");
      await workloadsOf(env.cluster).setDeploymentReady(namespace, deployment.metadata!.name!);
      const service = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
        type: "Ready",
        status: "True",
        reason: "Serving",
      });
      const generation = service.metadata?.generation;
      expect(service.status?.observedGeneration).toBe(generation);
      for (const type of ["Ready", "Progressing", "Degraded"]) {
        expect(conditionOf(service, type)?.observedGeneration).toBe(generation);
      }
      expect(service.status).toMatchObject({
        replicas: 2,
        readyReplicas: 2,
        selector: `app.kubernetes.io/name=vigil-runtime,app.kubernetes.io/instance=comments,moderation.vigil.dev/revision=${deployment.metadata?.labels?.["moderation.vigil.dev/revision"]}`,
      });

      const model = await waitForCondition(client(), Kinds.ModelDeployment, namespace, "toxicity", {
        type: "Ready",
        status: "True",
      });
      expect(model.status).toMatchObject({
        phase: "Active",
        activeRevision: {
          hash: deployment.metadata?.labels?.["moderation.vigil.dev/revision"],
          version: "1.0.0",
        },
      });
      const policy = await waitForCondition(client(), Kinds.Policy, namespace, "comments", {
        type: "Valid",
        status: "True",
      });
      expect(policy.status?.usedBy).toEqual(["comments"]);
    },
  );

  it("writes nothing when it reconciles a converged service again", async () => {
    const namespace = await env.cluster.newNamespace("steady");
    await applySamples(client(), namespace, SAMPLES);
    const deployment = await waitForDeployment(namespace, "comments");
    if (env.cluster.workloads)
      await env.cluster.workloads.setDeploymentReady(namespace, deployment.metadata!.name!);
    await waitFor(async () => {
      const svc = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
      return svc.status?.observedGeneration === svc.metadata?.generation;
    });
    expect(await writesOfAnotherReconcile(env.cluster, env.operator, namespace, "comments")).toEqual({
      operatorWrites: 0,
      recorded: [],
    });
  });

  it("does not overwrite an object it did not create, and reports it", async () => {
    const namespace = await env.cluster.newNamespace("squatter");
    await client().create(
      Kinds.ConfigMap,
      configMap(namespace, "comments-policy", { owner: "someone else" }),
    );
    await applySamples(client(), namespace, SAMPLES);
    const service = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Degraded",
      status: "True",
      reason: "ChildNotOwned",
    });
    expect(conditionOf(service, "Degraded")?.message).toContain(`ConfigMap ${namespace}/comments-policy`);
    expect(conditionOf(service, "Ready")).toMatchObject({ status: "False", reason: "ChildNotOwned" });
    const squatted = await client().get<KubeObject & { data?: Record<string, string> }>(
      Kinds.ConfigMap,
      "comments-policy",
      namespace,
    );
    expect(squatted.data).toEqual({ owner: "someone else" });
    expect(squatted.metadata?.ownerReferences).toBeUndefined();
    // The rest is still converged.
    await waitForDeployment(namespace, "comments");
    const events = await waitFor(async () => {
      const list = await client().listAll<KubeObject & { reason?: string; type?: string }>(Kinds.Event, {
        namespace,
      });
      return list.items.filter((e) => e.reason === "ChildNotOwned").length > 0 ? list.items : undefined;
    });
    expect(events.find((e) => e.reason === "ChildNotOwned")?.type).toBe("Warning");
  });
});
