// The cluster a test runs against: a fresh emulator by default, or the real cluster named by
// VIGIL_TEST_KUBECONFIG. Tests create their objects in namespaces from newNamespace(), which
// close() deletes again.
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

export interface TestCluster {
  /** Points at the emulator, or at VIGIL_TEST_KUBECONFIG's cluster. */
  kubeConfig: KubeConfig;
  /** The emulator; undefined against a real cluster. */
  emulator?: ApiServerEmulator;
  /** Creates a namespace `<prefix>-<random>`; close() deletes it. */
  newNamespace(prefix?: string): Promise<string>;
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
  return clusterFor(emulator.kubeConfig(), emulator, () => emulator.close());
}

async function startRealCluster(path: string, opts: TestClusterOptions): Promise<TestCluster> {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (opts.installCrds ?? true) await applyCrds(kc);
  return clusterFor(kc, undefined, async () => {});
}

function clusterFor(
  kc: KubeConfig,
  emulator: ApiServerEmulator | undefined,
  shutdown: () => Promise<void>,
): TestCluster {
  const core = kc.makeApiClient(CoreV1Api);
  const created: string[] = [];
  return {
    kubeConfig: kc,
    ...(emulator ? { emulator } : {}),
    async newNamespace(prefix = "test") {
      const name = `${prefix}-${randomBytes(4).toString("hex")}`.toLowerCase().slice(0, 63);
      await core.createNamespace({ body: { metadata: { name, labels: { "vigil.dev/test": "true" } } } });
      created.push(name);
      return name;
    },
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
