// Contract: client-node's real informer (makeInformer) lists, then follows changes; and
// (emulator only, it needs fault injection) it recovers from a dropped watch and from a 410
// without losing an update.
import {
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type ObjectCache,
  type V1ConfigMap,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, onRealCluster, waitFor, type Clients } from "./harness.js";

let c: Clients;
let ns: string;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("informer");
});
afterAll(async () => {
  await c?.cluster.close();
});

interface Tracked {
  informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>;
  log: string[];
  errors: unknown[];
}

async function startInformer(label: string): Promise<Tracked> {
  const informer = makeInformer<V1ConfigMap>(
    c.kc,
    `/api/v1/namespaces/${ns}/configmaps`,
    () => c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: `suite=${label}` }),
    `suite=${label}`,
  );
  const t: Tracked = { informer, log: [], errors: [] };
  informer.on("add", (o) => t.log.push(`add ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
  informer.on("update", (o) => t.log.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
  informer.on("delete", (o) => t.log.push(`delete ${o.metadata?.name}`));
  informer.on("error", (err) => t.errors.push(err));
  await informer.start();
  return t;
}

const value = (t: Tracked, name: string) => t.informer.get(name, ns)?.data?.v;

describe("makeInformer", () => {
  it("lists existing objects, then sees adds, updates and deletes", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "pre", labels: { suite: "basic" } }, data: { v: "0" } },
    });
    const t = await startInformer("basic");
    try {
      await waitFor("the initial list", () => value(t, "pre") === "0");
      await c.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: "new", labels: { suite: "basic" } }, data: { v: "1" } },
      });
      await c.core.patchNamespacedConfigMap(
        { namespace: ns, name: "pre", body: { data: { v: "2" } } },
        merge,
      );
      await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "new" });
      await waitFor("the delete", () => t.log.includes("delete new"));
      expect(t.log).toEqual(['add pre {"v":"0"}', 'add new {"v":"1"}', 'update pre {"v":"2"}', "delete new"]);
      expect(t.errors).toEqual([]);
    } finally {
      await t.informer.stop();
    }
  });

  it.skipIf(onRealCluster)(
    // Emulator only: dropping a watch on purpose needs fault injection.
    "re-watches after the server drops the watch, without losing an update",
    async () => {
      const emulator = c.cluster.emulator!;
      await c.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: "d", labels: { suite: "drop" } }, data: { v: "0" } },
      });
      const t = await startInformer("drop");
      try {
        await waitFor("the initial list", () => value(t, "d") === "0");
        const watchesBefore = emulator.requests.filter(
          (r) => r.verb === "watch" && r.namespace === ns,
        ).length;
        emulator.faults.dropWatches((r) => r.namespace === ns);
        await c.core.patchNamespacedConfigMap(
          { namespace: ns, name: "d", body: { data: { v: "1" } } },
          merge,
        );
        await waitFor("the update after the drop", () => value(t, "d") === "1");
        const watches = emulator.requests.filter((r) => r.verb === "watch" && r.namespace === ns);
        expect(watches.length).toBeGreaterThan(watchesBefore);
        expect(t.errors).toEqual([]);
      } finally {
        await t.informer.stop();
      }
    },
  );

  it.skipIf(onRealCluster)(
    // Emulator only: forcing a 410 needs a stalled watch and a history compaction.
    "relists after a 410 and catches up with the update it missed",
    async () => {
      const emulator = c.cluster.emulator!;
      await c.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: "g", labels: { suite: "gone" } }, data: { v: "0" } },
      });
      const t = await startInformer("gone");
      try {
        await waitFor("the initial list", () => value(t, "g") === "0");
        emulator.faults.stallWatches((r) => r.namespace === ns);
        await c.core.patchNamespacedConfigMap(
          { namespace: ns, name: "g", body: { data: { v: "missed" } } },
          merge,
        );
        emulator.compactHistory();
        emulator.faults.clear();
        const listsBefore = emulator.requests.filter((r) => r.verb === "list" && r.namespace === ns).length;
        emulator.faults.dropWatches((r) => r.namespace === ns);
        await waitFor("the relist to deliver the missed update", () => value(t, "g") === "missed");
        expect(
          emulator.requests.filter((r) => r.verb === "list" && r.namespace === ns).length,
        ).toBeGreaterThan(listsBefore);
        expect(t.log).toContain('update g {"v":"missed"}');
        expect(t.errors).toEqual([]);
      } finally {
        await t.informer.stop();
      }
    },
  );
});
