// The backup CronJob end to end with the operator's real controllers against the API emulator:
// spec.backup becomes a CronJob built as specified (and its resources ConfigMap), suspend
// reaches it, a scheduled Job's success or failure (Job status and the pod's termination
// message, simulated as the Job controller and kubelet report them) becomes lastBackup and the
// BackupSucceeded condition, and removing spec.backup removes both children.
import { describe, expect, it } from "vitest";
import type { V1CronJob } from "@kubernetes/client-node";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { backedUpService, CRONJOB, terminateBackupPod } from "./backup-support.js";
import {
  conditionOf,
  readOptional,
  useOperatorCluster,
  waitForCondition,
  type WithStatus,
} from "./reconcile-support.js";
import { emulatorOf, onEmulator, testClient, waitFor } from "./support.js";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

type LiveCronJob = KubeObject & Pick<V1CronJob, "spec">;

describe("backup CronJob", () => {
  it("is built as specified, owned by the service, with its resources ConfigMap", async () => {
    const namespace = await env.cluster.newNamespace("backup-build");
    const cronJob = (await backedUpService(client(), namespace)) as LiveCronJob;
    const service = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
    expect(cronJob.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "ModerationService", uid: service.metadata?.uid, controller: true }),
    ]);
    expect(cronJob.spec).toMatchObject({
      schedule: "0 3 * * *",
      suspend: false,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
    });
    const pod = cronJob.spec!.jobTemplate.spec!.template.spec!;
    expect(pod.containers[0]).toMatchObject({
      name: "backup",
      args: ["backup"],
      securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });
    expect(pod.containers[0]!.env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "comments-db", key: "url" } },
    });
    const resources = await waitFor(
      () =>
        readOptional<KubeObject & { data?: Record<string, string> }>(
          client(),
          Kinds.ConfigMap,
          namespace,
          "comments-backup-resources",
        ),
      { message: "the backup resources ConfigMap" },
    );
    expect(Object.keys(resources.data ?? {}).sort()).toEqual([
      "modeldeployment.yaml",
      "moderationservice.yaml",
      "policy.yaml",
    ]);

    const withConditions = await waitFor(async () => {
      const s = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
      return conditionOf(s, "BackupSucceeded") && conditionOf(s, "BackupStale") ? s : undefined;
    });
    expect(conditionOf(withConditions, "BackupSucceeded")).toMatchObject({
      status: "Unknown",
      reason: "NoBackupYet",
    });
    expect(conditionOf(withConditions, "BackupStale")).toMatchObject({ status: "False" });
  });

  it("suspends the CronJob with spec.backup.suspend", async () => {
    const namespace = await env.cluster.newNamespace("backup-suspend");
    await backedUpService(client(), namespace);
    await client().patch(
      Kinds.ModerationService,
      { name: "comments", namespace },
      { spec: { backup: { suspend: true } } },
    );
    await waitFor(
      async () => (await client().get<LiveCronJob>(Kinds.CronJob, CRONJOB, namespace)).spec?.suspend === true,
      {
        message: "the CronJob suspended",
      },
    );
    await client().patch(
      Kinds.ModerationService,
      { name: "comments", namespace },
      { spec: { backup: { suspend: false } } },
    );
    await waitFor(
      async () =>
        (await client().get<LiveCronJob>(Kinds.CronJob, CRONJOB, namespace)).spec?.suspend === false,
      {
        message: "the CronJob resumed",
      },
    );
  });

  // Emulator only: the test plays the CronJob and Job controllers and the kubelet.
  it.skipIf(!onEmulator)(
    "reports a scheduled backup's success with its size, then a failure with the container's reason",
    async () => {
      const namespace = await env.cluster.newNamespace("backup-outcome");
      await backedUpService(client(), namespace);
      const emulator = emulatorOf(env.cluster);
      const job = emulator.simulate.runCronJob(namespace, CRONJOB);
      emulator.simulate.startJob(namespace, job.metadata!.name!);
      await terminateBackupPod(client(), emulator, job, {
        reason: "BackupCompleted",
        name: "comments-20260310T030000Z",
        size: 4096,
        startedAt: "2026-03-10T03:00:00Z",
        completedAt: "2026-03-10T03:01:00Z",
        rows: 120,
      });
      emulator.simulate.completeJob(namespace, job.metadata!.name!);
      // The CronJob controller drops a finished Job from .status.active.
      emulator.simulate.mergeStatus("batch/v1", "cronjobs", namespace, CRONJOB, {
        active: [],
        lastSuccessfulTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
      const succeeded = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
        type: "BackupSucceeded",
        status: "True",
        reason: "BackupCompleted",
      });
      expect(succeeded.status?.lastBackup).toMatchObject({
        name: job.metadata!.name,
        size: 4096,
        succeeded: true,
      });
      expect(succeeded.status?.lastSuccessfulBackup).toMatchObject({ name: job.metadata!.name });

      // The next run fails; on-demand is how a test gets a second Job within the same minute.
      await client().patch(
        Kinds.ModerationService,
        { name: "comments", namespace },
        {
          metadata: { annotations: { "moderation.vigil.dev/backup-now": "after-success" } },
        },
      );
      const requested = await waitFor(async () => {
        const s = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
        return (s.status?.backupNow as { job?: string } | undefined)?.job;
      });
      const second = await client().get<KubeObject>(Kinds.Job, requested, namespace);
      await terminateBackupPod(client(), emulator, second, {
        reason: "DatabaseUnreachable",
        message: "cannot connect to the database: connect ECONNREFUSED 10.0.0.5:5432",
      });
      emulator.simulate.failJob(namespace, requested);
      const failed = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
        type: "BackupSucceeded",
        status: "False",
        reason: "DatabaseUnreachable",
      });
      expect(conditionOf(failed, "BackupSucceeded")?.message).toContain("ECONNREFUSED");
      expect(failed.status?.lastBackup).toMatchObject({ name: requested, succeeded: false });
      // The last success is still the one before; it is recent, so not stale.
      expect(failed.status?.lastSuccessfulBackup).toMatchObject({ name: job.metadata!.name });
      expect(conditionOf(failed, "BackupStale")).toMatchObject({ status: "False" });
      const failures = await env.operator.manager.metrics.backupFailures.get();
      expect(failures.values.find((v) => v.labels.namespace === namespace)).toMatchObject({
        labels: { name: "comments", reason: "DatabaseUnreachable" },
        value: 1,
      });
    },
  );

  it("deletes the CronJob and the resources ConfigMap when spec.backup is removed", async () => {
    const namespace = await env.cluster.newNamespace("backup-removed");
    await backedUpService(client(), namespace);
    await client().patch(
      Kinds.ModerationService,
      { name: "comments", namespace },
      { spec: { backup: null } },
    );
    await waitFor(async () => !(await readOptional(client(), Kinds.CronJob, namespace, CRONJOB)), {
      message: "the CronJob deleted",
    });
    await waitFor(
      async () => !(await readOptional(client(), Kinds.ConfigMap, namespace, "comments-backup-resources")),
      {
        message: "the resources ConfigMap deleted",
      },
    );
    const service = await waitFor(async () => {
      const s = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
      return conditionOf(s, "BackupSucceeded") ? undefined : s;
    });
    expect(conditionOf(service, "BackupStale")).toBeUndefined();
  });
});
