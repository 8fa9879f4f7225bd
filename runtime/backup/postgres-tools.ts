// pg_dump and pg_restore, the only tools that read and write Postgres' custom dump format.
// They come from VIGIL_PG_BIN_DIR, else PATH, else the newest Debian /usr/lib/postgresql/<major>/bin.
// VIGIL_PG_LIB_DIR (the runtime image) holds their shared libraries; it is the tools'
// LD_LIBRARY_PATH only, so the Node process never loads a library from it.
// The password travels in PGPASSWORD, not argv, so it never shows in a process listing.
import { execFile, type ExecFileException } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

export class PostgresToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PostgresToolError";
  }
}

export type PostgresTool = "pg_dump" | "pg_restore";

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, binary))) return path.join(dir, binary);
  }
  return undefined;
}

export function locateTool(tool: PostgresTool, env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_PG_BIN_DIR) {
    const candidate = path.join(env.VIGIL_PG_BIN_DIR, tool);
    if (!existsSync(candidate))
      throw new PostgresToolError(`${tool} not found in VIGIL_PG_BIN_DIR ${env.VIGIL_PG_BIN_DIR}`);
    return candidate;
  }
  const found = onPath(tool, env);
  if (found) return found;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => existsSync(path.join(root, d, "bin", tool)))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return path.join(root, majors[0], "bin", tool);
  }
  throw new PostgresToolError(
    `${tool} not found: install the PostgreSQL client (e.g. postgresql-client-15) or set VIGIL_PG_BIN_DIR`,
  );
}

/** A libpq connection for the tools: the URL without its password, and the password as PGPASSWORD. */
export function toolConnection(databaseUrl: string): { dbname: string; env: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new PostgresToolError("database URL is not a valid postgres:// URL");
  }
  const password = decodeURIComponent(url.password);
  url.password = "";
  return { dbname: url.toString(), env: password ? { PGPASSWORD: password } : {} };
}

export interface ToolRun {
  stdout: string;
  stderr: string;
}

export function runTool(
  tool: PostgresTool,
  args: string[],
  options: { env?: Record<string, string>; processEnv?: NodeJS.ProcessEnv } = {},
): Promise<ToolRun> {
  const processEnv = options.processEnv ?? process.env;
  const binary = locateTool(tool, processEnv);
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        env: {
          ...processEnv,
          ...(processEnv.VIGIL_PG_LIB_DIR && { LD_LIBRARY_PATH: processEnv.VIGIL_PG_LIB_DIR }),
          ...options.env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error: ExecFileException | null, stdout, stderr) => {
        if (error) {
          const detail =
            stderr
              .split("\n")
              .map((l) => l.trim())
              .find((l) => l.length > 0) ?? error.message;
          reject(
            new PostgresToolError(
              `${tool} failed: ${detail.replace(/^(pg_dump|pg_restore): (error: )?/, "")}`,
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)" -> "15.14". */
export async function toolVersion(
  tool: PostgresTool,
  processEnv: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const { stdout } = await runTool(tool, ["--version"], { processEnv });
  return /\(PostgreSQL\)\s+(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
}

export function majorVersion(version: string): number {
  return Number.parseInt(version, 10);
}
