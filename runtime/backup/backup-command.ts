// `vigil-runtime backup` and `vigil-runtime restore`: the commands the backup CronJob and a
// restore Job run. Settings come from flags, else the environment the operator sets.
import { openStore, s3OptionsFromEnv } from "./open-store.js";
import type { S3Options } from "./s3-store.js";
import { describeRestore, restoreBackup } from "./restore-backup.js";
import { BackupError, takeBackup } from "./take-backup.js";
import { writeBackupTerminationMessage } from "./termination-message.js";

export interface BackupFlags {
  to?: string;
  namePrefix?: string;
  resourcesDir?: string;
  retention?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3ForcePathStyle?: boolean;
}

/** Usage problems: the caller exits 2. */
export class BackupUsageError extends Error {
  override name = "BackupUsageError";
}

export function s3Options(flags: BackupFlags, env: NodeJS.ProcessEnv): S3Options {
  return {
    ...s3OptionsFromEnv(env),
    ...(flags.s3Endpoint && { endpoint: flags.s3Endpoint }),
    ...(flags.s3Region && { region: flags.s3Region }),
    ...(flags.s3ForcePathStyle && { forcePathStyle: true }),
  };
}

export async function runBackup(
  flags: BackupFlags,
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): Promise<void> {
  const destination = flags.to ?? env.VIGIL_BACKUP_DESTINATION;
  const misconfigured = (message: string) => {
    writeBackupTerminationMessage({ reason: "BackupMisconfigured", message }, env);
    return new BackupUsageError(message);
  };
  if (!destination) throw misconfigured("no destination: pass --to or set VIGIL_BACKUP_DESTINATION");
  if (!env.DATABASE_URL) throw misconfigured("DATABASE_URL is not set: nothing to back up");
  const serviceName = env.VIGIL_SERVICE_NAME;
  try {
    const result = await takeBackup({
      databaseUrl: env.DATABASE_URL,
      store: openStore(destination, s3Options(flags, env)),
      prefix: flags.namePrefix ?? env.VIGIL_BACKUP_PREFIX ?? serviceName ?? "vigil",
      ...((flags.resourcesDir ?? env.VIGIL_BACKUP_RESOURCES_DIR) && {
        resourcesDir: flags.resourcesDir ?? env.VIGIL_BACKUP_RESOURCES_DIR,
      }),
      ...(serviceName && {
        service: { name: serviceName, ...(env.POD_NAMESPACE && { namespace: env.POD_NAMESPACE }) },
      }),
      retention: flags.retention ?? env.VIGIL_BACKUP_RETENTION ?? "30d",
      env,
    });
    const { manifest } = result;
    writeBackupTerminationMessage(
      {
        reason: "BackupCompleted",
        name: result.name,
        size: result.size,
        startedAt: manifest.startedAt,
        completedAt: manifest.completedAt,
        rows: manifest.decisions.rows,
        ...(result.retentionError && { retentionError: result.retentionError }),
      },
      env,
    );
    out(
      `backup ${result.name} written to ${destination}: ${manifest.decisions.rows} decisions, ${result.size} bytes`,
    );
    if (result.pruned.length) out(`retention removed ${result.pruned.length}: ${result.pruned.join(", ")}`);
    if (result.retentionError) out(`warning: ${result.retentionError}`);
  } catch (error) {
    if (error instanceof BackupError) {
      writeBackupTerminationMessage({ reason: error.reason, message: error.message }, env);
    }
    throw error;
  }
}

export async function runRestore(
  flags: BackupFlags & { from: string; to?: string; force?: boolean },
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): Promise<void> {
  const to = flags.to ?? env.DATABASE_URL;
  if (!to) throw new BackupUsageError("no target database: pass --to <postgres://...> or set DATABASE_URL");
  const report = await restoreBackup({
    from: flags.from,
    to,
    force: flags.force ?? false,
    s3: s3Options(flags, env),
    env,
  });
  for (const line of describeRestore(report)) out(line);
}
