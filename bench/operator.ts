/**
 * Operator scale benchmark (a measurement, not a test):
 *   npm run bench:operator [-- --services 100 --baseline 10 --concurrency 2 --rest 10s]
 * The operator's controllers (createControllers in a test Manager, as the loop tests start them)
 * against the project's API emulator, which runs in its own process with simulated kubelets
 * (every Deployment ready as soon as its spec changes). For N ModerationServices, created before
 * the operator starts (a cold start), and for the baseline N/10 in the same run, each against a
 * fresh emulator and operator: time until all are rolled out and Ready, reconciles/s, p50/p99
 * reconcile latency, API requests per service at convergence and over a rest period (writes at
 * rest should be zero), and the operator's heap and RSS. Per-service ratios of N against the
 * baseline near 1 mean cost grows linearly with the number of services. Prints a table and
 * writes JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg, availableParallelism } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command, InvalidArgumentError } from "commander";
import { parseDuration } from "../operator/cli.js";
import { VPA_DISCOVERY_TTL_MS } from "../operator/controllers/vpa-discovery.js";
import { Kinds } from "../operator/core/kinds.js";
import type { KubeClient } from "../operator/core/kubeclient.js";
import {
  operatorWrites,
  quiesce,
  startOperator,
  type OperatorUnderTest,
} from "../test/loop/operator-under-test.js";
import { modelDeployment, moderationService, policy, testClient } from "../test/loop/support.js";
import { startClusterProcess } from "./support/cluster-process.js";
import { percentile } from "./support/load.js";
import { REPO_ROOT } from "./support/server-process.js";

interface Options {
  services: number;
  baseline?: number;
  perNamespace: number;
  concurrency: number;
  rest: number;
  timeout: number;
  out: string;
}

const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

function parseOptions(): Options {
  const program = new Command()
    .name("bench:operator")
    .description(
      "Operator scale benchmark: N ModerationServices from a cold start against N/10 in the same run",
    )
    .option("--services <n>", "ModerationServices to converge (1000 on request)", positiveInteger, 100)
    .option(
      "--baseline <n>",
      "services of the baseline run (default: a tenth of --services)",
      positiveInteger,
    )
    .option(
      "--per-namespace <n>",
      "services per namespace (one ModelDeployment and Policy each)",
      positiveInteger,
      10,
    )
    .option(
      "--concurrency <n>",
      "reconciles in flight per controller (the operator's --concurrency)",
      positiveInteger,
      2,
    )
    .option("--rest <duration>", "how long to watch the converged operator at rest", parseDuration, 10_000)
    .option("--timeout <duration>", "give up converging after", parseDuration, 600_000)
    .option("--out <file>", "JSON results", "bench-results/operator.json")
    .configureOutput({ outputError: (s, write) => write(`${s.trimEnd().replace(/\n+/g, " ")}\n`) })
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse();
  return program.opts<Options>();
}

interface RunResult {
  services: number;
  namespaces: number;
  /** From the operator's start (informers not yet synced) until every service is converged. */
  convergeSeconds: number;
  /** Until no reconcile runs or is queued any more (undefined: still busy after 20s). */
  idleSeconds?: number;
  reconciles: number;
  reconcilesPerSecond: number;
  moderationServiceReconciles: number;
  p50ReconcileMs: number;
  p99ReconcileMs: number;
  moderationServiceP50Ms: number;
  moderationServiceP99Ms: number;
  apiRequestsAtConvergence: number;
  apiWritesAtConvergence: number;
  rest: { seconds: number; apiRequests: number; apiWrites: number; reconciles: number };
  operatorCpuSeconds: number;
  /** The emulator's process (API server, simulated kubelets, observer) over the same span. */
  clusterCpuSeconds: number;
  /** Live heap the operator added (after a full GC when --expose-gc is on), and this process's RSS. */
  heapUsedMb: number;
  rssMb: number;
  clusterProcessRssMb: number;
}

const PROGRESS_INTERVAL_MS = 15_000;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function totalRequests(operator: OperatorUnderTest): Promise<number> {
  const counts = await operator.manager.metrics.apiRequests.get();
  return counts.values.reduce((sum, v) => sum + v.value, 0);
}

const totalReconciles = (operator: OperatorUnderTest) =>
  [...operator.reconciles.values()].reduce((a, b) => a + b, 0);

