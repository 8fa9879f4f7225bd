/**
 * Runtime throughput and latency benchmark (a measurement, not a test):
 *   npm run bench:runtime [-- --duration 5 --concurrency 1,8,32,64 --model models-bench/transformer]
 * Compares, in one run on this machine:
 *   (1) raw onnxruntime-node session.run at the server's batch sizes (the physical limit),
 *   (2) the server with batching off (VIGIL_MAX_BATCH_SIZE=1: one request, one run),
 *   (3) the server with dynamic batching (the defaults: 32 texts, 5 ms),
 *   (4) the cached-result path against a bare fastify JSON route (target >= 50%): with the
 *       in-memory cache, and as production runs it (Redis cache, API key auth, Redis rate
 *       limit) when redis-server is installed,
 * with load from autocannon in this process and each server in its own process (compiled with
 * `npm run build` first, as the image runs it; --source runs the TypeScript via tsx). Also the
 * resident memory of the server with the default model, and (5) the server's CPU time per 1000
 * texts (its own /proc utime+stime, the load generator excluded) against raw session.run's at
 * the batch sizes the server formed: the CPU overhead of everything Vigil adds (target <= 1.15x).
 * Prints a table and writes JSON.
 *
 *   npm run bench:runtime -- --soak 10m [--rate 50 --sample 30s]
 * instead holds the batching server at a fixed rate and reports the per-minute slope of RSS,
 * heap used and p99 with a verdict on growth.
 *
 *   npm run bench:runtime -- --only cached,cpu [--runtime ../other-checkout] [--cpu-prof dir]
 * runs only some parts, starts another checkout's runtime (a before/after against the same
 * baselines), or profiles the runtime servers with node --cpu-prof.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { parseDuration } from "../operator/cli.js";
import { MissingBinaryError, startRedis } from "../test/harness/index.js";
import { runLoad, type LoadResult } from "./support/load.js";
import { runPacedLoad } from "./support/paced-load.js";
import { measureRawSessionRun, type RawResult } from "./support/raw-session.js";
import { batchTotals, meanBatchSizeBetween } from "./support/server-metrics.js";
import { runSoak, type SoakResult } from "./support/soak.js";
import {
  REPO_ROOT,
  startBareFastify,
  startRuntimeServer,
  type RuntimeLaunch,
  type ServerProcess,
} from "./support/server-process.js";

/** The parts of the benchmark, in the order they run; --only picks some. */
const PARTS = ["raw", "unbatched", "batched", "cpu", "cached", "memory"] as const;
type Part = (typeof PARTS)[number];

interface Options {
  source: boolean;
  duration: number;
  warmup: number;
  concurrency: number[];
  model: string;
  out?: string;
  /** Soak mode: run length in ms. */
  soak?: number;
  rate: number;
  /** Soak sampling interval in ms; default a twentieth of the run. */
  sample?: number;
  only: Part[];
  /** The checkout whose runtime is benchmarked; default this one. */
  runtime?: string;
  cpuProf?: string;
}

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
};
/** Seconds as a bare number (back compatible) or a duration such as 500ms, 30s, 10m. */
const seconds = (value: string): number =>
  /^\d+(\.\d+)?$/.test(value.trim()) ? positive(value) : parseDuration(value) / 1000;
