/**
 * Operator scale benchmark (a measurement, not a test):
 *   npm run bench:operator [-- --services 100 --baseline 10 --target emulator|kube-apiserver]
 * The operator's controllers (createControllers in a test Manager, as the loop tests start them)
 * against the project's API emulator or the real control plane of test/controlplane (etcd,
 * kube-apiserver, kube-controller-manager), each in processes of its own with simulated
 * workloads (see cluster-child.ts). For N ModerationServices, created before the operator starts
 * (a cold start), and for the baseline N/10 in the same run, each against a fresh cluster and
 * operator: time until all are rolled out and Ready, reconciles/s, p50/p99 reconcile latency,
 * API requests per service and per reconcile at convergence and over a rest period (writes at
 * rest should be zero), the operator's heap and RSS; then, while the N are idle, the latency of
 * single changes (one service at a time) until the operator has updated its Deployment and
 * reported it converged; then the operator is stopped and a fresh one started: time until it
 * is idle again and what it sent meanwhile (writes should be zero: nothing changed). Per-service
 * ratios of N against the baseline near 1 mean cost grows linearly with the number of services.
 * Prints a table and writes JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg, availableParallelism } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command, InvalidArgumentError, Option } from "commander";
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
import { modelDeployment, moderationService, policy, testClient, waitFor } from "../test/loop/support.js";
import { startClusterProcess, TARGETS, type ClusterProcess, type Target } from "./support/cluster-process.js";
import { percentile } from "./support/load.js";
import { REPO_ROOT } from "./support/server-process.js";

interface Options {
  target: Target;
  services: number;
  baseline?: number;
  perNamespace: number;
  concurrency: number;
  rest: number;
  changes: number;
  timeout: number;
  out?: string;
}

const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

const nonNegativeInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
};

function parseOptions(): Options {
  const program = new Command()
    .name("bench:operator")
    .description(
      "Operator scale benchmark: N ModerationServices from a cold start against N/10 in the same run",
    )
    .addOption(
      new Option("--target <target>", "the API server the operator talks to")
        .choices(TARGETS)
        .default("emulator"),
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
    .option(
      "--changes <n>",
      "single changes to time while the services are idle (0: none)",
      nonNegativeInteger,
      20,
    )
    .option("--timeout <duration>", "give up converging after", parseDuration, 600_000)
    .option("--out <file>", "JSON results (default: bench-results/operator-<target>.json)")
    .configureOutput({ outputError: (s, write) => write(`${s.trimEnd().replace(/\n+/g, " ")}\n`) })
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  program.parse();
  return program.opts<Options>();
}

interface ChangesResult {
  count: number;
  /** From the write until a Deployment of the service carried the change. */
  childUpdatedP50Ms: number;
  childUpdatedP99Ms: number;
  /** From the write until the service was converged (Ready, Active) at its new generation. */
  convergedP50Ms: number;
  convergedP99Ms: number;
  /** The operator's, over all the changes. */
  apiRequests: number;
  apiWrites: number;
  reconciles: number;
}

interface RestartResult {
  /** From the fresh operator's start until its informers had listed everything. */
  syncedSeconds: number;
  /** From its start until its last reconcile before it went idle. */
  idleSeconds: number;
  reconciles: number;
  moderationServiceReconciles: number;
  apiRequests: number;
  apiWrites: number;
  /** Services converged when it was idle (all of them, unless the restart disturbed some). */
  convergedServices: number;
}

