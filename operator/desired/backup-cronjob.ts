// The backup CronJob of a ModerationService with spec.backup: `vigil-runtime backup` from the
// runtime image, on the spec's schedule, one at a time (Forbid: a slow backup is never
// overlapped by the next), with the restricted security context every Vigil pod has. The
// database URL comes from the same Secret key the runtime reads; the destination is the PVC
// mounted at /backups or an s3:// URL with credentials from a Secret. The job template is also
// what an on-demand backup (the backup-now annotation) runs, see backup-job.ts.
import type {
  V1CronJob,
  V1EnvVar,
  V1JobTemplateSpec,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import { buildContext, type BuildContext } from "./context.js";
import type { ResolvedBackup } from "./defaults.js";
import { DesiredInputError } from "./errors.js";
import { envValue, fieldRefEnv, secretKeyEnv } from "./env.js";
import type { DesiredInput } from "./input.js";
import { backupLabels } from "./labels.js";
import { BACKUP_CONTAINER, BACKUP_SUBCOMMAND, MOUNT } from "./runtime-contract.js";
import { containerSecurityContext, podSecurityContext } from "./security.js";

export const BACKUP_JOB = {
  /** A run missed by more than this (operator or control plane down) is skipped, not run late. */
  startingDeadlineSeconds: 3600,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
  /** One retry: a transient database or network failure should not cost a day's backup. */
  backoffLimit: 1,
  /** A backup still running after this is stuck, not slow. */
  activeDeadlineSeconds: 6 * 3600,
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
} as const;

const DESTINATION_VOLUME = "backups";
const RESOURCES_VOLUME = "backup-resources";
const TMP_VOLUME = "tmp";

function destinationEnv(backup: ResolvedBackup): V1EnvVar[] {
  const d = backup.destination;
  if (d.kind === "pvc") return [envValue("VIGIL_BACKUP_DESTINATION", MOUNT.backupDestination)];
  const credential = (name: string): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: d.credentialsSecretName, key: name } },
  });
  return [
    envValue("VIGIL_BACKUP_DESTINATION", `s3://${d.bucket}/${d.prefix}`),
    ...(d.endpoint ? [envValue("VIGIL_S3_ENDPOINT", d.endpoint)] : []),
    ...(d.region ? [envValue("VIGIL_S3_REGION", d.region)] : []),
    envValue("VIGIL_S3_FORCE_PATH_STYLE", d.forcePathStyle),
    credential("AWS_ACCESS_KEY_ID"),
    credential("AWS_SECRET_ACCESS_KEY"),
  ];
}

function volumes(
  ctx: BuildContext,
  backup: ResolvedBackup,
): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const list: V1Volume[] = [
    { name: RESOURCES_VOLUME, configMap: { name: ctx.names.backupResourcesConfigMap } },
    // The dump is staged here before an S3 upload; the root filesystem is read-only.
    { name: TMP_VOLUME, emptyDir: {} },
  ];
  const mounts: V1VolumeMount[] = [
    { name: RESOURCES_VOLUME, mountPath: MOUNT.backupResources, readOnly: true },
    { name: TMP_VOLUME, mountPath: MOUNT.tmp },
  ];
  if (backup.destination.kind === "pvc") {
    list.unshift({
      name: DESTINATION_VOLUME,
      persistentVolumeClaim: { claimName: backup.destination.claimName },
    });
    mounts.unshift({ name: DESTINATION_VOLUME, mountPath: MOUNT.backupDestination });
  }
  return { volumes: list, mounts };
}

export function backupJobTemplate(ctx: BuildContext, backup: ResolvedBackup): V1JobTemplateSpec {
  const { service, serviceName } = ctx;
  const postgres = service.storage.postgres;
  if (!postgres) {
    throw new DesiredInputError(
      "ModerationService spec.backup",
      "needs spec.storage.postgres: it backs up the decision log",
    );
  }
  const labels = backupLabels(serviceName);
  const { volumes: podVolumes, mounts } = volumes(ctx, backup);
  return {
    metadata: { labels },
    spec: {
      backoffLimit: BACKUP_JOB.backoffLimit,
      activeDeadlineSeconds: BACKUP_JOB.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: ctx.names.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          restartPolicy: "Never",
          securityContext: podSecurityContext(),
          ...(Object.keys(service.placement.nodeSelector).length > 0 && {
            nodeSelector: service.placement.nodeSelector,
          }),
          ...(service.placement.tolerations.length > 0 && { tolerations: service.placement.tolerations }),
          containers: [
            {
              name: BACKUP_CONTAINER,
              image: service.runtime.image,
              ...(service.runtime.imagePullPolicy && { imagePullPolicy: service.runtime.imagePullPolicy }),
              args: [BACKUP_SUBCOMMAND],
              env: [
                secretKeyEnv("DATABASE_URL", postgres),
                envValue("VIGIL_SERVICE_NAME", serviceName),
                fieldRefEnv("POD_NAMESPACE", "metadata.namespace"),
                ...destinationEnv(backup),
                envValue("VIGIL_BACKUP_RETENTION", backup.retention),
                envValue("VIGIL_BACKUP_RESOURCES_DIR", MOUNT.backupResources),
              ],
              resources: {
                requests: { ...BACKUP_JOB.resources.requests },
                limits: { ...BACKUP_JOB.resources.limits },
              },
              volumeMounts: mounts,
              securityContext: containerSecurityContext(),
              // The container writes one JSON line (BackupTerminationMessage); a crash before
              // it does still leaves its last log lines for the operator to show.
              terminationMessagePolicy: "FallbackToLogsOnError",
            },
          ],
          volumes: podVolumes,
        },
      },
    },
  };
}

export function buildBackupCronJob(input: DesiredInput): V1CronJob | null {
  const ctx = buildContext(input);
  const backup = ctx.service.backup;
  if (!backup) return null;
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: {
      name: ctx.names.backupCronJob,
      namespace: ctx.namespace,
      labels: backupLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    spec: {
      schedule: backup.schedule,
      suspend: backup.suspend,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: BACKUP_JOB.startingDeadlineSeconds,
      successfulJobsHistoryLimit: BACKUP_JOB.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: BACKUP_JOB.failedJobsHistoryLimit,
      jobTemplate: backupJobTemplate(ctx, backup),
    },
  };
}
