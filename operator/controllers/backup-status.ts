// What a ModerationService's backup Jobs say, as status: lastBackup (the most recent finished
// Job), lastSuccessfulBackup, and the conditions BackupSucceeded (from the Job's outcome, with
// the reason the backup container wrote to its termination message) and BackupStale (the last
// success is older than two intervals of the schedule). Pure: Jobs, pods and a clock in.
import type { V1CronJobSpec } from "@kubernetes/client-node";
import { CronExpressionParser } from "cron-parser";
import type { Condition } from "../../crds/schema.js";
import type { ModerationServiceStatus } from "../../crds/index.js";
import {
  findCondition,
  formatTime,
  removeCondition,
  setConditions,
  type ConditionInput,
} from "../core/conditions.js";
import {
  BACKUP_CONTAINER,
  BACKUP_FAILURE_REASONS,
  type BackupTerminationMessage,
} from "../desired/runtime-contract.js";
import type { KubeObject } from "../core/kubeclient.js";
import type { LiveModerationService } from "./live-objects.js";

/** Wire shapes (timestamps as strings) of the parts of Jobs, pods and CronJobs read here. */
export interface LiveJob extends KubeObject {
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }[];
  };
}

export interface LivePod extends KubeObject {
  status?: {
    containerStatuses?: {
      name: string;
      state?: { terminated?: { exitCode: number; message?: string; finishedAt?: string } };
    }[];
  };
}

export interface LiveCronJob extends KubeObject {
  spec?: V1CronJobSpec;
}

export const BACKUP_CONDITION = { succeeded: "BackupSucceeded", stale: "BackupStale" } as const;

export const BACKUP_REASON = {
  completed: "BackupCompleted",
  noBackupYet: "NoBackupYet",
  /** The Job failed without a termination message the contract knows (e.g. OOMKilled). */
  jobFailed: "BackupJobFailed",
  stale: "BackupStale",
  recent: "BackupRecent",
  invalidSchedule: "InvalidSchedule",
} as const;

export interface BackupStatusInput {
  service: LiveModerationService;
  /** The service's backup Jobs, scheduled and on-demand. */
  jobs: readonly LiveJob[];
  /** Pods of the latest finished Job (for its termination message); see needsPodsOf. */
  pods: readonly LivePod[];
  /** When the CronJob was created: the reference for staleness before any success. */
  scheduledSince?: Date;
  now: Date;
}

export type LastBackup = NonNullable<ModerationServiceStatus["lastBackup"]>;

export interface BackupStatus {
  lastBackup?: LastBackup;
  lastSuccessfulBackup?: { name: string; completedAt: string };
  conditions: Condition[];
  /** Failure reason of lastBackup when it failed (for the failures metric and an Event). */
  failureReason?: string;
  /** When BackupStale turns True unless a backup succeeds first: reconcile again then. */
  staleAt?: Date;
}

interface FinishedJob {
  job: LiveJob;
  name: string;
  succeeded: boolean;
  startedAt?: string;
  completedAt: string;
  jobReason?: string;
  jobMessage?: string;
}

function finished(job: LiveJob): FinishedJob | undefined {
  const conditions = job.status?.conditions ?? [];
  const complete = conditions.find((c) => c.type === "Complete" && c.status === "True");
  const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
  const done = complete ?? failed;
  if (!done) return undefined;
  const completedAt = complete
    ? (job.status?.completionTime ?? complete.lastTransitionTime)
    : failed?.lastTransitionTime;
  const time = (t: string | undefined) => (t === undefined ? undefined : formatTime(new Date(t)));
  const startedAt = time(job.status?.startTime);
  return {
    job,
    name: job.metadata?.name ?? "",
    succeeded: !!complete,
    ...(startedAt && { startedAt }),
    completedAt: time(completedAt) ?? time(job.metadata?.creationTimestamp) ?? "",
    ...(failed?.reason && { jobReason: failed.reason }),
    ...(failed?.message && { jobMessage: failed.message }),
  };
}

