// The backup part of a ModerationService reconcile, after its children (the CronJob among
// them) are applied: act once on a new backup-now annotation value by creating a Job from the
// CronJob's template, then derive the backup status from the service's Jobs. Returns the status
// with the backup fields set, what to record once that status is written (metrics, an Event
// for a newly failed backup) and when to look again (BackupStale turns on with the clock).
import type { V1CronJob } from "@kubernetes/client-node";
import type { ModerationServiceStatus } from "../../crds/index.js";
import type { ReconcileContext } from "../core/controller.js";
import { isAlreadyExists, isNotFound } from "../core/errors.js";
import { Kinds } from "../core/kinds.js";
import { isControlledBy } from "../core/ownership.js";
import { ANNOTATION, backupSelector, buildOnDemandBackupJob, childNames } from "../desired/index.js";
import {
  computeBackupStatus,
  needsPodsOf,
  type LiveCronJob,
  type LiveJob,
  type LivePod,
} from "./backup-status.js";
import type { LiveModerationService } from "./live-objects.js";

export interface BackupReconcile {
  status: ModerationServiceStatus;
  /** Call once the status was written. */
  recordWritten(): void;
  requeueAfterMs?: number;
}

/** While a backup-now request waits for the CronJob to appear in the cache. */
const CRONJOB_WAIT_MS = 1000;

function selects(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

async function requestBackup(
  ctx: ReconcileContext,
  service: LiveModerationService,
  cronJob: LiveCronJob,
  value: string,
): Promise<{ handled: string; job: string }> {
  const job = buildOnDemandBackupJob(service, cronJob as unknown as V1CronJob, value);
  const name = job.metadata!.name!;
  try {
    await ctx.client.create(Kinds.Job, job as unknown as LiveJob);
    ctx.recorder.record(
      service,
      "Normal",
      "BackupRequested",
      `created Job ${name} for backup-now "${value}"`,
    );
  } catch (err) {
    // Created by an earlier reconcile whose status write did not land: the same request.
    if (!isAlreadyExists(err)) throw err;
  }
  return { handled: value, job: name };
}

export async function reconcileBackups(
  ctx: ReconcileContext,
  service: LiveModerationService,
  computed: ModerationServiceStatus,
): Promise<BackupReconcile> {
  const namespace = service.metadata?.namespace ?? "";
  const name = service.metadata?.name ?? "";
  const uid = service.metadata?.uid ?? "";
  const cronJob = ctx.cache<LiveCronJob>(Kinds.CronJob).get(childNames(name).backupCronJob, namespace);
  const ours = cronJob && isControlledBy(cronJob, uid) ? cronJob : undefined;
  let backupNow = computed.backupNow;
  let requeueAfterMs: number | undefined;

  const requested = service.metadata?.annotations?.[ANNOTATION.backupNow];
  if (service.spec.backup && requested && requested !== backupNow?.handled) {
    if (ours) backupNow = await requestBackup(ctx, service, ours, requested);
    else requeueAfterMs = CRONJOB_WAIT_MS;
  }

  const cronJobUid = ours?.metadata?.uid ?? "";
  const jobs = ctx
    .cache<LiveJob>(Kinds.Job)
    .list(namespace)
    .filter(
      (j) =>
        selects(j.metadata?.labels, backupSelector(name)) &&
        (isControlledBy(j, uid) || (cronJobUid !== "" && isControlledBy(j, cronJobUid))),
    );
  const podsOf = needsPodsOf(service, jobs);
  let pods: LivePod[] = [];
  if (podsOf) {
    try {
      pods = (
        await ctx.client.listAll<LivePod>(Kinds.Pod, {
          namespace,
          labelSelector: `job-name=${podsOf}`,
        })
      ).items;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  const now = ctx.clock.now();
  const created = ours?.metadata?.creationTimestamp;
  const backup = computeBackupStatus({
    service: { ...service, status: computed },
    jobs,
    pods,
    ...(created && { scheduledSince: new Date(created) }),
    now: new Date(now),
  });
  const status: ModerationServiceStatus = {
    ...computed,
    conditions: backup.conditions,
    ...(backup.lastBackup && { lastBackup: backup.lastBackup }),
    ...(backup.lastSuccessfulBackup && { lastSuccessfulBackup: backup.lastSuccessfulBackup }),
    ...(backupNow && { backupNow }),
  };
  if (backup.staleAt) {
    const wait = backup.staleAt.getTime() - now + 1000;
    if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, wait);
  }

  const newFailure =
    backup.failureReason !== undefined && backup.lastBackup?.name !== service.status?.lastBackup?.name;
  return {
    status,
    ...(requeueAfterMs !== undefined && { requeueAfterMs }),
    recordWritten: () => {
      const labels = { namespace, name };
      if (backup.lastSuccessfulBackup) {
        ctx.metrics?.backupLastSuccess.set(
          labels,
          Date.parse(backup.lastSuccessfulBackup.completedAt) / 1000,
        );
      }
      if (newFailure) {
        ctx.metrics?.backupFailures.inc({ ...labels, reason: backup.failureReason! });
        const message = backup.conditions.find((c) => c.type === "BackupSucceeded")?.message ?? "";
        ctx.recorder.record(service, "Warning", backup.failureReason!, message);
      }
    },
  };
}
