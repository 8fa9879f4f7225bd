// The operator's real controllers in a test Manager, with counters the loop tests and
// bench:operator read. Free of vitest, so the benchmark (a plain script) can start it too.
import { createControllers, type ControllerOptions } from "../../operator/controllers/index.js";
import type { Controller, ControllerDefinition } from "../../operator/core/controller.js";
import type { Manager, ManagerOptions } from "../../operator/core/manager.js";
import type { TestCluster } from "../apiserver/index.js";
import { testManager, waitFor } from "./support.js";

export const RUNTIME_IMAGE = "ghcr.io/vigil-dev/vigil-runtime:0.1.0";

export interface OperatorUnderTest {
  manager: Manager;
  controllers: Map<string, Controller>;
  /** Reconciles started, per controller name. */
  reconciles: Map<string, number>;
  /** Reconciles running now, all controllers together. */
  inFlight(): number;
  /** The last keys reconciled, "controller key", oldest first (what kept it busy, on a timeout). */
  recent: string[];
  /** Wall-clock duration of every finished reconcile in ms, per controller name. */
  durationsMs: Map<string, number[]>;
  /** performance.now() when the last reconcile finished (undefined: none has). */
  lastFinishedAt(): number | undefined;
  stop(): Promise<void>;
}

/**
 * The operator's controllers (as main.ts registers them) in a test Manager, started.
 * `managerOptions` override the test Manager's (a benchmark sets concurrency and backoff).
 */
export async function startOperator(
  cluster: Pick<TestCluster, "kubeConfig"> & Partial<Pick<TestCluster, "ownsNamespace">>,
  options: ControllerOptions = {},
  managerOptions: Partial<ManagerOptions> = {},
): Promise<OperatorUnderTest> {
  // A short discovery TTL lets a test install the VPA CRD and see it picked up quickly. Test
  // pods run nowhere: unless a test says where their runtime answers, they have no address.
  const definitions = createControllers({
    vpaDiscoveryTtlMs: 200,
    resolvePodUrl: () => undefined,
    policyProbeIntervalMs: 200,
    ...options,
  });
  const manager = testManager(cluster.kubeConfig, {
    settings: { runtimeImage: RUNTIME_IMAGE },
    ...(options.clock && { clock: options.clock }),
    ...managerOptions,
  });
  const reconciles = new Map<string, number>();
  const recent: string[] = [];
  const durationsMs = new Map<string, number[]>();
  let running = 0;
  let lastFinishedAt: number | undefined;
  const controllers = new Map<string, Controller>();
  for (const definition of definitions) {
    const counted: ControllerDefinition = {
      ...definition,
      async reconcile(key, ctx) {
        // On a shared real cluster, other test files' objects are theirs: an operator under test
        // acts only in its own namespaces, as one started with --namespaces would.
        const namespace = key.includes("/") ? key.slice(0, key.indexOf("/")) : undefined;
        if (namespace !== undefined && cluster.ownsNamespace && !cluster.ownsNamespace(namespace))
          return undefined;
        reconciles.set(definition.name, (reconciles.get(definition.name) ?? 0) + 1);
        recent.push(`${definition.name} ${key}`);
        if (recent.length > 10) recent.shift();
        running += 1;
        const started = performance.now();
        try {
          return await definition.reconcile(key, ctx);
        } finally {
          running -= 1;
          lastFinishedAt = performance.now();
          const durations = durationsMs.get(definition.name) ?? [];
          durations.push(lastFinishedAt - started);
          durationsMs.set(definition.name, durations);
        }
      },
    };
    controllers.set(definition.name, manager.add(counted));
  }
  await manager.start();
  return {
    manager,
    controllers,
    reconciles,
    inFlight: () => running,
    recent,
    durationsMs,
    lastFinishedAt: () => lastFinishedAt,
    stop: () => manager.stop(),
  };
}

/** Waits until no controller has work queued or running and none started for a few polls. */
export async function quiesce(operator: OperatorUnderTest, timeoutMs = 20_000): Promise<void> {
  let last = -1;
  let stableFor = 0;
  await waitFor(
    () => {
      const total = [...operator.reconciles.values()].reduce((a, b) => a + b, 0);
      const idle =
        operator.inFlight() === 0 && [...operator.controllers.values()].every((c) => c.queue.length === 0);
      stableFor = idle && total === last ? stableFor + 1 : 0;
      last = total;
      if (stableFor >= 15) return true;
      throw new Error(`last reconciled: ${operator.recent.join(", ")}`);
    },
    { message: "the operator to go idle", timeoutMs },
  );
}

/** Writes the operator has sent, from its own request metrics (works on a real cluster too). */
export async function operatorWrites(operator: OperatorUnderTest): Promise<number> {
  const counts = await operator.manager.metrics.apiRequests.get();
  return counts.values
    .filter((v) => ["create", "update", "patch", "apply", "delete"].includes(String(v.labels.verb)))
    .reduce((sum, v) => sum + v.value, 0);
}
