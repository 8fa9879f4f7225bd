// Ephemeral PostgreSQL for tests: initdb in a temp dir, pg_ctl on a random port, removed on
// close. Honours DATABASE_URL to use an existing server instead. stop()/start() keep the
// data dir so tests can simulate an outage and a recovery.
import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { postgresBinDir } from "./binaries.js";
import { freePort, waitFor } from "./ports.js";
import { externalServer, type TestServer } from "./test-server.js";

const run = promisify(execFile);

export type TestPostgres = TestServer;

/**
 * Postgres refuses to run as root, and CI runs as root: then every server command runs as
 * the `postgres` system user that the Debian package creates.
 */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL) return externalServer("DATABASE_URL", process.env.DATABASE_URL);

  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "vigil-pg-"));
  const data = join(dir, "data");
  const socketDir = join(dir, "sock");
  const port = await freePort();
  if (userInfo().uid === 0) {
    const { uid, gid } = await run("id", ["-u", "postgres"]).then(async (u) => ({
      uid: Number(u.stdout.trim()),
      gid: Number((await run("id", ["-g", "postgres"])).stdout.trim()),
    }));
    chownSync(dir, uid, gid);
  }
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, "vigil\n", { mode: 0o644 });
  const [initCmd, initArgs] = asServerUser(`${bin}/initdb`, [
    "-D",
    data,
    "-U",
    "vigil",
    "--pwfile",
    pwfile,
    "-A",
    "scram-sha-256",
    "--no-sync",
    "-E",
    "UTF8",
    "--locale=C",
  ]);
  await run(initCmd, initArgs);
  const [mk, mkArgs] = asServerUser("mkdir", ["-p", socketDir]);
  await run(mk, mkArgs);

  const url = `postgres://vigil:vigil@127.0.0.1:${port}/postgres`;
  const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async () => {
    const [cmd, args] = asServerUser(`${bin}/pg_ctl`, [
      "-D",
      data,
      "-o",
      options,
      "-l",
      join(dir, "log"),
      "-w",
      "start",
    ]);
    await run(cmd, args);
    await waitFor(`postgres on port ${port}`, () => canConnect(url));
  };
  const stop = async () => {
    const [cmd, args] = asServerUser(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"]);
    await run(cmd, args).catch(() => undefined);
  };
  await start();
  return {
    url,
    managed: true,
    dir,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
