// One backup: dump the decision log, save the service's resources and model manifest, checksum
// everything into manifest.json, publish (manifest last), then apply retention. Any failure
// before publishing discards the staged files; the error says which part failed, as one of the
// BACKUP_FAILURE_REASONS the operator shows in the BackupSucceeded condition.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BackupFailureReason } from "../../operator/desired/runtime-contract.js";
import { RUNTIME_VERSION } from "../paths.js";
import { backupName, isValidBackupName } from "./backup-name.js";
import type { BackupStore } from "./backup-store.js";
import { fileDigest } from "./checksum.js";
import { dumpDecisionLog } from "./decision-dump.js";
import { MANIFEST_FORMAT, totalSize, type BackupFileEntry, type BackupManifest } from "./manifest.js";
import { PostgresToolError } from "./postgres-tools.js";
import { modelManifest, readResources } from "./resource-snapshot.js";
import { backupsToPrune } from "./retention.js";

export const DUMP_FILE = "decisions.dump";
export const MODEL_FILE = "model.json";

export class BackupError extends Error {
  constructor(
    readonly reason: BackupFailureReason,
    message: string,
  ) {
    super(message);
    this.name = "BackupError";
  }
}

export interface BackupOptions {
  databaseUrl: string;
  store: BackupStore;
  /** Name prefix, normally the ModerationService's name. */
  prefix: string;
  /** Directory of the service's resources (the mounted ConfigMap); none: no resources saved. */
  resourcesDir?: string;
  service?: { namespace?: string; name: string };
  /** e.g. `30d`; none: nothing is pruned. */
  retention?: string;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

export interface BackupResult {
  name: string;
  manifest: BackupManifest;
  size: number;
  pruned: string[];
  retentionError?: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function stageFiles(
  options: BackupOptions,
  dir: string,
  startedAt: Date,
  name: string,
): Promise<BackupManifest> {
  let dump;
  try {
    dump = await dumpDecisionLog(options.databaseUrl, path.join(dir, DUMP_FILE), options.env);
  } catch (error) {
    const unreachable = error instanceof PostgresToolError && error.message.startsWith("cannot connect");
    throw new BackupError(unreachable ? "DatabaseUnreachable" : "DumpFailed", message(error));
  }
  let resources;
  try {
    resources = options.resourcesDir ? await readResources(options.resourcesDir) : [];
  } catch (error) {
    throw new BackupError("BackupMisconfigured", `reading the service's resources: ${message(error)}`);
  }
  const model = modelManifest(resources);
  const written = [DUMP_FILE];
  if (resources.length) await mkdir(path.join(dir, "resources"));
  for (const resource of resources) {
    await writeFile(path.join(dir, resource.file), resource.yaml);
    written.push(resource.file);
  }
  if (model) {
    await writeFile(path.join(dir, MODEL_FILE), `${JSON.stringify(model, null, 2)}\n`);
    written.push(MODEL_FILE);
  }
  const files: BackupFileEntry[] = [];
  for (const file of written) files.push({ path: file, ...(await fileDigest(path.join(dir, file))) });
  const now = options.now ?? (() => new Date());
  return {
    format: MANIFEST_FORMAT,
    name,
    ...(options.service && { service: options.service }),
    vigilVersion: RUNTIME_VERSION,
    startedAt: startedAt.toISOString(),
    completedAt: now().toISOString(),
    postgres: { serverVersion: dump.serverVersion, pgDumpVersion: dump.pgDumpVersion },
    decisions: { rows: dump.rows, oldest: dump.oldest, newest: dump.newest },
    tables: dump.tables,
    ...(model && { model }),
    files,
  };
}

export async function takeBackup(options: BackupOptions): Promise<BackupResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const name = backupName(options.prefix, startedAt);
  if (!isValidBackupName(name))
    throw new BackupError("BackupMisconfigured", `backup name ${name} is not valid`);
  let staging: string;
  try {
    staging = await options.store.stage(name);
  } catch (error) {
    throw new BackupError("DestinationUnwritable", `${options.store.location}: ${message(error)}`);
  }
  let manifest: BackupManifest;
  try {
    manifest = await stageFiles(options, staging, startedAt, name);
  } catch (error) {
    await options.store.discard(staging).catch(() => undefined);
    if (error instanceof BackupError) throw error;
    throw new BackupError("DestinationUnwritable", `${options.store.location}: ${message(error)}`);
  }
  try {
    await options.store.publish(name, staging, manifest);
  } catch (error) {
    await options.store.discard(staging).catch(() => undefined);
    throw new BackupError("DestinationUnwritable", `${options.store.location}: ${message(error)}`);
  }
  const result: BackupResult = { name, manifest, size: totalSize(manifest), pruned: [] };
  if (options.retention) {
    try {
      for (const expired of backupsToPrune(await options.store.list(), options.retention, now())) {
        await options.store.remove(expired);
        result.pruned.push(expired);
      }
    } catch (error) {
      result.retentionError = `retention: ${message(error)}`;
    }
  }
  return result;
}
