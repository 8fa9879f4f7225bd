// Restoring a backup into a database: verify the manifest and every checksum, refuse a
// database that already holds tables unless forced, pg_restore the decision log in one
// transaction, then count what arrived and check it against the manifest. Shared by
// `vigil-runtime restore` (in a Job) and `vigil restore` (from a workstation).
import path from "node:path";
import pg from "pg";
import { DECISIONS_TABLE } from "./decision-dump.js";
import { DUMP_FILE } from "./take-backup.js";
import type { BackupManifest } from "./manifest.js";
import { openStore, splitBackupLocation } from "./open-store.js";
import { runTool, toolConnection } from "./postgres-tools.js";
import type { S3Options } from "./s3-store.js";
import { verifyBackup } from "./verify-backup.js";

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

export interface RestoreOptions {
  /** `<directory>/<name>` or `s3://bucket/prefix/<name>`. */
  from: string;
  to: string;
  force?: boolean;
  s3?: S3Options;
  env?: NodeJS.ProcessEnv;
}

export interface RestoreReport {
  name: string;
  manifest: BackupManifest;
  tables: Record<string, number>;
  oldest: string | null;
  newest: string | null;
}

const USER_RELATIONS = `
  SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    throw new RestoreRefusedError(
      `cannot connect to the target database: ${(message ?? "").split("\n")[0] || code}`,
    );
  }
  client.on("error", () => undefined);
  return client;
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const { destination, name } = splitBackupLocation(options.from);
  const store = openStore(destination, options.s3);
  const opened = await store.open(name);
  try {
    const manifest = await verifyBackup(opened.dir, name);
    const client = await connect(options.to);
    try {
      const existing = (await client.query<{ n: number }>(USER_RELATIONS)).rows[0]!.n;
      if (existing > 0 && !options.force) {
        throw new RestoreRefusedError(
          `the target database is not empty (${existing} tables or sequences): restore into a new database or pass --force to replace the decision log tables`,
        );
      }
      const { dbname, env } = toolConnection(options.to);
      await runTool(
        "pg_restore",
        [
          `--dbname=${dbname}`,
          "--no-owner",
          "--no-privileges",
          "--exit-on-error",
          "--single-transaction",
          ...(options.force ? ["--clean", "--if-exists"] : []),
          path.join(opened.dir, DUMP_FILE),
        ],
        { env, ...(options.env && { processEnv: options.env }) },
      );
      const tables: Record<string, number> = {};
      for (const table of Object.keys(manifest.tables)) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        tables[table] = Number(rows[0]!.n);
        if (tables[table] !== manifest.tables[table]) {
          throw new RestoreRefusedError(
            `${table} has ${tables[table]} rows after the restore, the manifest says ${manifest.tables[table]}`,
          );
        }
      }
      const range = await client.query<{ oldest: Date | null; newest: Date | null }>(
        `SELECT min(decided_at) AS oldest, max(decided_at) AS newest FROM ${DECISIONS_TABLE}`,
      );
      return {
        name,
        manifest,
        tables,
        oldest: range.rows[0]!.oldest?.toISOString() ?? null,
        newest: range.rows[0]!.newest?.toISOString() ?? null,
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await opened.release();
  }
}

/** What `restore` prints. */
export function describeRestore(report: RestoreReport): string[] {
  return [
    `restored backup ${report.name} (taken ${report.manifest.completedAt}, Vigil ${report.manifest.vigilVersion}, Postgres ${report.manifest.postgres.serverVersion})`,
    ...Object.entries(report.tables).map(([table, rows]) => `  ${table}: ${rows} rows`),
    report.oldest ? `  decisions from ${report.oldest} to ${report.newest}` : "  no decisions in the backup",
    ...(report.manifest.model
      ? [
          `  model ${report.manifest.model.name} ${report.manifest.model.version} (${report.manifest.model.uri})`,
        ]
      : []),
    ...(report.manifest.files.some((f) => f.path.startsWith("resources/"))
      ? ["  the service's resources are in resources/ of the backup: kubectl apply -f them to re-create it"]
      : []),
  ];
}