const levels = (value: string): number[] => {
  const list = value.split(",").map((v) => Number(v.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError("must be a list like 1,8,32,64");
  return list;
};
const parts = (value: string): Part[] => {
  const list = value.split(",").map((v) => v.trim());
  const unknown = list.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0 || list.length === 0)
    throw new InvalidArgumentError(`unknown part ${unknown.join(", ")}: choose from ${PARTS.join(",")}`);
  return list as Part[];
};
const checkout = (value: string): string => {
  const dir = path.resolve(value);
  if (!existsSync(path.join(dir, "runtime/main.ts")))
    throw new InvalidArgumentError(`${dir} is not a Vigil checkout (no runtime/main.ts)`);
  return realpathSync(dir);
};

function parseOptions(): Options {
  const program = new Command()
    .name("bench:runtime")
    .description("Runtime throughput/latency benchmark: raw session.run vs server without and with batching")
    .option("--duration <seconds>", "per measurement: seconds, or a duration (500ms, 30s)", seconds, 5)
    .option("--warmup <seconds>", "unrecorded load before each server measurement", seconds, 1)
    .option("--concurrency <list>", "concurrent clients per point; must include 64", levels, [1, 8, 32, 64])
    .option(
      "--model <dir>",
      "model directory (generated with `npm run model:bench` if missing)",
      "models-bench/transformer",
    )
    .option("--out <file>", "JSON results (default bench-results/runtime.json, runtime-soak.json)")
    .option(
      "--soak <duration>",
      "soak mode: the batching server at --rate for this long (30s, 10m)",
      parseDuration,
    )
    .option("--rate <requests/s>", "soak mode: fixed request rate", positive, 50)
    .option(
      "--sample <duration>",
      "soak mode: sampling window (default: a twentieth of --soak)",
      parseDuration,
    )
    .option("--source", "run the servers from TypeScript via tsx instead of compiling them first")
    .option(
      "--only <parts>",
      `run only these parts (${PARTS.join(",")}); cpu runs the unbatched and batched servers too`,
      parts,
      [...PARTS],
    )
    .option(
      "--runtime <checkout>",
      "benchmark the runtime of another checkout (e.g. a git worktree of main) against the same baselines",
      checkout,
    )
    .option("--cpu-prof <dir>", "start the runtime servers with node --cpu-prof, writing profiles to <dir>")
    .configureOutput({ outputError: (s, write) => write(`${s.trimEnd().replace(/\n+/g, " ")}\n`) })
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse();
  const options = program.opts<Options>();
  if (!options.concurrency.includes(64)) options.concurrency.push(64);
  return options;
}

function ensureBenchModel(modelDir: string): void {
  if (existsSync(path.join(modelDir, "config.json"))) return;
  console.log(`${modelDir} is missing; generating it with npm run model:bench ...`);
  const result = spawnSync("npm", ["run", "--silent", "model:bench"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (result.status !== 0 || !existsSync(path.join(modelDir, "config.json"))) {
    console.error(`bench:runtime: cannot generate ${modelDir} (npm run model:bench exited ${result.status})`);
    process.exit(1);
  }
}

/** Compiles the runtime as the image does; the servers then run dist/runtime/main.js. */
function buildRuntime(root: string): void {
  console.log(`compiling the runtime (npm run build in ${root}) ...`);
  const result = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0 || !existsSync(path.join(root, "dist/runtime/main.js"))) {
    console.error(
      "bench:runtime: npm run build failed; rerun with --source to benchmark the TypeScript sources",
    );
    process.exit(1);
  }
}

async function measureServer(
  server: ServerProcess,
  options: Options,
  connections: number[],
  extra: { rate?: number; distinctBodies?: number; headers?: Record<string, string> } = {},
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const c of connections) {
    await runLoad(server.url, { connections: c, durationSeconds: options.warmup, ...extra });
    const batchesBefore = await batchTotals(server.url);
    const cpuBefore = server.cpuSeconds();
    const mainBefore = server.mainThreadCpuSeconds();
    const result = await runLoad(
      server.url,
      { connections: c, durationSeconds: options.duration, ...extra },
      server.rssBytes,
    );
    // Read first: the scrape below costs the server CPU of its own.
    const cpuAfter = server.cpuSeconds();
    const mainAfter = server.mainThreadCpuSeconds();
    const answered = result.requestsPerSecond * result.durationSeconds;
    if (answered > 0) {
      result.serverCpuUsPerRequest = ((cpuAfter - cpuBefore) * 1e6) / answered;
      result.serverMainThreadCpuUsPerRequest = ((mainAfter - mainBefore) * 1e6) / answered;
    }
    const batchesAfter = await batchTotals(server.url);
    const meanBatchSize = batchesBefore && batchesAfter && meanBatchSizeBetween(batchesBefore, batchesAfter);
    if (meanBatchSize) result.meanBatchSize = meanBatchSize;
    results.push(result);
  }
  return results;
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const pad = (s: string | number, w: number): string => String(s).padStart(w);
const best = (rows: LoadResult[]): LoadResult =>
  rows.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));

