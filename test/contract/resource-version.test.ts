// Contract: one global resourceVersion that only moves forward, optimistic concurrency on
// update (409 Conflict on a stale resourceVersion), and no-op writes that change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, expectStatus, type Clients } from "./harness.js";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("rv");
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("resourceVersion", () => {
  it("increases across kinds with every write", async () => {
    const a = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "a" } } });
    const s = await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "s" } } });
    const b = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "b" } } });
    const rvs = [a, s, b].map((o) => BigInt(o.metadata!.resourceVersion!));
    expect(rvs[0]! < rvs[1]!).toBe(true);
    expect(rvs[1]! < rvs[2]!).toBe(true);
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    expect(BigInt(list.metadata!.resourceVersion!) >= rvs[2]!).toBe(true);
  });

  it("rejects an update carrying a stale resourceVersion with 409 Conflict", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "occ" }, data: { v: "1" } },
    });
    await c.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: "occ",
      body: { ...cm, data: { v: "2" } },
    });
    const status = await expectStatus(
      c.core.replaceNamespacedConfigMap({ namespace: ns, name: "occ", body: { ...cm, data: { v: "3" } } }),
      409,
      "Conflict",
    );
    expect(status.message).toBe(
      'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(status.details).toMatchObject({ name: "occ", kind: "configmaps" });
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: "occ" })).data).toEqual({ v: "2" });
  });

  it("accepts an update without resourceVersion unconditionally", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "uncond" }, data: { v: "1" } },
    });
    const updated = await c.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: "uncond",
      body: { metadata: { name: "uncond" }, data: { v: "2" } },
    });
    expect(updated.data).toEqual({ v: "2" });
  });

  it("rejects a patch whose body carries a stale resourceVersion", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "patch-occ" }, data: { v: "1" } },
    });
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "patch-occ", body: { data: { v: "2" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await expectStatus(
      c.core.patchNamespacedConfigMap(
        {
          namespace: ns,
          name: "patch-occ",
          body: { metadata: { resourceVersion: cm.metadata!.resourceVersion }, data: { v: "3" } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
      409,
      "Conflict",
    );
  });

  it("rejects an update whose uid names another incarnation of the object", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "reborn" } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "reborn" });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "reborn" } } });
    const status = await expectStatus(
      c.core.replaceNamespacedConfigMap({
        namespace: ns,
        name: "reborn",
        body: { metadata: { name: "reborn", uid: cm.metadata!.uid }, data: { a: "1" } },
      }),
      409,
      "Conflict",
    );
    expect(status.message).toContain("Precondition failed: UID in precondition");
  });

  it("does not change resourceVersion for an update that changes nothing", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "noop" }, data: { v: "1" } },
    });
    const same = await c.core.replaceNamespacedConfigMap({ namespace: ns, name: "noop", body: cm });
    expect(same.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
    const patched = await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "noop", body: { data: { v: "1" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });
});