interface RunResult {
  target: Target;
  services: number;
  namespaces: number;
  /** From the operator's start (informers not yet synced) until every service is converged. */
  convergeSeconds: number;
  /** Until the last reconcile before none ran or was queued any more (undefined: still busy after --timeout). */
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
  changes?: ChangesResult;
  restart: RestartResult;
  operatorCpuSeconds: number;
  /** The cluster's processes (emulator, or control plane and pod runner) over the same span. */
  clusterCpuSeconds: number;
  /** Live heap the operator added (after a full GC when --expose-gc is on). */
  heapUsedMb: number;
  /** This process's RSS before the operator started (node, tsx, modules) and once it was idle. */
  rssBeforeOperatorMb: number;
  rssMb: number;
  /** V8's heap (live objects and the free space it keeps) once idle: most of the RSS it added. */
  heapTotalMb: number;
  /** RSS after --rest at rest and a full GC: what V8 kept once it had time to give memory back. */
  rssAtRestMb: number;
  clusterRssMb: number;
}

const PROGRESS_INTERVAL_MS = 15_000;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function totalRequests(operator: OperatorUnderTest): Promise<number> {
  const counts = await operator.manager.metrics.apiRequests.get();
  return counts.values.reduce((sum, v) => sum + v.value, 0);
}

const totalReconciles = (operator: OperatorUnderTest) =>
  [...operator.reconciles.values()].reduce((a, b) => a + b, 0);

interface ServiceRef {
  namespace: string;
  name: string;
}

/** Creates the namespaces' ModelDeployments and Policies, then the services, a few at a time. */
async function createServices(
  client: KubeClient,
  services: number,
  perNamespace: number,
): Promise<ServiceRef[]> {
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
  const refs = Array.from({ length: services }, (_, i) => ({
    namespace: names[Math.floor(i / perNamespace)]!,
    name: `svc-${i}`,
  }));
  const pending = [...refs];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let ref = pending.shift(); ref !== undefined; ref = pending.shift())
        await client.create(Kinds.ModerationService, moderationService(ref.namespace, ref.name));
    }),
  );
  return refs;
}

/** Production settings (VPA discovery TTL, work-queue backoff, informers) and the test Manager's quiet logger. */
const startBenchOperator = (cluster: ClusterProcess, options: Options) =>
  startOperator(
    cluster,
    { vpaDiscoveryTtlMs: VPA_DISCOVERY_TTL_MS },
    { concurrency: options.concurrency, queueBackoff: undefined, informers: {} },
  );

/**
 * Changes one service at a time, each while the operator is idle, spread over the services;
 * the cluster process times each change from its write to its effects.
 */
async function measureChanges(
  cluster: ClusterProcess,
  operator: OperatorUnderTest,
  refs: ServiceRef[],
  count: number,
  timeoutMs: number,
): Promise<ChangesResult> {
  const requestsBefore = await totalRequests(operator);
  const writesBefore = await operatorWrites(operator);
  const reconcilesBefore = totalReconciles(operator);
  const childUpdated: number[] = [];
  const convergedMs: number[] = [];
  for (let k = 0; k < count; k++) {
    await quiesce(operator, timeoutMs);
    const ref = refs[Math.floor((k * refs.length) / count)]!;
    const latency = await cluster.change(ref.namespace, ref.name);
    childUpdated.push(latency.childUpdatedMs);
    convergedMs.push(latency.convergedMs);
  }
  await quiesce(operator, timeoutMs);
  childUpdated.sort((a, b) => a - b);
  convergedMs.sort((a, b) => a - b);
  return {
    count,
    childUpdatedP50Ms: percentile(childUpdated, 50),
    childUpdatedP99Ms: percentile(childUpdated, 99),
    convergedP50Ms: percentile(convergedMs, 50),
    convergedP99Ms: percentile(convergedMs, 99),
    apiRequests: (await totalRequests(operator)) - requestsBefore,
    apiWrites: (await operatorWrites(operator)) - writesBefore,
    reconciles: totalReconciles(operator) - reconcilesBefore,
  };
}

