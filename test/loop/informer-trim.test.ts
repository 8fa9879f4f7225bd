// The Manager's informers hold every object of their kinds, so they cache only the
// managedFields the operator reads (what it applied itself), and apply still recognises its
// steady state from such a trimmed object. Against the emulator and a real kube-apiserver,
// whose managedFields bookkeeping is the one that counts.
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyObject, FIELD_MANAGER } from "../../operator/core/apply.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { configMap, testClient, testManager, waitFor } from "./support.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.close();
});

it("caches the operator's applied fields and drops other managers' and subresources'", async () => {
  const namespace = await cluster.newNamespace("trim");
  const manager = testManager(cluster.kubeConfig);
  const informer = manager.informer<KubeObject & { data?: Record<string, string> }>(Kinds.ConfigMap);
  await manager.start();
  try {
    const desired = configMap(namespace, "settings", { owned: "by-operator" });
    await applyObject(manager.client, desired);
    // Another manager (the test client's user agent) updates a field of its own.
    await testClient(cluster.kubeConfig).patch(
      Kinds.ConfigMap,
      { name: "settings", namespace },
      { data: { other: "by-someone-else" } },
    );
    const live = await testClient(cluster.kubeConfig).get(Kinds.ConfigMap, "settings", namespace);
    expect(live.metadata?.managedFields).toEqual(
      expect.arrayContaining([expect.objectContaining({ manager: "vigil-loop-test" })]),
    );

    const cached = await waitFor(() => {
      const obj = informer.get("settings", namespace);
      return obj?.data?.other === "by-someone-else" ? obj : undefined;
    });
    expect(cached.metadata?.managedFields).toEqual([
      expect.objectContaining({ manager: FIELD_MANAGER, operation: "Apply" }),
    ]);
    const again = await applyObject(manager.client, desired, { cache: informer });
    expect(again.outcome).toBe("unchanged");
  } finally {
    await manager.stop();
  }
});
