// Contract: owner-reference garbage collection (kube-controller-manager's; opt-in in the
// emulator): background deletion of dependents, orphaning, foreground deletion, dangling
// references, and dependents with several owners.
import { PatchStrategy, setHeaderOptions, type V1OwnerReference } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, isGone, waitFor, type Clients } from "./harness.js";

let c: Clients;
let ns: string;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  c = await connect({ garbageCollection: true });
  ns = await c.cluster.newNamespace("gc");
});
afterAll(async () => {
  await c?.cluster.close();
});

async function owner(name: string): Promise<V1OwnerReference> {
  const cm = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
  return { apiVersion: "v1", kind: "ConfigMap", name, uid: cm.metadata!.uid!, blockOwnerDeletion: true };
}

async function dependent(name: string, owners: V1OwnerReference[]): Promise<void> {
  await c.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name, ownerReferences: owners } },
  });
}

const secretGone = (name: string) => () => isGone(() => c.core.readNamespacedSecret({ namespace: ns, name }));

describe("garbage collection", () => {
  it("deletes dependents after their owner is deleted (background)", async () => {
    const ref = await owner("bg-owner");
    await dependent("bg-dep", [{ ...ref, controller: true }]);
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "bg-owner" });
    await waitFor("the dependent to be collected", secretGone("bg-dep"));
  });

  it("orphans dependents with propagationPolicy Orphan", async () => {
    const ref = await owner("orphan-owner");
    await dependent("orphan-dep", [ref]);
    await c.core.deleteNamespacedConfigMap({
      namespace: ns,
      name: "orphan-owner",
      propagationPolicy: "Orphan",
    });
    await waitFor("the owner to go", () =>
      isGone(() => c.core.readNamespacedConfigMap({ namespace: ns, name: "orphan-owner" })),
    );
    const dep = await c.core.readNamespacedSecret({ namespace: ns, name: "orphan-dep" });
    expect(dep.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it("deletes blocking dependents before the owner with propagationPolicy Foreground", async () => {
    const ref = await owner("fg-owner");
    await c.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "fg-dep", ownerReferences: [ref], finalizers: ["contract.vigil.dev/hold"] } },
    });
    await c.core.deleteNamespacedConfigMap({
      namespace: ns,
      name: "fg-owner",
      propagationPolicy: "Foreground",
    });
    const deleting = await c.core.readNamespacedConfigMap({ namespace: ns, name: "fg-owner" });
    expect(deleting.metadata?.finalizers).toContain("foregroundDeletion");
    await waitFor(
      "the dependent to start deleting",
      async () =>
        (await c.core.readNamespacedSecret({ namespace: ns, name: "fg-dep" })).metadata?.deletionTimestamp,
    );
    // The owner waits for its blocking dependent.
    expect(
      (await c.core.readNamespacedConfigMap({ namespace: ns, name: "fg-owner" })).metadata?.deletionTimestamp,
    ).toBeInstanceOf(Date);
    await c.core.patchNamespacedSecret(
      { namespace: ns, name: "fg-dep", body: { metadata: { finalizers: null } } },
      merge,
    );
    await waitFor("the owner to go", () =>
      isGone(() => c.core.readNamespacedConfigMap({ namespace: ns, name: "fg-owner" })),
    );
  });

  it("deletes a dependent whose owner never existed", async () => {
    await dependent("dangling", [
      { apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: "6f1d2a44-0000-4000-8000-000000000000" },
    ]);
    await waitFor("the dangling dependent to be collected", secretGone("dangling"));
  });

  it("keeps a dependent that still has another owner, dropping the reference to the deleted one", async () => {
    const a = await owner("multi-a");
    const b = await owner("multi-b");
    await dependent("multi-dep", [a, b]);
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "multi-a" });
    await waitFor("the reference to the deleted owner to be dropped", async () => {
      const dep = await c.core.readNamespacedSecret({ namespace: ns, name: "multi-dep" });
      return dep.metadata?.ownerReferences?.length === 1 && dep.metadata.ownerReferences[0]!.uid === b.uid;
    });
  });
});
