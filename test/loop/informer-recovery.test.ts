// The informer keeps its cache right through what real watches go through: the server
// dropping the stream, a resourceVersion too old to resume from (410 Gone, relist), bursts
// of 500s on list and watch, and a stream that stays open but goes silent. Each case changes
// and deletes objects while the watch is down and checks that nothing is lost.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Informer } from "../../operator/core/informer.js";
import { Kinds } from "../../operator/core/kinds.js";
import { KubeClient, type KubeObject } from "../../operator/core/kubeclient.js";
import { OperatorMetrics } from "../../operator/core/metrics.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { configMap, emulatorOf, onEmulator, testClient, waitFor } from "./support.js";

type ConfigMap = KubeObject & { data?: Record<string, string> };

let cluster: TestCluster;
const informers: Informer<ConfigMap>[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ historyLimit: 50 });
});

afterEach(async () => {
  cluster?.emulator?.faults.clear();
  await Promise.all(informers.splice(0).map((i) => i.stop()));
});

afterAll(async () => {
  await cluster?.close();
});

async function startInformer(namespace: string, watchTimeoutSeconds = 30) {
  const metrics = new OperatorMetrics();
  const client = new KubeClient(cluster.kubeConfig, { metrics });
  const informer = new Informer<ConfigMap>(client, Kinds.ConfigMap, {
    namespaces: [namespace],
    metrics,
    restartBackoff: { initialMs: 50, maxMs: 400, jitter: 0.2 },
    watchTimeoutSeconds,
    watchDeadlineGraceMs: 500,
  });
  const deleted: string[] = [];
  informer.on((type, obj) => {
    if (type === "delete") deleted.push(obj.metadata?.name ?? "");
  });
  informers.push(informer);
  informer.start();
  await informer.whenSynced();
  return { informer, metrics, deleted };
}

const restarts = async (metrics: OperatorMetrics) =>
  (await metrics.informerRestarts.get()).values.reduce((sum, v) => sum + v.value, 0);

/** Changes "keep", deletes "gone" and creates "new" while the caller's fault is active. */
async function churn(client: KubeClient, namespace: string, value: string) {
  await client.patch(Kinds.ConfigMap, { name: "keep", namespace }, { data: { v: value } });
  await client.delete(Kinds.ConfigMap, "gone", namespace);
  await client.create(Kinds.ConfigMap, configMap(namespace, "new", { v: value }));
}

async function expectConverged(
  informer: Informer<ConfigMap>,
  namespace: string,
  value: string,
  deleted: string[],
) {
  await waitFor(
    () =>
      informer.get("keep", namespace)?.data?.v === value &&
      informer.get("new", namespace)?.data?.v === value &&
      informer.get("gone", namespace) === undefined,
    { message: `cache to show v=${value}, "new" created and "gone" deleted` },
  );
  expect(deleted).toContain("gone");
}

async function setup(prefix: string) {
  const namespace = await cluster.newNamespace(prefix);
  const client = testClient(cluster.kubeConfig);
  await client.create(Kinds.ConfigMap, configMap(namespace, "keep", { v: "0" }));
  await client.create(Kinds.ConfigMap, configMap(namespace, "gone"));
  return { namespace, client };
}

describe("informer recovery", () => {
  it("lists, then follows changes through the watch", async () => {
    const { namespace, client } = await setup("follow");
    const { informer, deleted } = await startInformer(namespace);
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get("keep", namespace)?.data?.v).toBe("0");
    await churn(client, namespace, "1");
    await expectConverged(informer, namespace, "1", deleted);
  });

  it.skipIf(!onEmulator)("resumes after the server drops the watch", async () => {
    const emulator = emulatorOf(cluster);
    const { namespace, client } = await setup("drop");
    const { informer, deleted } = await startInformer(namespace);
    await waitFor(() => emulator.openWatches > 0, { message: "watch open" });
    const watchesBefore = emulator.requests.filter(
      (r) => r.verb === "watch" && r.namespace === namespace,
    ).length;
    expect(emulator.faults.dropWatches((r) => r.namespace === namespace)).toBeGreaterThan(0);
    await churn(client, namespace, "2");
    await expectConverged(informer, namespace, "2", deleted);
    const watches = emulator.requests.filter((r) => r.verb === "watch" && r.namespace === namespace).length;
    expect(watches).toBeGreaterThan(watchesBefore);
  });

  it.skipIf(!onEmulator)(
    "relists after 410 Gone when the history it would resume from is compacted",
    async () => {
      const emulator = emulatorOf(cluster);
      const { namespace, client } = await setup("gone");
      const { informer, metrics, deleted } = await startInformer(namespace);
      const inNamespace = (verb: string) =>
        emulator.requests.filter((r) => r.verb === verb && r.namespace === namespace);
      const listsBefore = inNamespace("list").length;
      // Keep the watch down (500s) while the changes happen and the history is compacted, so
      // the reconnect asks for a resourceVersion the server no longer has.
      emulator.faults.failNext(3, {
        status: 500,
        match: (r) => r.verb === "watch" && r.namespace === namespace,
      });
      emulator.faults.dropWatches((r) => r.namespace === namespace);
      await churn(client, namespace, "3");
      emulator.compactHistory();
      await expectConverged(informer, namespace, "3", deleted);
      // A watch from a compacted resourceVersion is answered like the apiserver does (an ERROR
      // event with code 410, or a 410 status); a failed watch alone resumes from its
      // resourceVersion without listing, so a new list shows the informer relisted.
      expect(inNamespace("list").length).toBeGreaterThan(listsBefore);
      expect(await restarts(metrics)).toBeGreaterThan(0);
    },
  );

  it.skipIf(!onEmulator)(
    "rides out a burst of 500s on watch and list with backoff, losing no update",
    async () => {
      const emulator = emulatorOf(cluster);
      const { namespace, client } = await setup("burst");
      const { informer, metrics, deleted } = await startInformer(namespace);
      emulator.faults.failNext(6, {
        status: 500,
        match: (r) => (r.verb === "watch" || r.verb === "list") && r.namespace === namespace,
      });
      emulator.faults.dropWatches((r) => r.namespace === namespace);
      await churn(client, namespace, "4");
      // Force a relist path too: the history moves on while list and watch fail.
      emulator.compactHistory();
      await expectConverged(informer, namespace, "4", deleted);
      const failed = emulator.requests.filter(
        (r) => (r.verb === "watch" || r.verb === "list") && r.namespace === namespace && r.status === 500,
      );
      expect(failed).toHaveLength(6);
      expect(await restarts(metrics)).toBeGreaterThanOrEqual(6);
    },
  );

  it.skipIf(!onEmulator)(
    "abandons a watch that stays open but delivers nothing, and catches up",
    async () => {
      const emulator = emulatorOf(cluster);
      const { namespace, client } = await setup("stall");
      // Server-side timeout 1-2s; a stream silent 0.5s past it is cut by the client.
      const { informer, deleted } = await startInformer(namespace, 1);
      await waitFor(() => emulator.openWatches > 0, { message: "watch open" });
      emulator.faults.stallWatches((r) => r.namespace === namespace);
      await churn(client, namespace, "5");
      expect(informer.get("keep", namespace)?.data?.v).toBe("0");
      emulator.faults.clear();
      await expectConverged(informer, namespace, "5", deleted);
    },
  );
});
