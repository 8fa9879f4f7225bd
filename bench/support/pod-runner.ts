// The scheduler and kubelets of bench:operator's real control plane, driven by a pod watch:
// every pod is bound to the simulated Node and reported Running and Ready as soon as it
// appears, and every deleted pod is removed as its kubelet would once its containers stopped.
// kube-controller-manager's ReplicaSet and Deployment controllers do the rest, so Deployments
// become available the way they do on a cluster. The loop tests' PodSimulator polls one
// Deployment at a time until it is ready (several requests per poll); for a thousand
// Deployments one watch and a request or two per pod is what the machine can afford.
import type { V1Pod } from "@kubernetes/client-node";
import { Informer } from "../../operator/core/informer.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeClient, KubeObject } from "../../operator/core/kubeclient.js";
import { PodSimulator } from "../../test/controlplane/pod-simulator.js";

/** Pods run at once: enough to keep the apiserver busy, few enough not to flood 2 cores. */
const CONCURRENCY = 4;

const isReady = (pod: V1Pod) =>
  pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

export class PodRunner {
  readonly #simulator: PodSimulator;
  readonly #pods: Informer<KubeObject>;
  /** Pod keys waiting for a worker, in arrival order; a Set so that a pod waits once. */
  readonly #pending = new Set<string>();
  readonly #busy = new Set<string>();
  #workers = 0;
  #stopped = false;
  /** Requests that failed (logged once each); a pod whose request failed is tried on its next event. */
  failures = 0;

  constructor(client: KubeClient) {
    this.#simulator = new PodSimulator(client.kubeConfig);
    this.#pods = new Informer<KubeObject>(client, Kinds.Pod);
    this.#pods.on((type, pod) => {
      if (type === "delete") return;
      const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      if (!this.#needsWork(pod as V1Pod)) return;
      // Also while a worker has it: the worker may be acting on an older version (a pod deleted
      // while it was being run), and #work rereads the cache, so a second turn costs nothing.
      this.#pending.add(key);
      this.#drain();
    });
  }

  async start(): Promise<void> {
    await this.#simulator.ensureNode();
    this.#pods.start();
    await this.#pods.whenSynced();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#pods.stop();
  }

  #needsWork(pod: V1Pod): boolean {
    return pod.metadata?.deletionTimestamp !== undefined || !pod.spec?.nodeName || !isReady(pod);
  }

  #drain(): void {
    while (!this.#stopped && this.#workers < CONCURRENCY) {
      const key = [...this.#pending].find((k) => !this.#busy.has(k));
      if (key === undefined) return;
      this.#pending.delete(key);
      this.#workers += 1;
      this.#busy.add(key);
      void this.#work(key).finally(() => {
        this.#workers -= 1;
        this.#busy.delete(key);
        this.#drain();
      });
    }
  }

  async #work(key: string): Promise<void> {
    const [namespace, name] = key.split("/") as [string, string];
    // The cache's latest version: events that arrived while the pod waited are folded in.
    const pod = this.#pods.get(name, namespace) as V1Pod | undefined;
    if (!pod || !this.#needsWork(pod)) return;
    try {
      if (pod.metadata?.deletionTimestamp) await this.#simulator.finishTerminatingPod(pod);
      else await this.#simulator.runPod(pod);
    } catch (error) {
      // 404/409: deleted or changed since the event; the next event brings the pod back here.
      const code = (error as { code?: number }).code;
      if (code === 404 || code === 409) return;
      this.failures += 1;
      console.error(`pod runner: ${key}: ${(error as Error).message}`);
    }
  }
}
