// The Job of an on-demand backup (annotation moderation.vigil.dev/backup-now): the CronJob's
// own job template, so it runs exactly what the schedule runs. Its name derives from the
// annotation value, so a reconcile repeated before status records the request finds the Job
// already there (AlreadyExists) instead of starting a second backup.
import type { V1CronJob, V1Job } from "@kubernetes/client-node";
import type { ModerationService } from "../../crds/index.js";
import { shortHash } from "./canonical.js";
import { checkServiceName, childNames } from "./names.js";
import { controllerReference } from "./owner.js";

export const BACKUP_REQUEST_ANNOTATION = "moderation.vigil.dev/backup-request";

export function onDemandBackupJobName(cronJobName: string, requestValue: string): string {
  return `${cronJobName}-now-${shortHash(requestValue, 6)}`;
}

/** Owned by the service (not the CronJob), so its progress reconciles the service. */
export function buildOnDemandBackupJob(
  service: ModerationService,
  cronJob: V1CronJob,
  requestValue: string,
): V1Job {
  const names = childNames(checkServiceName(service.metadata.name));
  const template = cronJob.spec!.jobTemplate;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: onDemandBackupJobName(names.backupCronJob, requestValue),
      namespace: service.metadata.namespace,
      labels: { ...template.metadata?.labels },
      annotations: { [BACKUP_REQUEST_ANNOTATION]: requestValue },
      ownerReferences: [controllerReference(service)],
    },
    spec: template.spec,
  };
}