/** Stops `first` as a rolling update would (graceful), starts a fresh operator, and follows it until idle. */
async function measureRestart(
  cluster: ClusterProcess,
  first: OperatorUnderTest,
  services: number,
  options: Options,
): Promise<RestartResult> {
  await first.stop();
  const started = performance.now();
  const operator = await startBenchOperator(cluster, options);
  try {
    await waitFor(() => operator.manager.hasSynced(), {
      timeoutMs: options.timeout,
      intervalMs: 5,
      message: "the restarted operator's informers to sync",
    });
    const syncedSeconds = (performance.now() - started) / 1000;
    // Idle before its first reconcile is not idle: wait until it has been through every service.
    await waitFor(() => (operator.reconciles.get("moderationservice") ?? 0) >= services, {
      timeoutMs: options.timeout,
      message: `the restarted operator to reconcile all ${services} services`,
    });
    await quiesce(operator, options.timeout);
    return {
      syncedSeconds,
      idleSeconds: ((operator.lastFinishedAt() ?? started) - started) / 1000,
      reconciles: totalReconciles(operator),
      moderationServiceReconciles: operator.reconciles.get("moderationservice") ?? 0,
      apiRequests: await totalRequests(operator),
      apiWrites: await operatorWrites(operator),
      convergedServices: cluster.converged(),
    };
  } finally {
    await operator.stop();
  }
}

const mb = (bytes: number) => bytes / 2 ** 20;

async function runAt(services: number, options: Options): Promise<RunResult> {
  const cluster = await startClusterProcess(options.target);
  try {
    const refs = await createServices(testClient(cluster.kubeConfig), services, options.perNamespace);
    const namespaces = new Set(refs.map((r) => r.namespace)).size;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBeforeOperatorMb = mb(process.memoryUsage().rss);
    const cpuBefore = process.cpuUsage();
    const clusterCpuBefore = cluster.cpuSeconds();
    const started = performance.now();
    const operator = await startBenchOperator(cluster, options);
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
      const moderationServiceReconciles = operator.reconciles.get("moderationservice") ?? 0;
      const cpu = process.cpuUsage(cpuBefore);
      let idleSeconds: number | undefined;
      // Converged is not done: pods' policy reports, Policy conditions and events may still be
      // on their way, and the rest period below must start once they are.
      try {
        await quiesce(operator, options.timeout);
        idleSeconds = ((operator.lastFinishedAt() ?? started) - started) / 1000;
      } catch {
        idleSeconds = undefined;
      }
      gc();
      const heapUsedMb = mb(process.memoryUsage().heapUsed - heapBefore);
      const rssMb = mb(process.memoryUsage().rss);
      const heapTotalMb = mb(process.memoryUsage().heapTotal);

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
      gc();
      const rssAtRestMb = mb(process.memoryUsage().rss);
      const all = [...operator.durationsMs.values()].flat().sort((a, b) => a - b);
      const ms = [...(operator.durationsMs.get("moderationservice") ?? [])].sort((a, b) => a - b);

      const changes =
        options.changes > 0
          ? await measureChanges(cluster, operator, refs, options.changes, options.timeout)
          : undefined;
      const restart = await measureRestart(cluster, operator, services, options);

      const convergeSeconds = (convergedAt - started) / 1000;
      return {
        target: options.target,
        services,
        namespaces,
        convergeSeconds,
        ...(idleSeconds !== undefined && { idleSeconds }),
        reconciles,
        reconcilesPerSecond: reconciles / convergeSeconds,
        moderationServiceReconciles,
        p50ReconcileMs: percentile(all, 50),
        p99ReconcileMs: percentile(all, 99),
        moderationServiceP50Ms: percentile(ms, 50),
        moderationServiceP99Ms: percentile(ms, 99),
        apiRequestsAtConvergence,
        apiWritesAtConvergence,
        rest,
        ...(changes && { changes }),
        restart,
        operatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
        clusterCpuSeconds,
        heapUsedMb,
        rssBeforeOperatorMb,
        rssMb,
        heapTotalMb,
        rssAtRestMb,
        clusterRssMb: mb(cluster.rssBytes()),
      };
    } finally {
      // Stopped already when measureRestart ran; stopping twice is a no-op.
      await operator.stop();
    }
  } finally {
    await cluster.stop();
  }
}

