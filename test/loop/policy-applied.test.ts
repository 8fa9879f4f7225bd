// Per-pod proof that a Policy edit is in force: every ready runtime pod of the service reports
// the Policy generation it applies on /ready, the operator asks each one, and the Policy's
// Applied condition (kubectl's APPLIED column) is True only when all apply the current one.
// Every pod resolves to one real runtime process, whose mounted policy file the test updates
// the way kubelet updates a ConfigMap volume.
import { describe, expect, it } from "vitest";
import type { Condition, ServicePolicyStatus } from "../../crds/index.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { POLICY_KEY } from "../../operator/desired/runtime-contract.js";
import {
  conditionOf,
  convergedSamples,
  operatorWrites,
  quiesce,
  startOperator,
  useOperatorCluster,
  waitForCondition,
  type WithStatus,
} from "./reconcile-support.js";
import { canSimulateWorkloads, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const REVISION = "moderation.vigil.dev/revision";

const operatorOptions = {
  resolvePodUrl: () => env.preview.url,
  policyProbeIntervalMs: 200,
};
const env: ReturnType<typeof useOperatorCluster> = useOperatorCluster(operatorOptions);
const client = () => testClient(env.cluster.kubeConfig);

const servicePolicy = async (namespace: string) =>
  (await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace)).status?.policy as
    ServicePolicyStatus | undefined;

/** Names of the service's runtime pods that are Ready. */
async function readyPods(namespace: string): Promise<string[]> {
  const pods = await client().listAll<KubeObject & { status?: { conditions?: Condition[] } }>(Kinds.Pod, {
    namespace,
  });
  return pods.items
    .filter(
      (p) =>
        p.metadata?.labels?.["app.kubernetes.io/instance"] === "comments" &&
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    )
    .map((p) => p.metadata!.name!);
}

/** Plays kubelet: the pods' mounted policy file becomes the ConfigMap's current content. */
async function syncPolicyMount(namespace: string): Promise<void> {
  const configMap = await client().get<KubeObject & { data?: Record<string, string> }>(
    Kinds.ConfigMap,
    "comments-policy",
    namespace,
  );
  await env.preview.writePolicy(configMap.data![POLICY_KEY]!);
}

/** Waits for the Applied condition at `generation`; `naming`: its message must name this too. */
const applied = (namespace: string, status: string, reason: string, generation: number, naming = "") =>
  waitFor(
    async () => {
      const policy = await client().get<WithStatus>(Kinds.Policy, "comments", namespace);
      const condition = conditionOf(policy, "Applied") as Condition | undefined;
      if (
        condition?.status === status &&
        condition.reason === reason &&
        condition.observedGeneration === generation &&
        condition.message.includes(naming)
      )
        return condition;
      throw new Error(`Applied is ${JSON.stringify(condition)}`);
    },
    { message: `Applied ${status} (${reason}) at generation ${generation}`, timeoutMs: 30_000 },
  );

// Skipped only on a cluster whose pods run for real (no simulator): this test fakes their answers.
describe.skipIf(!canSimulateWorkloads)(
  "Policy Applied, from what each pod reports (pods are simulated)",
  () => {
    it("goes False while pods apply an older generation or refuse the new one, and True once all apply it", async () => {
      const namespace = await env.cluster.newNamespace("applied");
      const serving = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
      // One more ready pod of the serving revision, so there is a pod on every target (the
      // emulator runs no ReplicaSet controller).
      const pod = `comments-${serving.metadata!.labels![REVISION]}-extra`;
      await client().create(Kinds.Pod, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: pod, namespace, labels: { ...serving.spec!.selector!.matchLabels } },
        spec: { containers: [{ name: "runtime", image: "vigil-runtime:test" }] },
      });
      await workloadsOf(env.cluster).setPodReady(namespace, pod);

      await syncPolicyMount(namespace);
      const ready = await readyPods(namespace);
      expect(ready).toContain(pod);
      await waitFor(
        async () => {
          const reported = await servicePolicy(namespace);
          return reported?.replicas === ready.length && reported.appliedReplicas === ready.length;
        },
        { message: `all ${ready.length} ready pods reported` },
      );
      const first = await applied(namespace, "True", "Applied", 1);
      expect(first.message).toContain(`all ${ready.length} ready pods`);

      // An edit: the ConfigMap changes at once, the pods' mount later.
      await client().patch(
        Kinds.Policy,
        { name: "comments", namespace },
        { spec: { categories: { toxicity: { flag: 0.45, block: 0.85 } } } },
      );
      // First the service has not reported generation 2, then its pods are named.
      await applied(namespace, "False", "Pending", 2, `${pod} applies generation 1 (Pending)`);
      const behind = await servicePolicy(namespace);
      expect(behind).toMatchObject({ generation: 2, appliedReplicas: 0 });
      expect(behind!.lagging).toContainEqual({ pod, reason: "Pending", appliedGeneration: 1 });

      await syncPolicyMount(namespace);
      await applied(namespace, "True", "Applied", 2);
      const caughtUp = await servicePolicy(namespace);
      expect(caughtUp).toMatchObject({ generation: 2, appliedReplicas: caughtUp!.replicas });
      expect(caughtUp!.lagging).toBeUndefined();

      // A pod that cannot load the new file keeps the previous policy and says why.
      await client().patch(
        Kinds.Policy,
        { name: "comments", namespace },
        { spec: { categories: { toxicity: { flag: 0.4, block: 0.8 } } } },
      );
      await env.preview.writePolicy(
        "apiVersion: moderation.vigil.dev/v1alpha1\nkind: Policy\nspec: [not, a, policy]\n",
      );
      await applied(namespace, "False", "Rejected", 3, `${pod} applies generation 2 (Rejected: `);

      await syncPolicyMount(namespace);
      await applied(namespace, "True", "Applied", 3);
      const policy = await waitForCondition(client(), Kinds.Policy, namespace, "comments", {
        type: "Valid",
        status: "True",
      });
      expect(policy.status?.usedBy).toEqual(["comments"]);

      // What each pod answered lives in the operator's memory. A restarted operator keeps the
      // recorded status until it has asked every pod again, so the restart writes nothing.
      await quiesce(env.operator);
      const recorded = await servicePolicy(namespace);
      await env.operator.stop();
      env.operator = await startOperator(env.cluster, {
        resolvePreviewUrl: () => env.preview.url,
        ...operatorOptions,
      });
      await quiesce(env.operator);
      expect(await operatorWrites(env.operator)).toBe(0);
      expect(await servicePolicy(namespace)).toEqual(recorded);
    });
  },
);