/** Creates the namespaces' ModelDeployments and Policies, then the services, a few at a time. */
async function createServices(client: KubeClient, services: number, perNamespace: number): Promise<number> {
  const namespaces = Math.ceil(services / perNamespace);
  const names = Array.from({ length: namespaces }, (_, i) => `bench-${String(i).padStart(4, "0")}`);
  for (const namespace of names) {
    await client.create(Kinds.Namespace, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace },
    });
    await client.create(Kinds.ModelDeployment, modelDeployment(namespace));
    await client.create(Kinds.Policy, policy(namespace, "policy"));
  }
  const pending = Array.from({ length: services }, (_, i) => i);
  const createOne = async (i: number) =>
    client.create(
      Kinds.ModerationService,
      moderationService(names[Math.floor(i / perNamespace)]!, `svc-${i}`),
    );
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = pending.shift(); i !== undefined; i = pending.shift()) await createOne(i);
    }),
  );
  return namespaces;
}

async function runAt(services: number, options: Options): Promise<RunResult> {
  const cluster = await startClusterProcess();
  try {
    const namespaces = await createServices(testClient(cluster.kubeConfig), services, options.perNamespace);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    const clusterCpuBefore = cluster.cpuSeconds();
    const started = performance.now();
    // Production settings (VPA discovery TTL, work-queue backoff, informers), where the test
    // defaults would trade API requests for fast tests; the test Manager's quiet logger.
    const operator = await startOperator(
      cluster,
      { vpaDiscoveryTtlMs: VPA_DISCOVERY_TTL_MS },
      { concurrency: options.concurrency, queueBackoff: undefined, informers: {} },
    );
    try {
      const progress = setInterval(
        () =>
          console.log(
            `  ${services} services: ${cluster.converged()} converged after ${fmt((performance.now() - started) / 1000, 0)}s`,
          ),
        PROGRESS_INTERVAL_MS,
      );
      const convergedAt = await cluster
        .whenConverged(services, options.timeout)
        .finally(() => clearInterval(progress));
      const clusterCpuSeconds = cluster.cpuSeconds() - clusterCpuBefore;
      const apiRequestsAtConvergence = await totalRequests(operator);
      const apiWritesAtConvergence = await operatorWrites(operator);
      const reconciles = totalReconciles(operator);
      const cpu = process.cpuUsage(cpuBefore);
      let idleSeconds: number | undefined;
      try {
        await quiesce(operator);
        idleSeconds = (performance.now() - started) / 1000;
      } catch {
        idleSeconds = undefined;
      }
      gc();
      const heapUsedMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
      const rssMb = process.memoryUsage().rss / 2 ** 20;

      const restRequests = await totalRequests(operator);
      const restWrites = await operatorWrites(operator);
      const restReconciles = totalReconciles(operator);
      await sleep(options.rest);
      const rest = {
        seconds: options.rest / 1000,
        apiRequests: (await totalRequests(operator)) - restRequests,
        apiWrites: (await operatorWrites(operator)) - restWrites,
        reconciles: totalReconciles(operator) - restReconciles,
      };

      const all = [...operator.durationsMs.values()].flat().sort((a, b) => a - b);
      const ms = [...(operator.durationsMs.get("moderationservice") ?? [])].sort((a, b) => a - b);
      const convergeSeconds = (convergedAt - started) / 1000;
      return {
        services,
        namespaces,
        convergeSeconds,
        ...(idleSeconds !== undefined && { idleSeconds }),
        reconciles,
        reconcilesPerSecond: reconciles / convergeSeconds,
        moderationServiceReconciles: operator.reconciles.get("moderationservice") ?? 0,
        p50ReconcileMs: percentile(all, 50),
        p99ReconcileMs: percentile(all, 99),
        moderationServiceP50Ms: percentile(ms, 50),
        moderationServiceP99Ms: percentile(ms, 99),
        apiRequestsAtConvergence,
        apiWritesAtConvergence,
        rest,
        operatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
        clusterCpuSeconds,
        heapUsedMb,
        rssMb,
        clusterProcessRssMb: cluster.rssBytes() / 2 ** 20,
      };
    } finally {
      await operator.stop();
    }
  } finally {
    await cluster.stop();
  }
}

const fmt = (n: number | undefined, digits = 1): string =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-";
const pad = (s: string | number, w: number): string => String(s).padStart(w);

