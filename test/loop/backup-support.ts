// Shared by the backup-*.test.ts loop tests: the samples with spec.backup added, and what the
// Job controller and kubelet would do with a backup Job (a pod whose backup container
// terminates with the contract's termination message), simulated on the emulator.
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeClient, KubeObject } from "../../operator/core/kubeclient.js";
import type { BackupTerminationMessage } from "../../operator/desired/runtime-contract.js";
import type { ApiServerEmulator } from "../apiserver/index.js";
import { applySamples } from "./reconcile-support.js";
import { waitFor } from "./support.js";

export const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
export const CRONJOB = "comments-backup";

export const BACKUP_SPEC = {
  schedule: "0 3 * * *",
  retention: "30d",
  destination: { pvc: { claimName: "vigil-backups" } },
};

/** The samples, with storage.postgres and spec.backup set on the service. */
export async function backedUpService(client: KubeClient, namespace: string, backup: object = BACKUP_SPEC) {
  await applySamples(client, namespace, SAMPLES);
  await client.patch(
    Kinds.ModerationService,
    { name: "comments", namespace },
    { spec: { storage: { postgres: { secretRef: { name: "comments-db" } } }, backup } },
  );
  return waitFor(
    () => client.get<KubeObject & { spec?: Record<string, unknown> }>(Kinds.CronJob, CRONJOB, namespace),
    {
      message: "the backup CronJob",
    },
  );
}

/** The Job's pod with its backup container terminated, saying `message`. */
export async function terminateBackupPod(
  client: KubeClient,
  emulator: ApiServerEmulator,
  job: KubeObject,
  message: BackupTerminationMessage,
): Promise<void> {
  const namespace = job.metadata!.namespace!;
  const jobName = job.metadata!.name!;
  const podName = `${jobName}-x7k2p`;
  await client.create(Kinds.Pod, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName,
      namespace,
      labels: { "job-name": jobName, "batch.kubernetes.io/job-name": jobName },
      ownerReferences: [
        { apiVersion: "batch/v1", kind: "Job", name: jobName, uid: job.metadata!.uid!, controller: true },
      ],
    },
    spec: { restartPolicy: "Never", containers: [{ name: "backup", image: "vigil-runtime" }] },
  });
  const failed = message.reason !== "BackupCompleted";
  emulator.simulate.mergeStatus("v1", "pods", namespace, podName, {
    phase: failed ? "Failed" : "Succeeded",
    containerStatuses: [
      {
        name: "backup",
        image: "vigil-runtime",
        imageID: "",
        ready: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode: failed ? 1 : 0,
            reason: failed ? "Error" : "Completed",
            message: JSON.stringify(message),
            finishedAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          },
        },
      },
    ],
  });
}
