// A consistent dump of the decision log. One transaction exports its snapshot; the row count
// and time range are read in that transaction and pg_dump runs in the same snapshot
// (--snapshot), so the manifest's numbers are exactly what the dump holds even while the
// runtime keeps writing decisions.
import pg from "pg";
import { majorVersion, PostgresToolError, runTool, toolConnection, toolVersion } from "./postgres-tools.js";

/** The decision log's tables: the decisions and node-pg-migrate's record of the schema. */
export const DECISION_LOG_TABLES = ["vigil_decisions", "vigil_migrations"] as const;
export const DECISIONS_TABLE = "vigil_decisions";

export interface DecisionDump {
  serverVersion: string;
  pgDumpVersion: string;
  rows: number;
  oldest: string | null;
  newest: string | null;
  tables: Record<string, number>;
}

function firstLine(error: unknown): string {
  const { message, code } = error as NodeJS.ErrnoException;
  return (message ?? "").split("\n")[0] || code || String(error);
}

export async function dumpDecisionLog(
  databaseUrl: string,
  file: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): Promise<DecisionDump> {
  const pgDumpVersion = await toolVersion("pg_dump", processEnv);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new PostgresToolError(`cannot connect to the database: ${firstLine(error)}`);
  }
  client.on("error", () => undefined); // surfaced by the query in flight
  try {
    const serverVersion = (
      await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")
    ).rows[0]!.v.split(" ")[0]!;
    // pg_dump refuses a newer server; say which versions instead of its generic message.
    if (majorVersion(pgDumpVersion) < majorVersion(serverVersion)) {
      throw new PostgresToolError(
        `pg_dump ${pgDumpVersion} is older than the server (${serverVersion}): the image needs a client of major version >= ${majorVersion(serverVersion)}`,
      );
    }
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id;
    const tables: Record<string, number> = {};
    for (const table of DECISION_LOG_TABLES) {
      const exists = (await client.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [table]))
        .rows[0]!.t;
      if (!exists) continue;
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      tables[table] = Number(rows[0]!.n);
    }
    if (tables[DECISIONS_TABLE] === undefined) {
      throw new PostgresToolError(
        `table ${DECISIONS_TABLE} does not exist: the decision log was never migrated`,
      );
    }
    const range = await client.query<{ oldest: Date | null; newest: Date | null }>(
      `SELECT min(decided_at) AS oldest, max(decided_at) AS newest FROM ${DECISIONS_TABLE}`,
    );
    const { dbname, env } = toolConnection(databaseUrl);
    await runTool(
      "pg_dump",
      [
        `--dbname=${dbname}`,
        "--format=custom",
        `--snapshot=${snapshot}`,
        "--no-owner",
        "--no-privileges",
        ...Object.keys(tables).map((t) => `--table=${t}`),
        `--file=${file}`,
      ],
      { env, processEnv },
    );
    await client.query("COMMIT");
    return {
      serverVersion,
      pgDumpVersion,
      rows: tables[DECISIONS_TABLE],
      oldest: range.rows[0]!.oldest?.toISOString() ?? null,
      newest: range.rows[0]!.newest?.toISOString() ?? null,
      tables,
    };
  } catch (error) {
    if (error instanceof PostgresToolError) throw error;
    throw new PostgresToolError(`reading the decision log failed: ${firstLine(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
