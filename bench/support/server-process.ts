// Runs a server in its own process (the load generator stays in the bench process) and reads
// its resident memory from /proc while it works.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "../../test/harness/index.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ServerProcess {
  url: string;
  pid: number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyPath: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, VIGIL_PORT: String(port), VIGIL_HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${stderr.trim()}`))),
  );
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitFor(`${args.join(" ")} to be ready`, async () => (await fetch(`${url}${readyPath}`)).ok, 60_000),
    exited,
  ]);
  exited.catch(() => undefined);
  return {
    url,
    pid: child.pid!,
    rssBytes: () => rssOf(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** How the runtime is started: compiled (`npm run build`, as in the image) or from sources via tsx. */
export type RuntimeBuild = "compiled" | "source";

/** `vigil-runtime serve` with the given VIGIL_* settings. */
export function startRuntimeServer(env: Record<string, string>, build: RuntimeBuild): Promise<ServerProcess> {
  return startProcess(
    build === "compiled"
      ? ["dist/runtime/main.js", "serve"]
      : ["--import", "tsx", "runtime/main.ts", "serve"],
    { VIGIL_LOG_LEVEL: "warn", VIGIL_DECISION_LOG: "off", ...env },
    "/ready",
  );
}

/** A fastify server with one JSON route and nothing else: the framework's own ceiling. */
export function startBareFastify(): Promise<ServerProcess> {
  return startProcess(["--import", "tsx", "bench/support/bare-fastify.ts"], {}, "/ready");
}