export function parseBackupTerminationMessage(
  text: string | undefined,
): BackupTerminationMessage | undefined {
  if (!text) return undefined;
  // FallbackToLogsOnError may append log lines; the contract is the first line.
  const first = text.trim().split("\n", 1)[0] ?? "";
  try {
    const parsed = JSON.parse(first) as Partial<BackupTerminationMessage>;
    return typeof parsed.reason === "string" ? (parsed as BackupTerminationMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** The backup container's last termination among the Job's pods: message text and parsed form. */
function terminationOf(
  job: LiveJob,
  pods: readonly LivePod[],
): { text?: string; parsed?: BackupTerminationMessage } {
  const uid = job.metadata?.uid;
  const mine = pods.filter((p) =>
    p.metadata?.ownerReferences?.some(
      (o) => o.kind === "Job" && (o.uid === uid || o.name === job.metadata?.name),
    ),
  );
  const terminations = mine
    .map((p) => p.status?.containerStatuses?.find((s) => s.name === BACKUP_CONTAINER)?.state?.terminated)
    .filter((t) => t !== undefined)
    .sort((a, b) => new Date(a.finishedAt ?? 0).getTime() - new Date(b.finishedAt ?? 0).getTime());
  const last = terminations.at(-1);
  return {
    ...(last?.message && { text: last.message.trim() }),
    parsed: parseBackupTerminationMessage(last?.message),
  };
}

function byCompletion(a: FinishedJob, b: FinishedJob): number {
  return Date.parse(a.completedAt) - Date.parse(b.completedAt) || a.name.localeCompare(b.name);
}

/** Two intervals of the schedule after `since`, or undefined when the schedule does not parse. */
function staleBoundary(schedule: string, since: Date): Date | undefined {
  try {
    // Kubernetes evaluates CronJob schedules in the controller manager's zone; UTC unless set.
    const expression = CronExpressionParser.parse(schedule, { currentDate: since, tz: "UTC" });
    const first = expression.next().toDate();
    const second = expression.next().toDate();
    return new Date(since.getTime() + 2 * (second.getTime() - first.getTime()));
  } catch {
    return undefined;
  }
}

function failure(latest: FinishedJob, pods: readonly LivePod[]): { reason: string; message: string } {
  const { text, parsed } = terminationOf(latest.job, pods);
  if (
    parsed &&
    parsed.reason !== "BackupCompleted" &&
    (BACKUP_FAILURE_REASONS as readonly string[]).includes(parsed.reason)
  ) {
    return { reason: parsed.reason, message: `backup Job ${latest.name} failed: ${parsed.message}` };
  }
  const detail = text ?? latest.jobMessage ?? latest.jobReason ?? "no termination message";
  return { reason: BACKUP_REASON.jobFailed, message: `backup Job ${latest.name} failed: ${detail}` };
}

export function computeBackupStatus(input: BackupStatusInput): BackupStatus {
  const { service, now } = input;
  const previous = service.status ?? {};
  const backup = service.spec.backup;
  const generation = service.metadata?.generation ?? 0;
  if (!backup) {
    const conditions = removeCondition(
      removeCondition(previous.conditions, BACKUP_CONDITION.succeeded),
      BACKUP_CONDITION.stale,
    );
    return {
      conditions,
      ...(previous.lastBackup && { lastBackup: previous.lastBackup }),
      ...(previous.lastSuccessfulBackup && { lastSuccessfulBackup: previous.lastSuccessfulBackup }),
    };
  }

  const done = input.jobs
    .map(finished)
    .filter((j): j is FinishedJob => j !== undefined)
    .sort(byCompletion);
  const latest = done.at(-1);
  const latestSuccess = done.filter((j) => j.succeeded).at(-1);
  // Jobs past the history limit are gone; the recorded success may be newer than any left.
  const recorded = previous.lastSuccessfulBackup;
  const lastSuccessfulBackup =
    latestSuccess && (!recorded || Date.parse(latestSuccess.completedAt) >= Date.parse(recorded.completedAt))
      ? { name: latestSuccess.name, completedAt: latestSuccess.completedAt }
      : recorded;

  let lastBackup: LastBackup | undefined = previous.lastBackup;
  let succeeded: Omit<ConditionInput, "type" | "observedGeneration">;
  let failureReason: string | undefined;
  // A finished Job's outcome never changes: once recorded it is not re-derived (its pods,
  // the source of the termination message, may be gone by now).
  const recordedOutcome =
    latest && previous.lastBackup?.name === latest.name
      ? findCondition(previous.conditions, BACKUP_CONDITION.succeeded)
      : undefined;
  if (latest && recordedOutcome && recordedOutcome.status !== "Unknown") {
    succeeded = {
      status: recordedOutcome.status,
      reason: recordedOutcome.reason,
      message: recordedOutcome.message,
    };
  } else if (!latest) {
    succeeded = lastBackup
      ? {
          status: lastBackup.succeeded ? "True" : "False",
          reason: lastBackup.succeeded ? BACKUP_REASON.completed : BACKUP_REASON.jobFailed,
          message: `backup Job ${lastBackup.name} ${lastBackup.succeeded ? "succeeded" : "failed"} (its Job is gone)`,
        }
      : { status: "Unknown", reason: BACKUP_REASON.noBackupYet, message: "no backup has finished yet" };
  } else if (latest.succeeded) {
    const { parsed } = terminationOf(latest.job, input.pods);
    const completed = parsed?.reason === "BackupCompleted" ? parsed : undefined;
    lastBackup = {
      name: latest.name,
      ...(latest.startedAt && { startedAt: latest.startedAt }),
      completedAt: latest.completedAt,
      ...(completed && { size: completed.size }),
      succeeded: true,
    };
    succeeded = {
      status: "True",
      reason: BACKUP_REASON.completed,
      message: completed
        ? `backup ${completed.name} (${completed.size} bytes, ${completed.rows} decisions) written by Job ${latest.name}`
        : `backup Job ${latest.name} completed`,
    };
  } else {
    const why = failure(latest, input.pods);
    failureReason = why.reason;
    lastBackup = {
      name: latest.name,
      ...(latest.startedAt && { startedAt: latest.startedAt }),
      completedAt: latest.completedAt,
      succeeded: false,
    };
    succeeded = { status: "False", ...why };
  }

  const since = lastSuccessfulBackup ? new Date(lastSuccessfulBackup.completedAt) : input.scheduledSince;
  const suspended = backup.suspend ? " (the schedule is suspended)" : "";
  let stale: Omit<ConditionInput, "type" | "observedGeneration">;
  let staleAt: Date | undefined;
  const boundary = since ? staleBoundary(backup.schedule, since) : undefined;
  if (since && !boundary) {
    stale = {
      status: "Unknown",
      reason: BACKUP_REASON.invalidSchedule,
      message: `schedule "${backup.schedule}" does not parse`,
    };
  } else if (!since || !boundary || now <= boundary) {
    staleAt = boundary;
    stale = {
      status: "False",
      reason: BACKUP_REASON.recent,
      message: lastSuccessfulBackup
        ? `last successful backup completed at ${lastSuccessfulBackup.completedAt}${suspended}`
        : `no successful backup yet; the schedule has not missed two runs${suspended}`,
    };
  } else {
    stale = {
      status: "True",
      reason: BACKUP_REASON.stale,
      message: lastSuccessfulBackup
        ? `the last successful backup completed at ${lastSuccessfulBackup.completedAt}, more than two schedule intervals ago${suspended}`
        : `no backup has succeeded in two schedule intervals since ${formatTime(since)}${suspended}`,
    };
  }

  const conditions = setConditions(
    previous.conditions,
    [
      { type: BACKUP_CONDITION.succeeded, ...succeeded, observedGeneration: generation },
      { type: BACKUP_CONDITION.stale, ...stale, observedGeneration: generation },
    ],
    now,
  );
  return {
    conditions,
    ...(lastBackup && { lastBackup }),
    ...(lastSuccessfulBackup && { lastSuccessfulBackup }),
    ...(failureReason && { failureReason }),
    ...(staleAt && { staleAt }),
  };
}

/**
 * The finished Job whose pods computeBackupStatus needs, or undefined when its outcome is
 * already recorded in status (so the caller lists pods only when a Job has newly finished).
 */
export function needsPodsOf(service: LiveModerationService, jobs: readonly LiveJob[]): string | undefined {
  const latest = jobs
    .map(finished)
    .filter((j): j is FinishedJob => j !== undefined)
    .sort(byCompletion)
    .at(-1);
  if (!latest) return undefined;
  const recorded = service.status?.lastBackup?.name === latest.name;
  return recorded && findCondition(service.status?.conditions, BACKUP_CONDITION.succeeded)
    ? undefined
    : latest.name;
}
