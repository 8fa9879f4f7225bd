// How the reconciler follows changes of a running service: a Policy edit reaches the pods
// through the ConfigMap without a restart; a runtime resources edit rolls the same Deployment;
// a deleted Policy degrades the service but leaves what serves alone; a new model version
// comes up as a new revision and takes over the traffic once it is ready.
import { describe, expect, it } from "vitest";
import type { LiveDeployment, LiveService } from "../../operator/controllers/live-objects.js";
import { Kinds, type ResourceKind } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";

import {
  conditionOf,
  convergedSamples,
  quiesce,
  readOptional,
  revisionDeployments,
  waitForCondition,
  type WithStatus,
  useOperatorCluster,
} from "./reconcile-support.js";
import { canSimulateWorkloads, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const CONFIG_HASH = "moderation.vigil.dev/config-hash";
const REVISION = "moderation.vigil.dev/revision";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

type ConfigMap = KubeObject & { data?: Record<string, string> };

const readDeployment = (namespace: string, name: string) =>
  client().get<LiveDeployment>(Kinds.Deployment, name, namespace);

describe("ModerationService changes", () => {
  it("updates the Policy ConfigMap on a Policy change without touching the pod template", async () => {
    const namespace = await env.cluster.newNamespace("policy-edit");
    const deployment = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
    const policy = await client().patch<KubeObject>(
      Kinds.Policy,
      { name: "comments", namespace },
      { spec: { categories: { toxicity: { flag: 0.55, review: 0.75, block: 0.93 } } } },
    );
    const configMap = await waitFor(
      async () => {
        const cm = await client().get<ConfigMap>(Kinds.ConfigMap, "comments-policy", namespace);
        return cm.data?.["policy.yaml"]?.includes("block: 0.93") ? cm : undefined;
      },
      { message: "the ConfigMap to carry the edited Policy" },
    );
    expect(configMap.metadata?.annotations?.["moderation.vigil.dev/policy-generation"]).toBe(
      String(policy.metadata?.generation),
    );
    expect(configMap.data?.["policy.yaml"]).toContain(`generation: ${policy.metadata?.generation}`);
    await quiesce(env.operator);
    const after = await readDeployment(namespace, deployment.metadata!.name!);
    expect(after.metadata?.generation).toBe(deployment.metadata?.generation);
    expect(after.spec?.template).toEqual(deployment.spec?.template);
  });

  it("rolls the same Deployment when the runtime resources change", async () => {
    const namespace = await env.cluster.newNamespace("resources");
    const deployment = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
    const name = deployment.metadata!.name!;
    await client().patch(
      Kinds.ModerationService,
      { name: "comments", namespace },
      // The sample's model sets cpu/memory requests and a memory limit, which win over the
      // service's per resource; a CPU limit is the service's to set.
      { spec: { runtime: { resources: { limits: { cpu: "2" } } } } },
    );
    const rolled = await waitFor(
      async () => {
        const d = await readDeployment(namespace, name);
        return d.metadata?.generation !== deployment.metadata?.generation ? d : undefined;
      },
      { message: "the Deployment to get the new template" },
    );
    const annotations = (d: LiveDeployment) => d.spec?.template?.metadata?.annotations ?? {};
    expect(annotations(rolled)[CONFIG_HASH]).toBeDefined();
    expect(annotations(rolled)[CONFIG_HASH]).not.toBe(annotations(deployment)[CONFIG_HASH]);
    const container = (rolled.spec as { template: { spec: { containers: { resources: unknown }[] } } })
      .template.spec.containers[0];
    expect(container?.resources).toMatchObject({ limits: { cpu: "2", memory: "1Gi" } });
    expect((await revisionDeployments(client(), namespace, "comments")).map((d) => d.metadata?.name)).toEqual(
      [name],
    );

    const rolling = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Ready",
      status: "False",
      reason: "Rolling",
    });
    expect(conditionOf(rolling, "Ready")?.observedGeneration).toBe(rolling.metadata?.generation);
    if (env.cluster.workloads) {
      await env.cluster.workloads.setDeploymentReady(namespace, name);
      await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
        type: "Ready",
        status: "True",
        reason: "Serving",
      });
    }
  });

  it("reports a deleted Policy as Degraded and leaves the children as they are", async () => {
    const namespace = await env.cluster.newNamespace("no-policy");
    await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
    await quiesce(env.operator);
    const kinds: ResourceKind[] = [
      Kinds.Deployment,
      Kinds.Service,
      Kinds.ConfigMap,
      Kinds.ServiceAccount,
      Kinds.NetworkPolicy,
      Kinds.PodDisruptionBudget,
    ];
    const snapshot = async () => {
      const versions: Record<string, string | undefined> = {};
      for (const kind of kinds) {
        const list = await client().listAll(kind, {
          namespace,
          labelSelector: "app.kubernetes.io/instance=comments",
        });
        for (const item of list.items)
          versions[`${kind.kind}/${item.metadata?.name}`] = item.metadata?.resourceVersion;
      }
      return versions;
    };
    const before = await snapshot();
    expect(Object.keys(before)).toHaveLength(7);

    await client().delete(Kinds.Policy, "comments", namespace);
    const degraded = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Degraded",
      status: "True",
      reason: "PolicyNotFound",
    });
    expect(conditionOf(degraded, "Degraded")?.message).toContain(
      "Policy comments (spec.policyRef) does not exist",
    );
    expect(conditionOf(degraded, "Ready")).toMatchObject({ status: "False", reason: "PolicyNotFound" });
    // What still serves is still reported.
    expect(degraded.status?.activeRevision).toBeDefined();
    await quiesce(env.operator);
    expect(await snapshot()).toEqual(before);
    const events = await client().listAll<KubeObject & { reason?: string; type?: string }>(Kinds.Event, {
      namespace,
    });
    expect(events.items.filter((e) => e.reason === "PolicyNotFound").map((e) => e.type)).toEqual(["Warning"]);
  });

  it.skipIf(!canSimulateWorkloads)(
    "replaces the revision on a model change once the new one is ready (pods are simulated)",
    async () => {
      const workloads = workloadsOf(env.cluster);
      const namespace = await env.cluster.newNamespace("model-change");
      const old = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
      const oldName = old.metadata!.name!;
      await client().patch(
        Kinds.ModelDeployment,
        { name: "toxicity", namespace },
        { spec: { model: { version: "1.1.0" } } },
      );
      const incoming = await waitFor(
        async () =>
          (await revisionDeployments(client(), namespace, "comments")).find(
            (d) => d.metadata?.name !== oldName,
          ),
        { message: "the new revision's Deployment" },
      );
      // The new revision starts at the preview size; the Service keeps selecting the old one.
      expect(incoming.spec?.replicas).toBe(1);
      const selected = async () =>
        (await client().get<LiveService>(Kinds.Service, "comments", namespace)).spec?.selector?.[REVISION];
      expect(await selected()).toBe(old.metadata?.labels?.[REVISION]);
      const rolling = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
        type: "Progressing",
        status: "True",
        reason: "Rolling",
      });
      expect(rolling.status?.activeRevision).toEqual({ name: oldName, modelVersion: "1.0.0" });
      await waitFor(async () => {
        const model = await client().get<WithStatus>(Kinds.ModelDeployment, "toxicity", namespace);
        return model.status?.phase === "Deploying" &&
          (model.status.previewRevision as { version?: string } | undefined)?.version === "1.1.0"
          ? model
          : undefined;
      });

      await workloads.setDeploymentReady(namespace, incoming.metadata!.name!);
      await waitFor(async () => (await selected()) === incoming.metadata?.labels?.[REVISION], {
        message: "traffic to switch to the new revision",
      });
      await waitFor(
        async () => (await readOptional(client(), Kinds.Deployment, namespace, oldName)) === undefined,
        {
          message: "the old revision to be deleted",
        },
      );
      const promoted = await waitFor(
        async () => {
          const d = await readDeployment(namespace, incoming.metadata!.name!);
          return d.spec?.replicas === 2 ? d : undefined;
        },
        { message: "the new revision to get the service's replicas" },
      );
      await workloads.setDeploymentReady(namespace, promoted.metadata!.name!);
      const ready = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
        type: "Ready",
        status: "True",
      });
      expect(ready.status?.activeRevision).toEqual({ name: incoming.metadata?.name, modelVersion: "1.1.0" });
      const model = await waitFor(async () => {
        const m = await client().get<WithStatus>(Kinds.ModelDeployment, "toxicity", namespace);
        return m.status?.phase === "Active" ? m : undefined;
      });
      expect(model.status?.activeRevision).toMatchObject({
        hash: incoming.metadata?.labels?.[REVISION],
        version: "1.1.0",
      });
      expect(model.status?.previewRevision).toBeUndefined();
      const reasons = (
        await client().listAll<KubeObject & { reason?: string }>(Kinds.Event, { namespace })
      ).items.map((e) => e.reason);
      expect(reasons).toEqual(
        expect.arrayContaining(["RevisionCreated", "RevisionPromoted", "RevisionDeleted"]),
      );
    },
  );
});
