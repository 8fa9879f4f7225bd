import { describe, expect, it } from "vitest";
import { computeBackupStatus, type BackupStatusInput, type LiveJob, type LivePod } from "./backup-status.js";
import type { LiveModerationService } from "./live-objects.js";
import { moderationService } from "./testing/objects.js";

const NOW = new Date("2026-03-10T12:00:00Z");

function service(status?: LiveModerationService["status"], suspend = false): LiveModerationService {
  const s = moderationService("comments", status ? { status } : {});
  s.spec.storage = { postgres: { secretRef: { name: "db" } } };
  s.spec.backup = { schedule: "0 3 * * *", destination: { pvc: { claimName: "b" } }, suspend };
  return s;
}

const tenMinutesBefore = (at: string) => new Date(Date.parse(at) - 600_000).toISOString();

function job(name: string, outcome: "Complete" | "Failed" | "Running", at: string): LiveJob {
  return {
    metadata: { name, uid: `uid-${name}`, creationTimestamp: tenMinutesBefore(at) },
    status: {
      startTime: tenMinutesBefore(at),
      ...(outcome === "Complete" && { completionTime: at }),
      conditions:
        outcome === "Running"
          ? []
          : [
              {
                type: outcome,
                status: "True",
                lastTransitionTime: at,
                ...(outcome === "Failed" && { reason: "BackoffLimitExceeded" }),
              },
            ],
    },
  };
}

function pod(jobName: string, message: string, exitCode: number): LivePod {
  return {
    metadata: {
      name: `${jobName}-abcde`,
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: jobName, uid: `uid-${jobName}` }],
    },
    status: {
      containerStatuses: [
        {
          name: "backup",
          state: { terminated: { exitCode, message, finishedAt: NOW.toISOString() } },
        },
      ],
    },
  };
}

const input = (over: Partial<BackupStatusInput>): BackupStatusInput => ({
  service: service(),
  jobs: [],
  pods: [],
  scheduledSince: new Date("2026-03-09T00:00:00Z"),
  now: NOW,
  ...over,
});

const cond = (status: ReturnType<typeof computeBackupStatus>, type: string) =>
  status.conditions.find((c) => c.type === type);

describe("computeBackupStatus", () => {
  it("reports the latest finished Job with its size from the termination message", () => {
    const done = job("comments-backup-1", "Complete", "2026-03-10T03:05:00Z");
    const message = JSON.stringify({
      reason: "BackupCompleted",
      name: "comments-20260310T030000Z",
      size: 4096,
      startedAt: "",
      completedAt: "",
      rows: 12,
    });
    const status = computeBackupStatus(
      input({
        jobs: [done, job("comments-backup-2", "Running", "2026-03-10T11:59:00Z")],
        pods: [pod("comments-backup-1", message, 0)],
      }),
    );
    expect(status.lastBackup).toEqual({
      name: "comments-backup-1",
      startedAt: "2026-03-10T02:55:00Z",
      completedAt: "2026-03-10T03:05:00Z",
      size: 4096,
      succeeded: true,
    });
    expect(cond(status, "BackupSucceeded")).toMatchObject({ status: "True", reason: "BackupCompleted" });
    expect(cond(status, "BackupStale")).toMatchObject({ status: "False", reason: "BackupRecent" });
    expect(status.staleAt?.toISOString()).toBe("2026-03-12T03:05:00.000Z");
  });

  it("fails BackupSucceeded with the reason from the termination message", () => {
    const failed = job("comments-backup-3", "Failed", "2026-03-10T03:02:00Z");
    const message = JSON.stringify({
      reason: "DatabaseUnreachable",
      message: "cannot connect to the database: ECONNREFUSED",
    });
    const status = computeBackupStatus(
      input({
        jobs: [job("comments-backup-1", "Complete", "2026-03-09T03:05:00Z"), failed],
        pods: [pod("comments-backup-3", message, 1)],
      }),
    );
    expect(status.lastBackup).toMatchObject({ name: "comments-backup-3", succeeded: false });
    expect(status.lastSuccessfulBackup).toEqual({
      name: "comments-backup-1",
      completedAt: "2026-03-09T03:05:00Z",
    });
    expect(cond(status, "BackupSucceeded")).toMatchObject({ status: "False", reason: "DatabaseUnreachable" });
    expect(cond(status, "BackupSucceeded")?.message).toContain("ECONNREFUSED");
    expect(status.failureReason).toBe("DatabaseUnreachable");
  });

  it("falls back to the Job's own reason when the pod left no contract message", () => {
    const status = computeBackupStatus(
      input({ jobs: [job("comments-backup-4", "Failed", "2026-03-10T03:02:00Z")] }),
    );
    expect(cond(status, "BackupSucceeded")).toMatchObject({ status: "False", reason: "BackupJobFailed" });
    expect(cond(status, "BackupSucceeded")?.message).toContain("BackoffLimitExceeded");
  });

  it("is stale once the last success is older than two schedule intervals", () => {
    const status = computeBackupStatus(
      input({
        jobs: [job("comments-backup-1", "Complete", "2026-03-08T03:05:00Z")],
        now: new Date("2026-03-10T03:06:00Z"),
      }),
    );
    expect(cond(status, "BackupStale")).toMatchObject({ status: "True", reason: "BackupStale" });
    const fresh = computeBackupStatus(
      input({
        jobs: [job("comments-backup-1", "Complete", "2026-03-08T03:05:00Z")],
        now: new Date("2026-03-10T03:04:00Z"),
      }),
    );
    expect(cond(fresh, "BackupStale")?.status).toBe("False");
  });

  it("keeps a recorded success newer than any Job left by the history limit", () => {
    const recorded = { name: "comments-backup-0", completedAt: "2026-03-10T03:05:00Z" };
    const status = computeBackupStatus(
      input({
        service: service({ lastSuccessfulBackup: recorded }),
        jobs: [job("comments-backup-x", "Complete", "2026-03-01T03:05:00Z")],
      }),
    );
    expect(status.lastSuccessfulBackup).toEqual(recorded);
    expect(cond(status, "BackupStale")?.status).toBe("False");
  });

  it("says no backup has finished yet, and becomes stale when none succeeds for two intervals", () => {
    const status = computeBackupStatus(input({}));
    expect(cond(status, "BackupSucceeded")).toMatchObject({ status: "Unknown", reason: "NoBackupYet" });
    const late = computeBackupStatus(input({ now: new Date("2026-03-12T00:00:01Z") }));
    expect(cond(late, "BackupStale")).toMatchObject({ status: "True" });
  });

  it("drops the backup conditions when spec.backup is removed, keeping the record", () => {
    const withBackup = computeBackupStatus(
      input({ jobs: [job("comments-backup-1", "Complete", "2026-03-10T03:05:00Z")] }),
    );
    const removed = service({ conditions: withBackup.conditions, lastBackup: withBackup.lastBackup! });
    delete removed.spec.backup;
    const status = computeBackupStatus(input({ service: removed }));
    expect(status.conditions.map((c) => c.type)).toEqual([]);
    expect(status.lastBackup?.name).toBe("comments-backup-1");
  });
});
