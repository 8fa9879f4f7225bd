// Shared pieces of the controller-loop tests: polling, a Manager wired for tests, and
// ModerationService/Policy/ConfigMap fixtures. Everything goes over HTTP to the emulator (or
// to the cluster named by VIGIL_TEST_KUBECONFIG).
import type { KubeConfig } from "@kubernetes/client-node";
import { Kinds } from "../../operator/core/kinds.js";
import { KubeClient, type KubeObject } from "../../operator/core/kubeclient.js";
import { createLogger } from "../../operator/core/logging.js";
import { Manager, type ManagerOptions } from "../../operator/core/manager.js";
import type { ApiServerEmulator, TestCluster, WorkloadSimulator } from "../apiserver/index.js";

/**
 * Fault injection and request recording exist only in the emulator. Tests that need them
 * are skipped (with this as the reason) when VIGIL_TEST_KUBECONFIG points at a real cluster.
 */
export const onEmulator = !process.env.VIGIL_TEST_KUBECONFIG;

/**
 * Deployments can be made ready on demand: on the emulator, and on a real cluster without
 * kubelets (test/controlplane's, VIGIL_TEST_SIMULATE_PODS=1). Tests that need it are skipped
 * (with this as the reason) on a cluster whose kubelets would run the pods themselves.
 */
export const canSimulateWorkloads = onEmulator || process.env.VIGIL_TEST_SIMULATE_PODS === "1";

/** The workload simulator of `cluster`; only call from tests guarded by `canSimulateWorkloads`. */
export function workloadsOf(cluster: TestCluster): WorkloadSimulator {
  if (!cluster.workloads)
    throw new Error("this test needs simulated pods (the emulator or test/controlplane)");
  return cluster.workloads;
}

/** The emulator behind `cluster`; only call from tests guarded by `onEmulator`. */
export function emulatorOf(cluster: TestCluster): ApiServerEmulator {
  if (!cluster.emulator) throw new Error("this test needs the API emulator (unset VIGIL_TEST_KUBECONFIG)");
  return cluster.emulator;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

/** Polls `probe` until it returns a truthy value (which is returned) or the timeout passes. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${options.message ?? "condition"}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A test's own API client (its requests are not the operator's). */
export function testClient(kubeConfig: KubeConfig): KubeClient {
  return new KubeClient(kubeConfig, { userAgent: "vigil-loop-test" });
}

/** A Manager with quiet logs, fast informer restarts and short watch timeouts. */
export function testManager(kubeConfig: KubeConfig, options: Partial<ManagerOptions> = {}): Manager {
  return new Manager({
    kubeConfig,
    log: createLogger({ level: process.env.VIGIL_TEST_LOG ? "debug" : "silent" }),
    queueBackoff: { initialMs: 20, maxMs: 1_000 },
    informers: {
      restartBackoff: { initialMs: 50, maxMs: 500, jitter: 0.2 },
      watchTimeoutSeconds: 30,
      watchDeadlineGraceMs: 2_000,
    },
    ...options,
  });
}

export function moderationService(namespace: string, name: string, policy = "policy"): KubeObject {
  return {
    apiVersion: Kinds.ModerationService.apiVersion,
    kind: "ModerationService",
    metadata: { name, namespace },
    spec: { modelRef: { name: "model" }, policyRef: { name: policy }, replicas: 1 },
  };
}

/** The model moderationService() refers to by default: the runtime's built-in one, no quality gate. */
export function modelDeployment(namespace: string, name = "model"): KubeObject {
  return {
    apiVersion: Kinds.ModelDeployment.apiVersion,
    kind: "ModelDeployment",
    metadata: { name, namespace },
    spec: { model: { name: "vigil-default", version: "1.0.0", source: { uri: "builtin://default" } } },
  };
}

export function policy(namespace: string, name: string, block = 0.9): KubeObject {
  return {
    apiVersion: Kinds.Policy.apiVersion,
    kind: "Policy",
    metadata: { name, namespace },
    spec: { categories: { toxicity: { block } }, defaultAction: "allow" },
  };
}

export function configMap(namespace: string, name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

/** Runs `fn` and records the most calls that were ever in flight together. */
export class ConcurrencyProbe {
  active = 0;
  max = 0;
  readonly #activeByKey = new Map<string, number>();
  maxPerKey = 0;

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.active += 1;
    this.max = Math.max(this.max, this.active);
    const perKey = (this.#activeByKey.get(key) ?? 0) + 1;
    this.#activeByKey.set(key, perKey);
    this.maxPerKey = Math.max(this.maxPerKey, perKey);
    try {
      return await fn();
    } finally {
      this.active -= 1;
      this.#activeByKey.set(key, (this.#activeByKey.get(key) ?? 1) - 1);
    }
  }
}
