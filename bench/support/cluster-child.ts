// The cluster side of bench:operator, in its own process so that the operator's process (the
// benchmark's) holds only the operator: the API server, the simulated workloads, and an
// observer counting converged ModerationServices and timing single changes, reported to the
// parent over IPC. Started by cluster-process.ts with the target as its argument:
// - emulator: the API emulator, whose simulated kubelets make every Deployment ready as soon
//   as its spec changes;
// - kube-apiserver: etcd, kube-apiserver and kube-controller-manager from test/controlplane,
//   with a pod runner standing in for scheduler and kubelets (pod-runner.ts).
import { Informer } from "../../operator/core/informer.js";
import { Kinds } from "../../operator/core/kinds.js";
import { KubeClient } from "../../operator/core/kubeclient.js";
import { startTestCluster, type TestCluster } from "../../test/apiserver/index.js";
import { startControlPlane } from "../../test/controlplane/control-plane.js";
import type { ClusterMessage, ClusterRequest, Target } from "./cluster-process.js";
import { PodRunner } from "./pod-runner.js";
import { ServiceObserver, type ObservedDeployment } from "./service-observer.js";

interface BenchCluster {
  cluster: TestCluster;
  /** Processes besides this one that the cluster runs (the control plane's). */
  pids: number[];
  /** Starts the simulated workloads; resolves to what stops them. */
  simulateWorkloads(
    client: KubeClient,
    deployments: Informer<ObservedDeployment>,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** What the Deployment controller and kubelets would report once every pod runs. */
function rolledOut(deployment: ObservedDeployment): boolean {
  const status = deployment.status;
  const replicas = deployment.spec?.replicas ?? 1;
  return (
    status?.observedGeneration === deployment.metadata?.generation &&
    (status?.readyReplicas ?? 0) === replicas &&
    (status?.updatedReplicas ?? 0) === replicas
  );
}

async function emulatorCluster(): Promise<BenchCluster> {
  // No garbage collector: the benchmark deletes nothing, and the emulator's collector rescans
  // every owned object on every change (O(objects) per write, so O(N^2) over a run): at 50
  // services it took most of the emulator's CPU, a cost of the emulator, not of the operator.
  const cluster = await startTestCluster({ garbageCollection: false });
  const emulator = cluster.emulator!;
  return {
    cluster,
    pids: [],
    simulateWorkloads: async (_client, deployments) => {
      deployments.on((type, deployment) => {
        if (type === "delete" || rolledOut(deployment)) return;
        const { namespace, name } = deployment.metadata ?? {};
        try {
          emulator.simulate.setDeploymentReady(namespace!, name!);
        } catch (error) {
          // Deleted since the event (a pruned revision): nothing left to make ready.
          if ((error as { code?: number }).code !== 404) throw error;
        }
      });
      return async () => {};
    },
    close: () => cluster.close(),
  };
}

async function controlPlaneCluster(): Promise<BenchCluster> {
  const controlPlane = await startControlPlane();
  try {
    // startTestCluster() connects to the cluster VIGIL_TEST_KUBECONFIG names (as the vitest
    // "kube-apiserver" project does) and installs Vigil's CRDs there.
    process.env.VIGIL_TEST_KUBECONFIG = controlPlane.kubeconfigPath;
    const cluster = await startTestCluster();
    return {
      cluster,
      pids: controlPlane.pids,
      simulateWorkloads: async (client) => {
        const runner = new PodRunner(client);
        await runner.start();
        return () => runner.stop();
      },
      close: () => controlPlane.stop(),
    };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}

const send = (message: ClusterMessage) => process.send!(message);

const target = process.argv[2] as Target;
const starting = target === "kube-apiserver" ? controlPlaneCluster() : emulatorCluster();
/** What stops the watches; set once they run. They go before the cluster, whose end would break them. */
let stopWatches: () => Promise<unknown> = async () => undefined;
let stopping: Promise<void> | undefined;
const shutdown = () =>
  (stopping ??= starting
    .then(async (cluster) => {
      await stopWatches();
      await cluster.close();
    })
    .catch((error: unknown) => console.error(`bench cluster: stopping failed: ${String(error)}`))
    .then(() => process.exit(0)));
// A benchmark killed without stopping us, even while the cluster starts, must not leave a
// cluster running on a shared machine.
process.on("disconnect", () => void shutdown());
const bench = await starting;

const client = new KubeClient(bench.cluster.kubeConfig, { userAgent: "bench-cluster" });
const deployments = new Informer<ObservedDeployment>(client, Kinds.Deployment);
const stopWorkloads = await bench.simulateWorkloads(client, deployments);
const observer = new ServiceObserver(client, deployments, (count) => send({ type: "converged", count }));
stopWatches = () => Promise.all([deployments.stop(), observer.stop(), stopWorkloads()]);
deployments.start();
await Promise.all([deployments.whenSynced(), observer.start()]);
send({ type: "ready", kubeConfig: bench.cluster.kubeConfig.exportConfig(), pids: bench.pids });

process.on("message", (request: ClusterRequest) => {
  if (request.type === "stop") void shutdown();
  else {
    observer
      .measureChange(request.namespace, request.name)
      .then((latency) => send({ type: "changed", id: request.id, ...latency }))
      .catch((error: unknown) => send({ type: "changeFailed", id: request.id, error: String(error) }));
  }
});