function table(runs: RunResult[]): string {
  const rows: [string, (r: RunResult) => string][] = [
    ["namespaces", (r) => String(r.namespaces)],
    ["converged after (s)", (r) => fmt(r.convergeSeconds, 2)],
    ["idle after (s)", (r) => fmt(r.idleSeconds, 2)],
    ["reconciles (all controllers)", (r) => String(r.reconciles)],
    ["  of which ModerationService", (r) => String(r.moderationServiceReconciles)],
    ["reconciles/s", (r) => fmt(r.reconcilesPerSecond, 0)],
    ["reconcile p50 / p99 ms (all)", (r) => `${fmt(r.p50ReconcileMs)} / ${fmt(r.p99ReconcileMs)}`],
    [
      "ModerationService p50 / p99 ms",
      (r) => `${fmt(r.moderationServiceP50Ms)} / ${fmt(r.moderationServiceP99Ms)}`,
    ],
    ["API requests to converge", (r) => String(r.apiRequestsAtConvergence)],
    ["  of which writes", (r) => String(r.apiWritesAtConvergence)],
    ["API requests at rest", (r) => `${r.rest.apiRequests} in ${r.rest.seconds}s`],
    ["  of which writes", (r) => String(r.rest.apiWrites)],
    ["reconciles at rest", (r) => String(r.rest.reconciles)],
    ["operator CPU s to converge", (r) => fmt(r.operatorCpuSeconds, 2)],
    ["emulator process CPU s, same span", (r) => fmt(r.clusterCpuSeconds, 2)],
    ["operator heap added MB", (r) => fmt(r.heapUsedMb)],
    ["operator process RSS MB", (r) => fmt(r.rssMb, 0)],
  ];
  const header = `  ${"".padEnd(32)}${runs.map((r) => pad(`${r.services} services`, 16)).join("")}`;
  return [
    header,
    ...rows.map(([label, value]) => `  ${label.padEnd(32)}${runs.map((r) => pad(value(r), 16)).join("")}`),
  ].join("\n");
}

function perService(baseline: RunResult, full: RunResult) {
  const ratio = (pick: (r: RunResult) => number) =>
    pick(full) / full.services / (pick(baseline) / baseline.services);
  return {
    convergeSeconds: ratio((r) => r.convergeSeconds),
    reconciles: ratio((r) => r.reconciles),
    apiRequests: ratio((r) => r.apiRequestsAtConvergence),
    apiWrites: ratio((r) => r.apiWritesAtConvergence),
    operatorCpuSeconds: ratio((r) => r.operatorCpuSeconds),
    clusterCpuSeconds: ratio((r) => r.clusterCpuSeconds),
    // The heap has a fixed part (informers, modules) that dwarfs a few services: what one more
    // service adds is the difference between the runs.
    marginalHeapKbPerService:
      ((full.heapUsedMb - baseline.heapUsedMb) * 1024) / (full.services - baseline.services),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const baselineServices = options.baseline ?? Math.max(1, Math.round(options.services / 10));
  const loadBefore = loadavg()[0]!;
  const gcNote = (globalThis as { gc?: unknown }).gc
    ? "heap after a full GC"
    : "no --expose-gc: heap includes garbage";
  console.log(
    `bench:operator: ${options.services} ModerationServices against a baseline of ${baselineServices}, ` +
      `${options.perNamespace} per namespace, --concurrency ${options.concurrency}, ${availableParallelism()} cores, ${gcNote}, ` +
      `load average ${fmt(loadBefore, 2)} (other processes on the machine skew every figure)\n`,
  );
  const baseline = await runAt(baselineServices, options);
  const full = await runAt(options.services, options);
  const ratios = perService(baseline, full);
  const restWrites = full.rest.apiWrites + baseline.rest.apiWrites;
  console.log(
    [
      table([baseline, full]),
      "",
      `per service, ${options.services} against ${baselineServices} (1.00 = linear; above 1 = each service costs more at scale)`,
      `  time to converge ${fmt(ratios.convergeSeconds, 2)}, reconciles ${fmt(ratios.reconciles, 2)}, API requests ${fmt(ratios.apiRequests, 2)}, ` +
        `writes ${fmt(ratios.apiWrites, 2)}, operator CPU ${fmt(ratios.operatorCpuSeconds, 2)}; ` +
        `emulator CPU ${fmt(ratios.clusterCpuSeconds, 2)}`,
      `  operator heap per additional service: ${fmt(ratios.marginalHeapKbPerService)} KB`,
      `  API requests per service to converge: ${fmt(full.apiRequestsAtConvergence / full.services)} (baseline ${fmt(baseline.apiRequestsAtConvergence / baseline.services)}); ` +
        `writes ${fmt(full.apiWritesAtConvergence / full.services)} (baseline ${fmt(baseline.apiWritesAtConvergence / baseline.services)})`,
      `  writes at rest: ${restWrites} (expected 0) ${restWrites === 0 ? "met" : "NOT met"}`,
      "",
      `load average: ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0]!, 2)} after`,
    ].join("\n"),
  );
  const out = path.resolve(REPO_ROOT, options.out);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cores: availableParallelism(),
          node: process.version,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadavg()[0],
        },
        options,
        baseline,
        full,
        perServiceRatios: ratios,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${path.relative(REPO_ROOT, out)}`);
}

await main();
