// The cluster side of bench:operator, in its own process so that the operator's process (the
// benchmark's) holds only the operator: the API emulator, kubelets that make every Deployment
// ready as soon as its spec changes, and an observer counting converged ModerationServices,
// reported to the parent over IPC. Started by cluster-process.ts.
import type { LiveDeployment } from "../../operator/controllers/live-objects.js";
import { Informer } from "../../operator/core/informer.js";
import { Kinds } from "../../operator/core/kinds.js";
import { KubeClient, type KubeObject } from "../../operator/core/kubeclient.js";
import { startTestCluster } from "../../test/apiserver/index.js";
import type { ClusterMessage } from "./cluster-process.js";

type ModerationServiceStatus = KubeObject & {
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
    rollout?: { phase?: string };
  };
};

const send = (message: ClusterMessage) => process.send!(message);

/** Rolled out and serving, for the generation it has now. */
function converged(svc: ModerationServiceStatus): boolean {
  const ready = svc.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  return (
    ready &&
    svc.status?.rollout?.phase === "Active" &&
    svc.status.observedGeneration === svc.metadata?.generation
  );
}

/** What the Deployment controller and kubelets would report once every pod runs. */
function rolledOut(deployment: LiveDeployment): boolean {
  const status = deployment.status;
  const replicas = deployment.spec?.replicas ?? 1;
  return (
    status?.observedGeneration === deployment.metadata?.generation &&
    (status?.readyReplicas ?? 0) === replicas &&
    (status?.updatedReplicas ?? 0) === replicas
  );
}

// No garbage collector: the benchmark deletes nothing, and the emulator's collector rescans
// every owned object on every change (O(objects) per write, so O(N^2) over a run): at 50
// services it took most of the emulator's CPU, a cost of the emulator, not of the operator.
const cluster = await startTestCluster({ garbageCollection: false });
const emulator = cluster.emulator!;
const client = new KubeClient(cluster.kubeConfig, { userAgent: "bench-cluster" });

const deployments = new Informer<LiveDeployment>(client, Kinds.Deployment);
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

const services = new Informer<ModerationServiceStatus>(client, Kinds.ModerationService);
const convergedKeys = new Set<string>();
services.on((type, svc) => {
  const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
  const before = convergedKeys.size;
  if (type !== "delete" && converged(svc)) convergedKeys.add(key);
  else convergedKeys.delete(key);
  if (convergedKeys.size !== before) send({ type: "converged", count: convergedKeys.size });
});

deployments.start();
services.start();
await Promise.all([deployments.whenSynced(), services.whenSynced()]);
send({ type: "ready", kubeConfig: cluster.kubeConfig.exportConfig() });

process.on("message", (message: { type: string }) => {
  if (message.type !== "stop") return;
  void Promise.all([deployments.stop(), services.stop()])
    .then(() => cluster.close())
    .then(() => process.exit(0));
});
// A benchmark killed without stopping us must not leave an emulator running on a shared machine.
process.on("disconnect", () => process.exit(0));
