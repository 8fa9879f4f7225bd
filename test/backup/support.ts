// Helpers for the backup tests: decisions to write, fresh databases on the test server, a
// checksum over every row, the `vigil-runtime` binary as a process, and a pg_dump wrapper that
// runs the real pg_dump but pauses at a point the test chooses, so "during the backup" is a
// state the test waits for rather than a race it hopes to win.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Action } from "../../crds/index.js";
import type { LoggedDecision } from "../../runtime/decisions/postgres-decision-log.js";
import { locateTool } from "../../runtime/backup/postgres-tools.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function decision(i: number, action: Action = "allow"): LoggedDecision {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000).toISOString(),
    requestId: `req-${i}`,
    api: "classify",
    textSha256: i.toString(16).padStart(64, "0"),
    textLength: 10 + (i % 50),
    rawText: `text number ${i} with ünïcode ✓`,
    language: "en",
    action,
    reasons: action === "allow" ? [] : [{ category: "toxicity", score: 0.91, threshold: 0.9, action }],
    modelName: "vigil-default",
    modelVersion: "1.0.0",
    policyName: "comments",
    policyGeneration: 3,
    cached: i % 3 === 0,
    scores: { toxicity: (i % 100) / 100 },
    clientId: `client-${i % 7}`,
    latencyMs: 4.5,
    context: { contentId: `c-${i}` },
  };
}

/** A new empty database on the server behind `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  args: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, args)).rows;
  } finally {
    await client.end();
  }
}

/** Row count and an md5 over every column of every decision, in id order. */
export async function decisionsFingerprint(url: string): Promise<{ rows: number; md5: string }> {
  const [row] = await query<{ rows: number; md5: string }>(
    url,
    `SELECT count(*)::int AS rows, coalesce(md5(string_agg(d::text, E'\\n' ORDER BY id)), '') AS md5 FROM vigil_decisions d`,
  );
  return row!;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `vigil-runtime <args>` as its own process group, so a test can kill it and its pg_dump together. */
export function startRuntime(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<Run> } {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "runtime/main.ts", ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export const runRuntime = (args: string[], env: Record<string, string>) => startRuntime(args, env).done;

/**
 * A directory with a `pg_dump` that signals `<gate>/started`, waits for `<gate>/go`, runs the
 * real pg_dump, signals `<gate>/dumped`, then waits for `<gate>/finish`. Use as VIGIL_PG_BIN_DIR
 * (pg_restore is linked through unchanged). Without the gate files it behaves like pg_dump.
 */
export async function gatedPostgresTools(): Promise<{ binDir: string; gate: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-gated-pg-"));
  const gate = path.join(dir, "gate");
  await mkdir(gate);
  const realDump = locateTool("pg_dump");
  const realRestore = locateTool("pg_restore");
  const wait = (file: string) => `while [ ! -e "${gate}/${file}" ]; do sleep 0.02; done`;
  await writeFile(
    path.join(dir, "pg_dump"),
    `#!/bin/sh
if [ "$1" = "--version" ]; then exec "${realDump}" --version; fi
touch "${gate}/started"
${wait("go")}
"${realDump}" "$@" || exit $?
touch "${gate}/dumped"
${wait("finish")}
`,
  );
  await writeFile(path.join(dir, "pg_restore"), `#!/bin/sh\nexec "${realRestore}" "$@"\n`);
  await chmod(path.join(dir, "pg_dump"), 0o755);
  await chmod(path.join(dir, "pg_restore"), 0o755);
  return { binDir: dir, gate };
}

export async function waitForFile(file: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await stat(file).catch(() => undefined))) {
    if (Date.now() > deadline) throw new Error(`${file} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lets a gated pg_dump past `step`. */
export const openGate = (gate: string, step: "go" | "finish") => writeFile(path.join(gate, step), "");