const fmt = (n: number | undefined, digits = 1): string =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-";
const pad = (s: string | number, w: number): string => String(s).padStart(w);
const pair = (a: number | undefined, b: number | undefined, digits = 1) =>
  `${fmt(a, digits)} / ${fmt(b, digits)}`;

const CLUSTER_PROCESSES: Record<Target, string> = {
  emulator: "emulator process",
  "kube-apiserver": "control plane + pod runner",
};

/** The operator's RSS target, for 1000 services. */
const RSS_TARGET_MB = 300;
const RSS_TARGET_SERVICES = 1000;

function table(runs: RunResult[]): string {
  const rows: [string, (r: RunResult) => string][] = [
    ["namespaces", (r) => String(r.namespaces)],
    ["converged after (s)", (r) => fmt(r.convergeSeconds, 2)],
    ["idle after (s)", (r) => fmt(r.idleSeconds, 2)],
    ["reconciles (all controllers)", (r) => String(r.reconciles)],
    ["  of which ModerationService", (r) => String(r.moderationServiceReconciles)],
    ["reconciles/s", (r) => fmt(r.reconcilesPerSecond, 0)],
    ["reconcile p50 / p99 ms (all)", (r) => pair(r.p50ReconcileMs, r.p99ReconcileMs)],
    ["ModerationService p50 / p99 ms", (r) => pair(r.moderationServiceP50Ms, r.moderationServiceP99Ms)],
    ["API requests to converge", (r) => String(r.apiRequestsAtConvergence)],
    ["  of which writes", (r) => String(r.apiWritesAtConvergence)],
    ["  per reconcile", (r) => fmt(r.apiRequestsAtConvergence / r.reconciles, 2)],
    ["API requests at rest", (r) => `${r.rest.apiRequests} in ${r.rest.seconds}s`],
    ["  of which writes", (r) => String(r.rest.apiWrites)],
    ["reconciles at rest", (r) => String(r.rest.reconciles)],
    ["single changes, one at a time", (r) => String(r.changes?.count ?? "-")],
    [
      "  Deployment updated p50/p99 ms",
      (r) => pair(r.changes?.childUpdatedP50Ms, r.changes?.childUpdatedP99Ms, 0),
    ],
    ["  converged p50 / p99 ms", (r) => pair(r.changes?.convergedP50Ms, r.changes?.convergedP99Ms, 0)],
    [
      "  API requests / writes each",
      (r) =>
        r.changes
          ? pair(r.changes.apiRequests / r.changes.count, r.changes.apiWrites / r.changes.count)
          : "-",
    ],
    ["restart: caches synced (s)", (r) => fmt(r.restart.syncedSeconds, 2)],
    ["  idle again after (s)", (r) => fmt(r.restart.idleSeconds, 2)],
    ["  reconciles", (r) => String(r.restart.reconciles)],
    ["  API requests", (r) => String(r.restart.apiRequests)],
    ["  of which writes", (r) => String(r.restart.apiWrites)],
    ["  services still converged", (r) => String(r.restart.convergedServices)],
    ["operator CPU s to converge", (r) => fmt(r.operatorCpuSeconds, 2)],
    [`${CLUSTER_PROCESSES[runs[0]!.target]} CPU s`, (r) => fmt(r.clusterCpuSeconds, 2)],
    ["operator heap added MB", (r) => fmt(r.heapUsedMb)],
    ["process RSS before operator MB", (r) => fmt(r.rssBeforeOperatorMb, 0)],
    ["process heap total (V8), idle MB", (r) => fmt(r.heapTotalMb, 0)],
    ["process RSS, operator idle MB", (r) => fmt(r.rssMb, 0)],
    ["  after the rest MB", (r) => fmt(r.rssAtRestMb, 0)],
    [`${CLUSTER_PROCESSES[runs[0]!.target]} RSS MB`, (r) => fmt(r.clusterRssMb, 0)],
  ];
  const header = `  ${"".padEnd(34)}${runs.map((r) => pad(`${r.services} services`, 16)).join("")}`;
  return [
    header,
    ...rows.map(([label, value]) => `  ${label.padEnd(34)}${runs.map((r) => pad(value(r), 16)).join("")}`),
  ].join("\n");
}

