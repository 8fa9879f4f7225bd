import type { V1CronJob } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildBackupCronJob } from "./backup-cronjob.js";
import { buildOnDemandBackupJob, onDemandBackupJobName } from "./backup-job.js";
import { buildBackupResourcesConfigMap } from "./backup-resources-configmap.js";
import { fullInput, minimalInput } from "./fixtures.js";
import { ANNOTATION, LABEL } from "./labels.js";
import { validateUpstream } from "./testing/upstream.js";

const container = (cronJob: V1CronJob) => cronJob.spec!.jobTemplate.spec!.template.spec!.containers[0]!;
const env = (cronJob: V1CronJob) =>
  Object.fromEntries(container(cronJob).env!.map((e) => [e.name, e.value ?? e.valueFrom]));

function s3Input() {
  const input = fullInput();
  input.service.spec.backup = {
    schedule: "15 */6 * * *",
    retention: "4w",
    suspend: true,
    destination: {
      s3: {
        bucket: "vigil-backups",
        prefix: "prod/comments",
        endpoint: "https://s3.internal:9000",
        forcePathStyle: true,
        credentialsSecretRef: { name: "backup-s3" },
      },
    },
  };
  return input;
}

describe("buildBackupCronJob", () => {
  it("is absent without spec.backup", () => {
    expect(buildBackupCronJob(minimalInput())).toBeNull();
    expect(buildBackupResourcesConfigMap(minimalInput())).toBeNull();
  });

  it("runs one backup at a time on the schedule, with history limits and a starting deadline", () => {
    const cronJob = buildBackupCronJob(fullInput())!;
    validateUpstream(cronJob);
    expect(cronJob.spec).toMatchObject({
      schedule: "0 3 * * *",
      suspend: false,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
    });
    expect(container(cronJob).args).toEqual(["backup"]);
    expect(container(cronJob).securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(container(cronJob).resources?.limits?.memory).toBe("1Gi");
  });

  it("reads the database URL from the runtime's Secret key and mounts the PVC", () => {
    const cronJob = buildBackupCronJob(fullInput())!;
    expect(env(cronJob)).toMatchObject({
      DATABASE_URL: { secretKeyRef: { name: "comments-db", key: "url" } },
      VIGIL_BACKUP_DESTINATION: "/backups",
      VIGIL_BACKUP_RETENTION: "30d",
      VIGIL_SERVICE_NAME: "comments-prod",
    });
    const volumes = cronJob.spec!.jobTemplate.spec!.template.spec!.volumes!;
    expect(volumes).toContainEqual({
      name: "backups",
      persistentVolumeClaim: { claimName: "vigil-backups" },
    });
  });

  it("points at the bucket with credentials from the Secret for an S3 destination, and suspends", () => {
    const cronJob = buildBackupCronJob(s3Input())!;
    validateUpstream(cronJob);
    expect(cronJob.spec?.suspend).toBe(true);
    expect(env(cronJob)).toMatchObject({
      VIGIL_BACKUP_DESTINATION: "s3://vigil-backups/prod/comments",
      VIGIL_S3_ENDPOINT: "https://s3.internal:9000",
      VIGIL_S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: "backup-s3", key: "AWS_ACCESS_KEY_ID" } },
      AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: "backup-s3", key: "AWS_SECRET_ACCESS_KEY" } },
    });
    const volumes = cronJob.spec!.jobTemplate.spec!.template.spec!.volumes!.map((v) => v.name);
    expect(volumes).not.toContain("backups");
  });

  it("labels its pods so that no runtime selector matches them", () => {
    const labels = buildBackupCronJob(fullInput())!.spec!.jobTemplate.spec!.template.metadata!.labels!;
    expect(labels[LABEL.name]).toBe("vigil-backup");
    expect(labels[LABEL.instance]).toBe("comments-prod");
  });

  it("keeps the CronJob name within 52 characters for a long service name", () => {
    const input = fullInput();
    input.service.metadata.name = `s${"x".repeat(62)}`;
    expect(buildBackupCronJob(input)!.metadata!.name!.length).toBeLessThanOrEqual(52);
  });
});

describe("buildOnDemandBackupJob", () => {
  it("runs the CronJob's template under a name derived from the request", () => {
    const input = fullInput();
    const cronJob = buildBackupCronJob(input)!;
    const job = buildOnDemandBackupJob(input.service, cronJob, "2026-03-01T10:00:00Z");
    validateUpstream(job);
    expect(job.spec).toEqual(cronJob.spec!.jobTemplate.spec);
    expect(job.metadata?.name).toBe(onDemandBackupJobName("comments-prod-backup", "2026-03-01T10:00:00Z"));
    expect(buildOnDemandBackupJob(input.service, cronJob, "2026-03-01T10:00:00Z").metadata?.name).toBe(
      job.metadata?.name,
    );
    expect(buildOnDemandBackupJob(input.service, cronJob, "again").metadata?.name).not.toBe(
      job.metadata?.name,
    );
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ModerationService", controller: true });
  });
});

describe("buildBackupResourcesConfigMap", () => {
  it("holds the three resources without status, server fields or the backup-now annotation", () => {
    const input = fullInput();
    input.service.metadata.annotations = { [ANNOTATION.backupNow]: "x", team: "trust" };
    input.service.metadata.resourceVersion = "99";
    const data = buildBackupResourcesConfigMap(input)!.data!;
    expect(Object.keys(data).sort()).toEqual([
      "modeldeployment.yaml",
      "moderationservice.yaml",
      "policy.yaml",
    ]);
    expect(data["moderationservice.yaml"]).toContain("team: trust");
    for (const text of Object.values(data)) {
      expect(text).not.toMatch(/^status:|uid:|resourceVersion:|backup-now/m);
    }
  });
});
