// Contract: list pagination with limit/continue over a consistent snapshot, and 410 for a
// continue token whose snapshot is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, expectStatus, onRealCluster, type Clients } from "./harness.js";

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("page");
  for (let i = 0; i < 7; i++)
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: `item-${i}`, labels: { suite: "page" } } },
    });
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("list pagination", () => {
  it("returns pages of at most `limit` items that together hold every object once", async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await c.core.listNamespacedConfigMap({
        namespace: ns,
        labelSelector: "suite=page",
        limit: 3,
        ...(token ? { _continue: token } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      names.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(names.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `item-${i}`));
  });

  it("reports remainingItemCount without selectors", async () => {
    const page = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
    const total = (await c.core.listNamespacedConfigMap({ namespace: ns })).items.length;
    expect(page.metadata?.remainingItemCount).toBe(total - 2);
  });

  it("serves later pages from the snapshot of the first", async () => {
    const first = await c.core.listNamespacedConfigMap({
      namespace: ns,
      labelSelector: "suite=page",
      limit: 2,
    });
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "item-9-late", labels: { suite: "page" } } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "item-6" });
    const rest: string[] = [];
    let token = first.metadata?._continue;
    while (token) {
      const page = await c.core.listNamespacedConfigMap({
        namespace: ns,
        labelSelector: "suite=page",
        limit: 2,
        _continue: token,
      });
      expect(page.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
      rest.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue || undefined;
    }
    expect(rest).toContain("item-6");
    expect(rest).not.toContain("item-9-late");
  });

  it("rejects a malformed continue token with 400", async () => {
    await expectStatus(
      c.core.listNamespacedConfigMap({ namespace: ns, limit: 2, _continue: "not-a-token" }),
      400,
      "BadRequest",
    );
  });

  it.skipIf(onRealCluster)(
    // Emulator only: a test cannot trigger an etcd compaction on a real cluster.
    "answers 410 Expired for a continue token older than the history",
    async () => {
      const first = await c.core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
      await c.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: "before-compaction" } },
      });
      c.cluster.emulator!.compactHistory();
      const status = await expectStatus(
        c.core.listNamespacedConfigMap({ namespace: ns, limit: 2, _continue: first.metadata!._continue! }),
        410,
        "Expired",
      );
      expect(status.message).toContain("continue parameter is too old");
    },
  );
});
