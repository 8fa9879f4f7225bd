// Runs a server in its own process (the load generator stays in the bench process) and reads
// its resident memory and CPU time from /proc while it works.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "../../test/harness/index.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ServerProcess {
  url: string;
  pid: number;
  rssBytes(): number;
  /** CPU time (user + system, all threads) the process has used so far. */
  cpuSeconds(): number;
  /**
   * CPU time of the process's main thread alone: for the runtime, the event loop that serves HTTP
   * (parsing, validation, cache, language detection, policy, metrics), as opposed to the inference
   * workers, onnxruntime's threads and V8's helper threads.
   */
  mainThreadCpuSeconds(): number;
  stop(): Promise<void>;
}

// /proc/<pid>/stat counts CPU time in clock ticks.
const CLOCK_TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** CPU seconds of a process (all its threads), or of one of its threads when `tid` is given. */
export function cpuSecondsOf(pid: number, tid?: number): number {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const stat = readFileSync(
    tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
    "utf8",
  );
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
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
  cwd = REPO_ROOT,
): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
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
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    // The main thread's id is the process id.
    mainThreadCpuSeconds: () => cpuSecondsOf(child.pid!, child.pid!),
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

export interface RuntimeLaunch {
  build: RuntimeBuild;
  /** The checkout whose runtime runs (another commit's, for a before/after); default this one. */
  root?: string;
  /**
   * Node's --cpu-prof into this directory: one .cpuprofile per thread (the HTTP thread and each
   * inference worker), written when the server exits (bench/cpu-profile-top.ts reads them).
   */
  cpuProfileDir?: string | undefined;
}

/** `vigil-runtime serve` with the given VIGIL_* settings. */
export function startRuntimeServer(
  env: Record<string, string>,
  launch: RuntimeLaunch,
): Promise<ServerProcess> {
  // Not through NODE_OPTIONS: Node refuses --cpu-prof there.
  const profile = launch.cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", launch.cpuProfileDir] : [];
  return startProcess(
    launch.build === "compiled"
      ? [...profile, "dist/runtime/main.js", "serve"]
      : [...profile, "--import", "tsx", "runtime/main.ts", "serve"],
    { VIGIL_LOG_LEVEL: "warn", VIGIL_DECISION_LOG: "off", ...env },
    "/ready",
    launch.root,
  );
}

/** A fastify server with one JSON route and nothing else: the framework's own ceiling. */
export function startBareFastify(): Promise<ServerProcess> {
  return startProcess(["--import", "tsx", "bench/support/bare-fastify.ts"], {}, "/ready");
}