/** The targets this benchmark can judge, each with met / NOT met. */
function targets(runs: RunResult[]): string[] {
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  const restWrites = runs.reduce((n, r) => n + r.rest.apiWrites, 0);
  const restartWrites = runs.reduce((n, r) => n + r.restart.apiWrites, 0);
  const undisturbed = runs.every((r) => r.restart.convergedServices === r.services);
  const largest = runs[runs.length - 1]!;
  const rss =
    largest.services >= RSS_TARGET_SERVICES
      ? `${fmt(largest.rssMb, 0)} MB at ${largest.services} services once idle, ${fmt(largest.rssAtRestMb, 0)} MB after the rest (< ${RSS_TARGET_MB} MB) ${verdict(Math.max(largest.rssMb, largest.rssAtRestMb) < RSS_TARGET_MB)}`
      : `${fmt(largest.rssMb, 0)} MB at ${largest.services} services: the < ${RSS_TARGET_MB} MB target is for ${RSS_TARGET_SERVICES} (--services ${RSS_TARGET_SERVICES})`;
  return [
    `  writes at rest                 ${restWrites} (0) ${verdict(restWrites === 0)}`,
    `  writes after a restart         ${restartWrites} (0: nothing changed) ${verdict(restartWrites === 0)}`,
    `  services converged after a restart  ${verdict(undisturbed)}`,
    `  operator process RSS           ${rss}`,
  ];
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
    `bench:operator: ${options.services} ModerationServices against a baseline of ${baselineServices} on ${options.target}, ` +
      `${options.perNamespace} per namespace, --concurrency ${options.concurrency}, ${availableParallelism()} cores, ${gcNote}, ` +
      `load average ${fmt(loadBefore, 2)} (other processes on the machine skew every figure)\n`,
  );
  const baseline = await runAt(baselineServices, options);
  const full = await runAt(options.services, options);
  const ratios = perService(baseline, full);
  console.log(
    [
      table([baseline, full]),
      "",
      `per service, ${options.services} against ${baselineServices} (1.00 = linear; above 1 = each service costs more at scale)`,
      `  time to converge ${fmt(ratios.convergeSeconds, 2)}, reconciles ${fmt(ratios.reconciles, 2)}, API requests ${fmt(ratios.apiRequests, 2)}, ` +
        `writes ${fmt(ratios.apiWrites, 2)}, operator CPU ${fmt(ratios.operatorCpuSeconds, 2)}; ` +
        `${CLUSTER_PROCESSES[options.target]} CPU ${fmt(ratios.clusterCpuSeconds, 2)}`,
      `  operator heap per additional service: ${fmt(ratios.marginalHeapKbPerService)} KB`,
      `  API requests per service to converge: ${fmt(full.apiRequestsAtConvergence / full.services)} (baseline ${fmt(baseline.apiRequestsAtConvergence / baseline.services)}); ` +
        `writes ${fmt(full.apiWritesAtConvergence / full.services)} (baseline ${fmt(baseline.apiWritesAtConvergence / baseline.services)})`,
      "",
      "targets",
      ...targets([baseline, full]),
      "",
      `load average: ${fmt(loadBefore, 2)} before, ${fmt(loadavg()[0]!, 2)} after`,
    ].join("\n"),
  );
  const out = path.resolve(REPO_ROOT, options.out ?? `bench-results/operator-${options.target}.json`);
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
