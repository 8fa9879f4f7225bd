// The Job of an on-demand backup (annotation moderation.vigil.dev/backup-now): the CronJob's
// own job template, so it runs exactly what the schedule runs. Its name derives from the
// annotation value, so a reconcile repeated before status records the request finds the Job
// already there (AlreadyExists) instead of starting a second backup.
import type { V1CronJob, V1Job } from "@kubernetes/client-node";
import { shortHash } from "./canonical.js";
import { buildContext } from "./context.js";
import type { DesiredInput } from "./input.js";

export function onDemandBackupJobName(cronJobName: string, requestValue: string): string {
  return `${cronJobName}-now-${shortHash(requestValue, 6)}`;
}

export function buildOnDemandBackupJob(input: DesiredInput, cronJob: V1CronJob, requestValue: string): V1Job {
  const ctx = buildContext(input);
  const template = cronJob.spec!.jobTemplate;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: onDemandBackupJobName(ctx.names.backupCronJob, requestValue),
      namespace: ctx.namespace,
      labels: { ...template.metadata?.labels },
      annotations: { "moderation.vigil.dev/backup-request": requestValue },
      ownerReferences: [ctx.owner],
    },
    spec: template.spec,
  };
}
