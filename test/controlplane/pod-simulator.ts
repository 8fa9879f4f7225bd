// Stands in for the scheduler and kubelet on a control plane that has neither: one fake Node,
// Pods bound to it through the binding subresource (as the scheduler does) and their status
// patched Running/Ready (as the kubelet does). kube-controller-manager does the rest, so a
// Deployment becomes available through the real ReplicaSet and Deployment controllers.
import {
  CoreV1Api,
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
  type V1ReplicaSet,
} from "@kubernetes/client-node";
import type { WorkloadSimulator } from "../apiserver/cluster.js";

export const SIMULATED_NODE = "vigil-testenv-node";
const REVISION = "deployment.kubernetes.io/revision";
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export class PodSimulator implements WorkloadSimulator {
  readonly #core: CoreV1Api;
  readonly #apps: AppsV1Api;
  #node: Promise<void> | undefined;

  constructor(
    kubeConfig: KubeConfig,
    private readonly timeoutMs = 60_000,
  ) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  /**
   * Runs the pods of the Deployment's current ReplicaSet (all, or `readyReplicas` of them) and
   * waits until the Deployment controller reports them: rolled out and available when all are.
   */
  async setDeploymentReady(namespace: string, name: string, readyReplicas?: number): Promise<void> {
    await this.ensureNode();
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const deployment = await this.#apps.readNamespacedDeployment({ name, namespace });
      const replicas = deployment.spec?.replicas ?? 1;
      const want = readyReplicas ?? replicas;
      const status = deployment.status ?? {};
      const terminating = await this.finishTerminatingPods(namespace);
      const settled =
        terminating === 0 &&
        (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
        (status.updatedReplicas ?? 0) === replicas &&
        (status.readyReplicas ?? 0) >= want &&
        (want < replicas || (status.availableReplicas ?? 0) >= replicas);
      if (settled) return;
      const pods = await this.currentPods(
        namespace,
        deployment.metadata?.uid,
        deployment.metadata?.annotations?.[REVISION],
      );
      // Run pods until `want` are ready, counting those already running: the pod set changes
      // between polls (a scale-up adds one that may sort first), and running `want` new ones
      // each time would run more than asked.
      const isReady = (p: V1Pod) =>
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      const missing = Math.max(0, want - pods.filter(isReady).length);
      for (const pod of pods.filter((p) => !isReady(p) && !p.metadata?.deletionTimestamp).slice(0, missing)) {
        await this.runPod(pod);
      }
      if (Date.now() > deadline)
        throw new Error(
          `Deployment ${namespace}/${name} not ready after ${this.timeoutMs} ms (${JSON.stringify(status)})`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async setPodReady(namespace: string, name: string): Promise<void> {
    await this.runPod(await this.#core.readNamespacedPod({ name, namespace }));
  }

  /**
   * What a kubelet does for a deleted pod on its node once its containers stopped: removes it
   * (grace period 0). Without this, pods a rollout scales away stay Terminating forever.
   * Returns how many it found.
   */
  async finishTerminatingPods(namespace: string): Promise<number> {
    const pods = await this.#core.listNamespacedPod({
      namespace,
      fieldSelector: `spec.nodeName=${SIMULATED_NODE}`,
    });
    const terminating = pods.items.filter((p) => p.metadata?.deletionTimestamp);
    for (const pod of terminating) await this.finishTerminatingPod(pod);
    return terminating.length;
  }

  /** Removes one deleted pod (grace period 0), as its kubelet does once its containers stopped. */
  async finishTerminatingPod(pod: V1Pod): Promise<void> {
    try {
      await this.#core.deleteNamespacedPod({
        name: pod.metadata!.name!,
        namespace: pod.metadata!.namespace!,
        gracePeriodSeconds: 0,
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  /** Binds the pod to the simulated node (if unscheduled) and reports it Running and Ready. */
  async runPod(pod: V1Pod): Promise<void> {
    const namespace = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    if (pod.metadata?.deletionTimestamp) return;
    if (!pod.spec?.nodeName) {
      await this.ensureNode();
      await this.#core.createNamespacedPodBinding({
        name,
        namespace,
        body: {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name, namespace },
          target: { apiVersion: "v1", kind: "Node", name: SIMULATED_NODE },
        },
      });
    }
    if (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) return;
    await this.#core.patchNamespacedPodStatus({ name, namespace, body: runningStatus(pod) }, merge);
  }

  async ensureNode(): Promise<void> {
    this.#node ??= this.createNode().catch((err: unknown) => {
      this.#node = undefined;
      throw err;
    });
    return this.#node;
  }

  private async createNode(): Promise<void> {
    try {
      await this.#core.createNode({
        body: {
          apiVersion: "v1",
          kind: "Node",
          metadata: { name: SIMULATED_NODE, labels: { "kubernetes.io/hostname": SIMULATED_NODE } },
        },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    const now = new Date().toISOString();
    await this.#core.patchNodeStatus(
      {
        name: SIMULATED_NODE,
        body: {
          status: {
            conditions: [
              {
                type: "Ready",
                status: "True",
                reason: "KubeletReady",
                message: "simulated",
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
            capacity: { cpu: "64", memory: "256Gi", pods: "1000" },
            allocatable: { cpu: "64", memory: "256Gi", pods: "1000" },
            addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
          },
        },
      },
      merge,
    );
  }

  /** Pods of the ReplicaSet the Deployment controller made for `revision`, oldest name first. */
  private async currentPods(
    namespace: string,
    deploymentUid: string | undefined,
    revision: string | undefined,
  ): Promise<V1Pod[]> {
    if (!deploymentUid || !revision) return [];
    const replicaSets = await this.#apps.listNamespacedReplicaSet({ namespace });
    const current = replicaSets.items.find(
      (rs: V1ReplicaSet) =>
        rs.metadata?.ownerReferences?.some((o) => o.uid === deploymentUid) &&
        rs.metadata?.annotations?.[REVISION] === revision,
    );
    const hash = current?.metadata?.labels?.["pod-template-hash"];
    if (!current || !hash) return [];
    const pods = await this.#core.listNamespacedPod({
      namespace,
      labelSelector: `pod-template-hash=${hash}`,
    });
    return pods.items
      .filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === current.metadata?.uid))
      .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  }
}

/** What a kubelet reports for a pod whose init containers completed and containers started. */
function runningStatus(pod: V1Pod): object {
  const now = new Date().toISOString();
  const condition = (type: string) => ({ type, status: "True", lastTransitionTime: now });
  return {
    status: {
      phase: "Running",
      hostIP: "127.0.0.1",
      podIP: "10.244.0.10",
      startTime: now,
      conditions: [
        "PodScheduled",
        "Initialized",
        "PodReadyToStartContainers",
        "ContainersReady",
        "Ready",
      ].map(condition),
      initContainerStatuses: (pod.spec?.initContainers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: "",
        ready: true,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
      })),
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: "",
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    },
  };
}
