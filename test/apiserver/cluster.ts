// The cluster a test runs against: a fresh emulator by default, or the real cluster named by
// VIGIL_TEST_KUBECONFIG (the vitest "kube-apiserver" project sets it to the control plane
// test/controlplane starts). Tests create their objects in namespaces from newNamespace(),
// which close() deletes again.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { PodSimulator } from "../controlplane/pod-simulator.js";
import { ApiServerEmulator } from "./emulator.js";

export interface TestClusterOptions {
  /** Emulator only: run the owner-reference garbage collector (a real cluster always has one). Default false. */
  garbageCollection?: boolean;
  /** Install Vigil's CRDs from config/crd/bases. Default true. */
  installCrds?: boolean;
  /** Emulator only: size of the watch history (see ApiServerEmulatorOptions). */
  historyLimit?: number;
  /** Emulator only: watch bookmark interval in ms. */
  bookmarkIntervalMs?: number;
}

/**
 * Stand-ins for what a cluster without scheduler or kubelet cannot do itself. The emulator
 * writes the Deployment's status directly; on the test control plane pods are bound to a fake
 * Node and reported ready, and kube-controller-manager's controllers move the Deployment.
 */
export interface WorkloadSimulator {
  /** Resolves once the Deployment reports `readyReplicas` (default: all) ready, rolled out when all are. */
  setDeploymentReady(namespace: string, name: string, readyReplicas?: number): Promise<void>;
  /** Runs one existing pod (bound to a node, Running, Ready), as a scheduler and kubelet would. */
  setPodReady(namespace: string, name: string): Promise<void>;
}

/** Set (to "1") for a real cluster that has no scheduler or kubelet, such as test/controlplane's. */
export const SIMULATE_PODS_ENV = "VIGIL_TEST_SIMULATE_PODS";

export interface TestCluster {
  /** Points at the emulator, or at VIGIL_TEST_KUBECONFIG's cluster. */
  kubeConfig: KubeConfig;
  /** The emulator; undefined against a real cluster. */
  emulator?: ApiServerEmulator;
  /**
   * Makes Deployments ready on the emulator and on a cluster without kubelets
   * (VIGIL_TEST_SIMULATE_PODS=1); undefined on a cluster whose kubelets run pods themselves.
   */
  workloads?: WorkloadSimulator;
  /** Creates a namespace `<prefix>-<random>`; close() deletes it. */
  newNamespace(prefix?: string): Promise<string>;
  /**
   * Whether `namespace` is this test's: any namespace on the emulator (one per test file), only
   * those from newNamespace() on a real cluster, which test files running in parallel share.
   */
  ownsNamespace(namespace: string): boolean;
  close(): Promise<void>;
}

export const CRD_DIR = fileURLToPath(new URL("../../config/crd/bases", import.meta.url));
const FIELD_MANAGER = "vigil-test";

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const kubeconfigPath = process.env.VIGIL_TEST_KUBECONFIG;
  if (kubeconfigPath) return startRealCluster(kubeconfigPath, opts);
  const emulator = await ApiServerEmulator.start({
    garbageCollection: opts.garbageCollection ?? false,
    ...(opts.historyLimit !== undefined ? { historyLimit: opts.historyLimit } : {}),
    ...(opts.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
  });
  if (opts.installCrds ?? true) emulator.installCrdsFromDir(CRD_DIR);
  const workloads: WorkloadSimulator = {
    setDeploymentReady: async (namespace, name, readyReplicas) => {
      emulator.simulate.setDeploymentReady(namespace, name, readyReplicas);
    },
    setPodReady: async (namespace, name) => {
      emulator.simulate.setPodPhase(namespace, name, "Running");
    },
  };
  return clusterFor(emulator.kubeConfig(), { emulator, workloads }, () => emulator.close(), true);
}

async function startRealCluster(path: string, opts: TestClusterOptions): Promise<TestCluster> {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (opts.installCrds ?? true) await applyCrds(kc);
  const workloads = process.env[SIMULATE_PODS_ENV] === "1" ? new PodSimulator(kc) : undefined;
  return clusterFor(kc, { ...(workloads && { workloads }) }, async () => {}, false);
}

function clusterFor(
  kc: KubeConfig,
  powers: Pick<TestCluster, "emulator" | "workloads">,
  shutdown: () => Promise<void>,
  exclusive: boolean,
): TestCluster {
  const core = kc.makeApiClient(CoreV1Api);
  const created: string[] = [];
  const owned = new Set<string>();
  return {
    kubeConfig: kc,
    ...powers,
    async newNamespace(prefix = "test") {
      const name = `${prefix}-${randomBytes(4).toString("hex")}`.toLowerCase().slice(0, 63);
      await core.createNamespace({ body: { metadata: { name, labels: { "vigil.dev/test": "true" } } } });
      created.push(name);
      owned.add(name);
      return name;
    },
    ownsNamespace: (namespace) => exclusive || owned.has(namespace),
    async close() {
      for (const name of created.splice(0)) {
        try {
          await core.deleteNamespace({ name });
        } catch (err) {
          if ((err as { code?: number }).code !== 404) throw err;
        }
      }
      await shutdown();
    },
  };
}

/** Real clusters: server-side apply Vigil's CRDs and wait until they are Established. */
async function applyCrds(kc: KubeConfig): Promise<void> {
  const objects = kc.makeApiClient(KubernetesObjectApi);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const names: string[] = [];
  for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith(".yaml"))) {
    // loadAllYaml turns wire names (x-kubernetes-*) into the client's model, which patch serializes back.
    for (const crd of loadAllYaml(readFileSync(join(CRD_DIR, file), "utf8")) as KubernetesObject[]) {
      await objects.patch(crd, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      names.push(crd.metadata!.name!);
    }
  }
  const deadline = Date.now() + 60_000;
  for (const name of names) {
    for (;;) {
      const crd = await ext.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} did not become Established within 60s`);
      await sleep(250);
    }
  }
}
