// Contract: create/get/list/update/delete, server-set metadata (uid, creationTimestamp,
// resourceVersion, generateName), and the Status errors for missing and duplicate objects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, expectStatus, isGone, type Clients } from "./harness.js";

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("crud");
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("create", () => {
  it("sets uid, creationTimestamp and resourceVersion, and keeps what the client sent", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "created", labels: { app: "x" } }, data: { a: "1" } },
    });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(cm.metadata!.creationTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(Number(cm.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(cm.metadata?.namespace).toBe(ns);
    expect(cm.metadata?.labels).toEqual({ app: "x" });
    expect(cm.data).toEqual({ a: "1" });
  });

  it("generates a name from generateName", async () => {
    const a = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: "gen-" } },
    });
    const b = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: "gen-" } },
    });
    expect(a.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(b.metadata?.name).not.toBe(a.metadata?.name);
    expect(a.metadata?.generateName).toBe("gen-");
  });

  it("answers 409 AlreadyExists for a duplicate name", async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "dup" } } });
    const status = await expectStatus(
      c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "dup" } } }),
      409,
      "AlreadyExists",
    );
    expect(status.message).toBe('configmaps "dup" already exists');
    expect(status.details).toMatchObject({ name: "dup", kind: "configmaps" });
  });

  it("answers 422 when neither name nor generateName is given", async () => {
    const status = await expectStatus(
      c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: {} } }),
      422,
      "Invalid",
    );
    expect(status.details?.causes?.[0]?.field).toBe("metadata.name");
  });

  it("answers 422 for an invalid name", async () => {
    const status = await expectStatus(
      c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "Not_Valid" } } }),
      422,
      "Invalid",
    );
    expect(status.details?.causes?.[0]).toMatchObject({
      field: "metadata.name",
      reason: "FieldValueInvalid",
    });
    expect(status.message).toContain('ConfigMap "Not_Valid" is invalid');
  });

  it("answers 404 when the namespace does not exist", async () => {
    const status = await expectStatus(
      c.core.createNamespacedConfigMap({
        namespace: "no-such-namespace-x",
        body: { metadata: { name: "a" } },
      }),
      404,
      "NotFound",
    );
    expect(status.message).toBe('namespaces "no-such-namespace-x" not found');
  });
});

describe("get and list", () => {
  it("reads back what was stored, and 404s for a missing object", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "readable" }, data: { k: "v" } },
    });
    const cm = await c.core.readNamespacedConfigMap({ namespace: ns, name: "readable" });
    expect(cm.data).toEqual({ k: "v" });
    const status = await expectStatus(
      c.core.readNamespacedConfigMap({ namespace: ns, name: "missing" }),
      404,
      "NotFound",
    );
    expect(status.message).toBe('configmaps "missing" not found');
    expect(status.details).toMatchObject({ name: "missing", kind: "configmaps" });
  });

  it("lists objects in a namespace with the list's resourceVersion", async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const names = list.items.map((i) => i.metadata?.name);
    expect(names).toContain("readable");
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
    for (const item of list.items) expect(item.metadata?.namespace).toBe(ns);
  });

  it("lists across namespaces", async () => {
    const list = await c.core.listConfigMapForAllNamespaces();
    expect(list.items.some((i) => i.metadata?.namespace === ns && i.metadata?.name === "readable")).toBe(
      true,
    );
  });
});

describe("update", () => {
  it("replaces the object and moves resourceVersion forward", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "upd" }, data: { a: "1" } },
    });
    cm.data = { b: "2" };
    const updated = await c.core.replaceNamespacedConfigMap({ namespace: ns, name: "upd", body: cm });
    expect(updated.data).toEqual({ b: "2" });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));
    expect(updated.metadata?.uid).toBe(cm.metadata?.uid);
    expect(updated.metadata?.creationTimestamp?.getTime()).toBe(cm.metadata?.creationTimestamp?.getTime());
  });

  it("404s when the object does not exist", async () => {
    await expectStatus(
      c.core.replaceNamespacedConfigMap({
        namespace: ns,
        name: "nope",
        body: { metadata: { name: "nope" } },
      }),
      404,
      "NotFound",
    );
  });

  it("400s when the body names another object than the URL", async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "named" } } });
    await expectStatus(
      c.core.replaceNamespacedConfigMap({
        namespace: ns,
        name: "named",
        body: { metadata: { name: "other" } },
      }),
      400,
      "BadRequest",
    );
  });
});

describe("delete", () => {
  it("removes the object", async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "del" } } });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "del" });
    expect(await isGone(() => c.core.readNamespacedConfigMap({ namespace: ns, name: "del" }))).toBe(true);
    await expectStatus(c.core.deleteNamespacedConfigMap({ namespace: ns, name: "del" }), 404, "NotFound");
  });

  it("honours a uid precondition", async () => {
    const created = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "pre" } },
    });
    const status = await expectStatus(
      c.core.deleteNamespacedConfigMap({
        namespace: ns,
        name: "pre",
        body: { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } },
      }),
      409,
      "Conflict",
    );
    // The contract: 409 Conflict naming the object, and nothing deleted. The wording is the
    // server's (it names both UIDs).
    expect(status.details?.name).toBe("pre");
    expect(status.message).toContain("00000000-0000-0000-0000-000000000000");
    const kept = await c.core.readNamespacedConfigMap({ namespace: ns, name: "pre" });
    expect(kept.metadata?.uid).toBe(created.metadata?.uid);
  });

  it("deletes a collection by label selector", async () => {
    for (const name of ["col-a", "col-b", "col-c"])
      await c.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name, labels: { set: name === "col-c" ? "keep" : "drop" } } },
      });
    await c.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: "set=drop" });
    const left = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: "set" });
    expect(left.items.map((i) => i.metadata?.name)).toEqual(["col-c"]);
  });
});
