// Locates the Debian-packaged server binaries the harness runs, failing with the exact
// package to install rather than a spawn ENOENT.
import { existsSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";

export class MissingBinaryError extends Error {
  constructor(binary: string, debianPackage: string) {
    super(
      `${binary} not found: install it with \`apt-get update && apt-get install -y ${debianPackage}\` ` +
        `(or set ${debianPackage === "postgresql" ? "DATABASE_URL" : "REDIS_URL"} to use a running server)`,
    );
    this.name = "MissingBinaryError";
  }
}

function onPath(binary: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Debian keeps initdb/pg_ctl off PATH under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const fromPath = onPath("pg_ctl");
  if (fromPath && onPath("initdb")) return fromPath.replace(/\/pg_ctl$/, "");
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => existsSync(`${root}/${d}/bin/pg_ctl`))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return `${root}/${majors[0]}/bin`;
  }
  throw new MissingBinaryError("initdb/pg_ctl", "postgresql");
}

export function redisServerBinary(): string {
  const path = onPath("redis-server");
  if (!path) throw new MissingBinaryError("redis-server", "redis-server");
  return path;
}