const clients = (r: LoadResult): string => (r.rate ? `paced ${r.rate}/s` : String(r.connections));

interface CachedPathServers {
  cached: ServerProcess;
  /** Redis cache, API key auth, Redis rate limit; absent without redis-server. */
  production: ServerProcess | undefined;
  bare: ServerProcess;
  stop(): Promise<void>;
}

const BENCH_API_KEY = "bench-api-key-0123456789";

/**
 * The three servers of (4): the runtime serving cached results, the same as a production pod
 * runs it (results in Redis, an API key checked on every request, the per-client rate limit
 * counted in Redis and set high enough never to refuse), and bare fastify.
 */
async function startCachedPathServers(
  common: Record<string, string>,
  launch: RuntimeLaunch,
): Promise<CachedPathServers> {
  const cachedEnv = { ...common, VIGIL_CACHE_MAX_ENTRIES: "10000" };
  const cached = await startRuntimeServer(cachedEnv, launch);
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  try {
    redis = await startRedis();
  } catch (error) {
    if (!(error instanceof MissingBinaryError)) throw error;
    console.log(`skipping the Redis cached path: ${error.message}`);
  }
  const keysDir = mkdtempSync(path.join(tmpdir(), "vigil-bench-keys-"));
  writeFileSync(path.join(keysDir, "bench-client"), BENCH_API_KEY);
  const production = redis
    ? await startRuntimeServer(
        {
          ...cachedEnv,
          REDIS_URL: redis.url,
          VIGIL_API_KEYS_DIR: keysDir,
          VIGIL_RATE_LIMIT_PER_MINUTE: "10000000",
        },
        launch,
      )
    : undefined;
  const bare = await startBareFastify();
  return {
    cached,
    production,
    bare,
    stop: async () => {
      await Promise.all([cached.stop(), production?.stop(), bare.stop()]);
      await redis?.close();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/**
 * Each server at 64 clients, the best of `rounds` alternating runs: the servers take turns, so
 * a burst of background load on a shared machine hits all of them alike rather than skewing
 * their ratio, and the best run is the least disturbed one.
 */
async function measureCachedPath(
  servers: CachedPathServers,
  options: Options,
  rounds = 3,
): Promise<{ cached: LoadResult; production: LoadResult | undefined; bare: LoadResult }> {
  const best: { cached?: LoadResult; production?: LoadResult; bare?: LoadResult } = {};
  const keep = (name: keyof typeof best, result: LoadResult | undefined) => {
    if (result && (!best[name] || result.requestsPerSecond > best[name].requestsPerSecond)) {
      best[name] = result;
    }
  };
  for (let round = 0; round < rounds; round++) {
    keep("cached", (await measureServer(servers.cached, options, [64], { distinctBodies: 64 }))[0]);
    if (servers.production) {
      const headers = { "x-api-key": BENCH_API_KEY };
      keep(
        "production",
        (await measureServer(servers.production, options, [64], { distinctBodies: 64, headers }))[0],
      );
    }
    keep("bare", (await measureServer(servers.bare, options, [64], { distinctBodies: 64 }))[0]);
  }
  return { cached: best.cached!, production: best.production, bare: best.bare! };
}

function loadTable(title: string, rows: LoadResult[], label: (r: LoadResult) => string = clients): string {
  const lines = [
    title,
    `  ${pad("clients", 14)} ${pad("req/s", 8)} ${pad("p50 ms", 8)} ${pad("p95 ms", 8)} ${pad("p99 ms", 8)} ${pad("errors", 7)} ${pad("RSS MB", 7)}`,
  ];
  for (const r of rows) {
    lines.push(
      `  ${pad(label(r), 14)} ${pad(fmt(r.requestsPerSecond, 0), 8)} ${pad(fmt(r.p50Ms), 8)} ${pad(fmt(r.p95Ms), 8)} ${pad(fmt(r.p99Ms), 8)} ${pad(r.errors + r.non2xx, 7)} ${pad(r.peakRssMb ?? "-", 7)}`,
    );
  }
  return lines.join("\n");
}

interface CpuOverheadRow {
  server: "batching off" | "batching";
  connections: number;
  meanBatchSize: number;
  serverCpuSecondsPer1000Texts: number;
  /** The part of it on the main thread: HTTP, validation, cache, language, policy, metrics. */
  mainThreadCpuSecondsPer1000Texts: number;
  /** The batch size raw session.run was measured at: the server's mean, rounded. */
  rawBatchSize: number;
  rawCpuSecondsPer1000Texts: number;
  /** Server / raw: the CPU overhead of everything Vigil adds around session.run. */
  ratio: number;
}

/**
 * (5) The server's CPU time per text against raw session.run's at the batch size the server
 * formed (its mean, rounded), measuring raw at the sizes (1) did not cover. Every request
 * carries one text, so CPU per request is CPU per text.
 */
async function measureCpuOverhead(
  modelDir: string,
  raw: RawResult[],
  rows: { server: CpuOverheadRow["server"]; result: LoadResult }[],
  seconds: number,
  threads: number,
): Promise<CpuOverheadRow[]> {
  const measured = rows.filter((r) => r.result.serverCpuUsPerRequest !== undefined);
  const sizeOf = (r: LoadResult) => Math.max(1, Math.round(r.meanBatchSize ?? 1));
  const missing = [...new Set(measured.map((r) => sizeOf(r.result)))].filter(
    (size) => !raw.some((r) => r.batchSize === size),
  );
  const extra = missing.length > 0 ? await measureRawSessionRun(modelDir, missing, seconds, threads) : [];
  const rawAt = new Map([...raw, ...extra].map((r) => [r.batchSize, r]));
  return measured.map(({ server, result }) => {
    const rawBatchSize = sizeOf(result);
    const serverCpuSecondsPer1000Texts = result.serverCpuUsPerRequest! / 1000;
    const rawCpuSecondsPer1000Texts = rawAt.get(rawBatchSize)!.cpuSecondsPer1000Texts;
    return {
      server,
      connections: result.connections,
      meanBatchSize: result.meanBatchSize ?? NaN,
      serverCpuSecondsPer1000Texts,
      mainThreadCpuSecondsPer1000Texts: (result.serverMainThreadCpuUsPerRequest ?? NaN) / 1000,
      rawBatchSize,
      rawCpuSecondsPer1000Texts,
      ratio: serverCpuSecondsPer1000Texts / rawCpuSecondsPer1000Texts,
    };
  });
}

function cpuOverheadTable(rows: CpuOverheadRow[]): string {
  return [
    "(5) CPU seconds per 1000 texts: server process (/proc utime+stime, load generator excluded) vs raw session.run at the server's mean batch size",
    "    (main s: the part on the server's main thread, the HTTP event loop; the rest is the inference worker, onnxruntime's and V8's threads)",
    `  ${pad("server", 13)} ${pad("clients", 8)} ${pad("batch", 6)} ${pad("server s", 9)} ${pad("main s", 7)} ${pad("raw s", 7)} ${pad("raw@", 5)} ${pad("ratio", 6)}`,
    ...rows.map(
      (r) =>
        `  ${pad(r.server, 13)} ${pad(r.connections, 8)} ${pad(fmt(r.meanBatchSize), 6)} ${pad(fmt(r.serverCpuSecondsPer1000Texts, 3), 9)} ${pad(fmt(r.mainThreadCpuSecondsPer1000Texts, 3), 7)} ${pad(fmt(r.rawCpuSecondsPer1000Texts, 3), 7)} ${pad(r.rawBatchSize, 5)} ${pad(`${fmt(r.ratio, 2)}x`, 6)}`,
    ),
  ].join("\n");
}

/** --soak: the batching server at a fixed rate, sampled, with the slope of each series. */
async function soak(
  options: Options & { soak: number },
  modelDir: string,
  launch: RuntimeLaunch,
): Promise<void> {
  const sampleMs = options.sample ?? options.soak / 20;
  const loadBefore = loadavg()[0]!;
  console.log(
    `bench:runtime --soak: ${options.soak / 1000}s at ${options.rate} req/s, a sample every ${fmt(sampleMs / 1000)}s, ` +
      `model ${options.model}, ${describeLaunch(launch)}, load average ${fmt(loadBefore, 2)}\n`,
  );
  const server = await startRuntimeServer(
    { VIGIL_MODEL_DIR: modelDir, VIGIL_CACHE_MAX_ENTRIES: "0" },
    launch,
  );
  console.log(
    `  ${pad("minute", 7)} ${pad("req/s", 7)} ${pad("p99 ms", 8)} ${pad("RSS MB", 7)} ${pad("heap MB", 8)} ${pad("failed", 7)}`,
  );
  let result: SoakResult;
  try {
    result = await runSoak(server, { rate: options.rate, durationMs: options.soak, sampleMs }, (s) =>
      console.log(
        `  ${pad(fmt(s.minutes, 2), 7)} ${pad(fmt(s.requestsPerSecond, 0), 7)} ${pad(fmt(s.p99Ms), 8)} ${pad(fmt(s.rssMb), 7)} ${pad(fmt(s.heapUsedMb), 8)} ${pad(s.failed, 7)}`,
      ),
    );
  } finally {
    await server.stop();
  }
  const line = (name: string, unit: string, t: SoakResult["trends"]["rssMb"]) =>
    `  ${name.padEnd(9)} ${pad(`${t.slopePerMinute >= 0 ? "+" : ""}${fmt(t.slopePerMinute, 2)}`, 8)} ${unit}/min ` +
    `(± ${fmt(2 * t.slopeStandardError, 2)}), mean ${fmt(t.mean)} ${unit}, fitted change ${fmt(t.changeOverRun, 1)} ${unit}: ${t.verdict}`;
  console.log(
    [
      "",
      `least-squares slope after the first ${result.warmupSamples} sample(s) of warm-up; "grows" needs a change over the run above 10% of the mean and a slope beyond 2 standard errors`,
      line("RSS", "MB", result.trends.rssMb),
      line("heap used", "MB", result.trends.heapUsedMb),
      line("p99", "ms", result.trends.p99Ms),
      "",
      `load average: ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0]!, 2)} after`,
    ].join("\n"),
  );
  writeResults(options.out ?? "bench-results/runtime-soak.json", {
    date: new Date().toISOString(),
    machine: machineOf(loadBefore),
    model: options.model,
    runtimeBuild: launch.build,
    runtimeCheckout: launch.root,
    ...result,
  });
}

const machineOf = (loadBefore: number) => ({
  cores: availableParallelism(),
  node: process.version,
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadavg()[0],
});

function writeResults(file: string, results: object): void {
  const out = path.resolve(REPO_ROOT, file);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(REPO_ROOT, out)}`);
}

const describeLaunch = (launch: RuntimeLaunch): string =>
  `${launch.build} runtime${launch.root === REPO_ROOT ? "" : ` of ${launch.root}`}` +
  (launch.cpuProfileDir ? `, profiled into ${launch.cpuProfileDir}` : "");

/** The best throughput of a server (3) and its half-rate tail latency, run at a steady rate. */
async function measureHalfLoad(
  server: ServerProcess,
  batched: LoadResult[],
  options: Options,
): Promise<LoadResult> {
  const halfRate = Math.max(1, Math.round(best(batched).requestsPerSecond / 2));
  return runPacedLoad(server.url, { rate: halfRate, durationSeconds: options.duration }, server.rssBytes);
}

interface Target {
  name: string;
  value: number;
  target: string;
  met: boolean;
  /** The line printed under "targets". */
  line: string;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const modelDir = path.resolve(REPO_ROOT, options.model);
  ensureBenchModel(modelDir);
  const launch: RuntimeLaunch = {
    build: options.source ? "source" : "compiled",
    root: options.runtime ?? REPO_ROOT,
    cpuProfileDir: options.cpuProf && path.resolve(options.cpuProf),
  };
  if (launch.cpuProfileDir) mkdirSync(launch.cpuProfileDir, { recursive: true });
  if (launch.build === "compiled") buildRuntime(launch.root!);
  if (options.soak !== undefined) return soak({ ...options, soak: options.soak }, modelDir, launch);
  const only = new Set(options.only);
  const cores = availableParallelism();
  const common = { VIGIL_MODEL_DIR: modelDir, VIGIL_CACHE_MAX_ENTRIES: "0" };
  const loadBefore = loadavg()[0]!;
  console.log(
    `bench:runtime: model ${options.model}, ${cores} cores, ${options.duration}s per point, ` +
      `${describeLaunch(launch)}, parts ${options.only.join(",")}, load average ${fmt(loadBefore, 2)} ` +
      `(other processes on the machine skew every figure)\n`,
  );

  // (1) The physical limit, at the batch sizes the server forms.
  const raw: RawResult[] = only.has("raw")
    ? await measureRawSessionRun(modelDir, [1, 8, 32], options.duration, cores)
    : [];

  // (2) One request, one model run.
  let unbatched: LoadResult[] | undefined;
  if (only.has("unbatched") || only.has("cpu")) {
    const server = await startRuntimeServer({ ...common, VIGIL_MAX_BATCH_SIZE: "1" }, launch);
    unbatched = await measureServer(server, options, options.concurrency);
    await server.stop();
  }

  // (3) Dynamic batching with the defaults, then at half its best throughput for tail latency.
  let batched: LoadResult[] | undefined;
  let halfLoad: LoadResult | undefined;
  if (only.has("batched") || only.has("cpu")) {
    const server = await startRuntimeServer(common, launch);
    batched = await measureServer(server, options, options.concurrency);
    if (only.has("batched")) halfLoad = await measureHalfLoad(server, batched, options);
    await server.stop();
  }

  // (5) CPU per text, with no other server running.
  const cpuOverhead = only.has("cpu")
    ? await measureCpuOverhead(
        modelDir,
        raw,
        [
          ...unbatched!.map((result) => ({ server: "batching off" as const, result })),
          ...batched!.map((result) => ({ server: "batching" as const, result })),
        ],
        options.duration,
        cores,
      )
    : undefined;

  // (4) The cached path (every text seen before) against fastify doing nothing.
  let cachedPath: Awaited<ReturnType<typeof measureCachedPath>> | undefined;
  if (only.has("cached")) {
    const cachedPathServers = await startCachedPathServers(common, launch);
    cachedPath = await measureCachedPath(cachedPathServers, options);
    await cachedPathServers.stop();
  }

  // Memory with the model `npm start` serves: V8's default heap sizing (it collects old
  // garbage lazily, so RSS under load is mostly uncollected garbage), and with the old-space
  // cap a pod with a memory limit should set.
  const HEAP_CAP = "--max-old-space-size=128";
  let memory: { idleRssMb: number; defaultLoad: LoadResult; cappedLoad: LoadResult } | undefined;
  if (only.has("memory")) {
    const defaultServer = await startRuntimeServer({ VIGIL_CACHE_MAX_ENTRIES: "0" }, launch);
    const idleRssMb = Math.round(defaultServer.rssBytes() / 2 ** 20);
    const [defaultLoad] = await measureServer(defaultServer, options, [64]);
    await defaultServer.stop();
    const cappedServer = await startRuntimeServer(
      { VIGIL_CACHE_MAX_ENTRIES: "0", NODE_OPTIONS: HEAP_CAP },
      launch,
    );
    const [cappedLoad] = await measureServer(cappedServer, options, [64]);
    await cappedServer.stop();
    memory = { idleRssMb, defaultLoad: defaultLoad!, cappedLoad: cappedLoad! };
  }

  const at64 = (rows: LoadResult[]) => rows.find((r) => r.connections === 64)!;
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  const targets: Target[] = [];
  const target = (name: string, label: string, value: number, goal: string, met: boolean, shown: string) =>
    targets.push({
      name,
      value,
      target: goal,
      met,
      line: `  ${label.padEnd(28)} ${shown}  (${goal})  ${verdict(met)}`,
    });
  const rawLimit = raw.length > 0 ? Math.max(...raw.map((r) => r.textsPerSecond)) : undefined;
  if (rawLimit && batched) {
    const value = best(batched).requestsPerSecond / rawLimit;
    target(
      "batchedVsRawAtSaturation",
      "(3) / (1) at saturation",
      value,
      ">= 85%",
      value >= 0.85,
      `${fmt(100 * value, 0)}%`,
    );
  }
  if (batched && unbatched) {
    const value = at64(batched).requestsPerSecond / at64(unbatched).requestsPerSecond;
    target(
      "batchedVsUnbatchedAt64",
      "(3) / (2) at 64 clients",
      value,
      ">= 3x",
      value >= 3,
      `${fmt(value, 2)}x`,
    );
  }
  if (batched && halfLoad) {
    const single = batched.find((r) => r.connections === 1) ?? batched[0]!;
    const value = halfLoad.p99Ms / single.p50Ms;
    target(
      "p99AtHalfLoadVsSingleRequest",
      "p99 at half load / single",
      value,
      "<= 4x",
      value <= 4,
      `${fmt(value, 2)}x: ${fmt(halfLoad.p99Ms)} ms vs ${fmt(single.p50Ms)} ms`,
    );
  }
  if (memory) {
    const value = Math.max(memory.idleRssMb, memory.defaultLoad.peakRssMb ?? 0);
    target(
      "defaultModelPeakRssMb",
      "RSS, default model",
      value,
      "< 250 MB, V8 defaults",
      value < 250,
      `${value} MB`,
    );
  }
  if (cachedPath) {
    const value = cachedPath.cached.requestsPerSecond / cachedPath.bare.requestsPerSecond;
    target(
      "cachedVsBareFastify",
      "(4) cached / bare fastify",
      value,
      ">= 50%",
      value >= 0.5,
      `${fmt(100 * value, 0)}%`,
    );
  }
  const cpuAt64 = cpuOverhead?.find((r) => r.server === "batching" && r.connections === 64);
  if (cpuAt64) {
    const value = cpuAt64.ratio;
    target(
      "serverCpuVsRawAt64",
      "(5) server / raw CPU at 64",
      value,
      "<= 1.15x",
      value <= 1.15,
      `${fmt(value, 2)}x`,
    );
  }

  const sections: string[] = [];
  if (rawLimit) {
    sections.push(
      [
        "(1) raw onnxruntime session.run, pre-tokenised, intra-op threads = cores (texts/s)",
        `  ${pad("batch", 7)} ${pad("padded", 8)} ${pad("buckets", 8)}`,
        ...raw.map(
          (r) =>
            `  ${pad(r.batchSize, 7)} ${pad(fmt(r.paddedTextsPerSecond, 0), 8)} ${pad(fmt(r.bucketedTextsPerSecond, 0), 8)}`,
        ),
        `  batching can gain at most ${fmt(rawLimit / raw[0]!.textsPerSecond, 2)}x over one text per run on this model and machine`,
      ].join("\n"),
    );
  }
  if (unbatched) {
    sections.push(
      loadTable(
        "(2) server, batching off (VIGIL_MAX_BATCH_SIZE=1), POST /v1/classify, one text per request",
        unbatched,
      ),
    );
  }
  if (batched) {
    sections.push(
      loadTable("(3) server, dynamic batching (32 texts / 5 ms)", [
        ...batched,
        ...(halfLoad ? [halfLoad] : []),
      ]),
    );
  }
  if (cachedPath) {
    const { cached, production, bare } = cachedPath;
    sections.push(
      [
        loadTable(
          "(4) cached results vs a bare fastify JSON route (best of 3 alternating runs each)",
          [cached, ...(production ? [production] : []), bare],
          (r) => (r === cached ? "cached 64" : r === production ? "redis+auth 64" : "bare 64"),
        ),
        `  server CPU per request: cached ${fmt(cached.serverCpuUsPerRequest!)} µs (main thread ${fmt(cached.serverMainThreadCpuUsPerRequest!)}), bare fastify ${fmt(bare.serverCpuUsPerRequest!)} µs (${fmt(bare.serverMainThreadCpuUsPerRequest!)})` +
          (production
            ? `, Redis cache + API key + Redis rate limit ${fmt(production.serverCpuUsPerRequest!)} µs`
            : ""),
        `  cached path: ${fmt(cached.requestsPerSecond, 0)} req/s = ${fmt((100 * cached.requestsPerSecond) / bare.requestsPerSecond, 0)}% of bare fastify's ${fmt(bare.requestsPerSecond, 0)} req/s; ` +
          `per server CPU second ${fmt((100 * bare.serverCpuUsPerRequest!) / cached.serverCpuUsPerRequest!, 0)}%`,
        production
          ? `  with Redis cache + API key + Redis rate limit: ${fmt(production.requestsPerSecond, 0)} req/s = ${fmt((100 * production.requestsPerSecond) / bare.requestsPerSecond, 0)}%; ` +
            `per server CPU second ${fmt((100 * bare.serverCpuUsPerRequest!) / production.serverCpuUsPerRequest!, 0)}%`
          : "  (Redis cached path skipped: redis-server is not installed)",
      ].join("\n"),
    );
  }
  if (cpuOverhead) sections.push(cpuOverheadTable(cpuOverhead));
  if (memory) {
    sections.push(
      `default model: idle RSS ${memory.idleRssMb} MB; under 64 clients peak ${memory.defaultLoad.peakRssMb} MB at ${fmt(memory.defaultLoad.requestsPerSecond, 0)} req/s,` +
        ` with NODE_OPTIONS=${HEAP_CAP} peak ${memory.cappedLoad.peakRssMb} MB at ${fmt(memory.cappedLoad.requestsPerSecond, 0)} req/s`,
    );
  }
  sections.push(`load average: ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0]!, 2)} after`);
  if (targets.length > 0) sections.push(["targets", ...targets.map((t) => t.line)].join("\n"));
  console.log(sections.join("\n\n"));

  writeResults(options.out ?? "bench-results/runtime.json", {
    date: new Date().toISOString(),
    machine: machineOf(loadBefore),
    model: options.model,
    runtimeBuild: launch.build,
    runtimeCheckout: launch.root,
    parts: options.only,
    durationSeconds: options.duration,
    raw,
    unbatched: unbatched ?? null,
    batched: batched ?? null,
    halfLoad: halfLoad ?? null,
    cached: cachedPath?.cached ?? null,
    cachedWithRedisAuthAndRateLimit: cachedPath?.production ?? null,
    bareFastify: cachedPath?.bare ?? null,
    cpuOverhead: cpuOverhead ?? null,
    defaultModel: memory
      ? {
          idleRssMb: memory.idleRssMb,
          underLoad: memory.defaultLoad,
          underLoadWithHeapCap: { nodeOptions: HEAP_CAP, ...memory.cappedLoad },
        }
      : null,
    targets: Object.fromEntries(
      targets.map(({ name, value, target: goal, met }) => [name, { value, target: goal, met }]),
    ),
  });
}

await main();
