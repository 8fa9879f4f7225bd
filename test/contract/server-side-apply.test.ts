// Contract: server-side apply with managedFields per manager (fieldsV1), conflicts (409
// unless force), shared ownership of equal values, removal of fields a manager stops
// applying, conflicts with Update managers, apply on /status, and the apply request rules.
import {
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1ManagedFieldsEntry,
} from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deployment,
  installWidgetCrd,
  WIDGET_API_VERSION,
  WIDGET_GROUP,
  WIDGET_VERSION,
  WIDGETS,
} from "./fixtures.js";
import { connect, expectStatus, raw, type Clients } from "./harness.js";

let c: Clients;
let ns: string;
const apply = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("ssa");
  await installWidgetCrd(c.kc);
});
afterAll(async () => {
  await c?.cluster.close();
});

function configMap(
  name: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): KubernetesObject & { data: Record<string, string> } {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    data,
  };
}

async function applyAs<T extends KubernetesObject>(manager: string, obj: T, force?: boolean): Promise<T> {
  return (await c.objects.patch(
    obj,
    undefined,
    undefined,
    manager,
    force,
    PatchStrategy.ServerSideApply,
  )) as T;
}

function entry(
  obj: { metadata?: { managedFields?: V1ManagedFieldsEntry[] } },
  manager: string,
): V1ManagedFieldsEntry | undefined {
  return obj.metadata?.managedFields?.find((m) => m.manager === manager);
}

describe("apply and managedFields", () => {
  it("creates the object and records exactly the applied fields for the manager", async () => {
    const res = await raw(
      c.kc,
      "PATCH",
      `/api/v1/namespaces/${ns}/configmaps/first?fieldManager=alice`,
      configMap("first", { x: "1" }, { app: "demo" }),
      PatchStrategy.ServerSideApply,
    );
    expect(res.status).toBe(201);
    const cm = await c.core.readNamespacedConfigMap({ namespace: ns, name: "first" });
    const alice = entry(cm, "alice")!;
    expect(alice.operation).toBe("Apply");
    expect(alice.apiVersion).toBe("v1");
    expect(alice.fieldsType).toBe("FieldsV1");
    expect(alice.fieldsV1).toEqual({
      "f:data": { "f:x": {} },
      "f:metadata": { "f:labels": { "f:app": {} } },
    });
    expect(alice.time).toBeInstanceOf(Date);
  });

  it("records fields of a create as an Update by the field manager", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap("created", { a: "1" }),
      fieldManager: "creator",
    });
    const creator = entry(cm, "creator")!;
    expect(creator.operation).toBe("Update");
    expect(creator.fieldsV1).toEqual({ "f:data": { ".": {}, "f:a": {} } });
  });

  it("keys list items in fieldsV1 by their list-map keys", async () => {
    const d = await applyAs("deployer", deployment("keyed"));
    const fields = entry(d, "deployer")!.fieldsV1 as Record<
      string,
      Record<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>
    >;
    const containers = fields["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!;
    expect(Object.keys(containers)).toEqual(['k:{"name":"app"}']);
    const app = containers['k:{"name":"app"}'] as Record<string, Record<string, unknown>>;
    expect(app["."]).toEqual({});
    expect(Object.keys(app["f:env"]!)).toEqual(['k:{"name":"A"}', 'k:{"name":"B"}']);
    expect(Object.keys(app["f:ports"]!)).toEqual(['k:{"containerPort":8080,"protocol":"TCP"}']);
  });

  it("does not write when an apply changes nothing", async () => {
    const first = await applyAs("noop", configMap("noop", { a: "1" }));
    const again = await applyAs("noop", configMap("noop", { a: "1" }));
    expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it("does not write when re-applying a Deployment the server has defaulted", async () => {
    const first = await applyAs("noop", deployment("noop-deploy"), true);
    // managedFields times have one-second precision: had the second apply written, its entry
    // would now carry a later time. (The resourceVersion itself may move meanwhile on a real
    // cluster: the Deployment controller writes status. The contract is about this apply.)
    await sleep(1_100);
    const again = await applyAs("noop", deployment("noop-deploy"), true);
    expect(entry(again, "noop")).toEqual(entry(first, "noop"));
    expect(again.metadata?.generation).toBe(1);
    // Without controllers nothing else writes, so the object is exactly as it was.
    if (c.cluster.emulator) expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });
});

describe("conflicts", () => {
  it("rejects a different value for a field another manager applied, naming manager and field", async () => {
    await applyAs("alice", configMap("contested", { x: "1", y: "1" }));
    const status = await expectStatus(
      c.core.patchNamespacedConfigMap(
        { namespace: ns, name: "contested", body: configMap("contested", { x: "2" }), fieldManager: "bob" },
        apply,
      ),
      409,
      "Conflict",
    );
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "alice": .data.x');
    expect(status.details?.causes).toEqual([
      { reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".data.x" },
    ]);
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: "contested" })).data).toEqual({
      x: "1",
      y: "1",
    });
  });

  it("lists every conflicting field", async () => {
    await applyAs("alice", configMap("multi", { x: "1", y: "1" }));
    const status = await expectStatus(
      applyAs("bob", configMap("multi", { x: "2", y: "2" })),
      409,
      "Conflict",
    );
    expect(status.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .data.x\n- .data.y',
    );
    expect(status.details?.causes?.map((x) => x.field)).toEqual([".data.x", ".data.y"]);
  });

  it("shares ownership when the value is the same", async () => {
    await applyAs("alice", configMap("shared", { x: "1" }));
    const cm = await applyAs("bob", configMap("shared", { x: "1" }));
    expect(entry(cm, "alice")?.fieldsV1).toEqual({ "f:data": { "f:x": {} } });
    expect(entry(cm, "bob")?.fieldsV1).toEqual({ "f:data": { "f:x": {} } });
  });

  it("takes the field over with force", async () => {
    await applyAs("alice", configMap("forced", { x: "1", y: "1" }));
    const cm = await applyAs("bob", configMap("forced", { x: "2" }), true);
    expect(cm.data).toEqual({ x: "2", y: "1" });
    expect(entry(cm, "bob")?.fieldsV1).toEqual({ "f:data": { "f:x": {} } });
    expect(entry(cm, "alice")?.fieldsV1).toEqual({ "f:data": { "f:y": {} } });
  });

  it("conflicts with a manager that set the field through an update", async () => {
    await applyAs("alice", configMap("edited", { x: "1" }));
    const edited = await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "edited", body: { data: { x: "2" } }, fieldManager: "editor" },
      merge,
    );
    expect(entry(edited, "editor")?.operation).toBe("Update");
    expect(entry(edited, "alice")).toBeUndefined();
    const status = await expectStatus(applyAs("alice", configMap("edited", { x: "1" })), 409, "Conflict");
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "editor" using v1: .data.x');
  });

  it("conflicts on one list item field while merging the others", async () => {
    await applyAs("deployer", deployment("items"));
    const other = deployment("items");
    other.spec!.template.spec!.containers[0]!.image = "registry.example/app:9";
    const status = await expectStatus(applyAs("other", other), 409, "Conflict");
    expect(status.details?.causes?.map((x) => x.field)).toEqual([
      '.spec.template.spec.containers[name="app"].image',
    ]);
  });
});

describe("field removal", () => {
  it("removes a field the manager stops applying when nobody else owns it", async () => {
    await applyAs("alice", configMap("shrink", { x: "1", y: "1" }, { keep: "a", drop: "b" }));
    const cm = await applyAs("alice", configMap("shrink", { x: "1" }, { keep: "a" }));
    expect(cm.data).toEqual({ x: "1" });
    expect(cm.metadata?.labels).toEqual({ keep: "a" });
  });

  it("keeps a field another manager also owns", async () => {
    await applyAs("alice", configMap("kept", { x: "1", y: "1" }));
    await applyAs("bob", configMap("kept", { y: "1" }));
    const cm = await applyAs("alice", configMap("kept", { x: "1" }));
    expect(cm.data).toEqual({ x: "1", y: "1" });
    expect(entry(cm, "bob")?.fieldsV1).toEqual({ "f:data": { "f:y": {} } });
  });

  it("removes list items by key", async () => {
    await applyAs("deployer", deployment("envs"));
    const smaller = deployment("envs");
    smaller.spec!.template.spec!.containers[0]!.env = [{ name: "A", value: "1" }];
    const d = await applyAs("deployer", smaller);
    expect(d.spec!.template.spec!.containers[0]!.env).toEqual([{ name: "A", value: "1" }]);
  });

  it("keeps fields set by others through updates", async () => {
    await applyAs("alice", configMap("mixed", { x: "1" }));
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "mixed", body: { data: { z: "9" } }, fieldManager: "editor" },
      merge,
    );
    const cm = await applyAs("alice", configMap("mixed", { x: "2" }));
    expect(cm.data).toEqual({ x: "2", z: "9" });
  });
});

describe("apply on the status subresource", () => {
  const base = { group: WIDGET_GROUP, version: WIDGET_VERSION, namespace: "", plural: WIDGETS };

  it("changes only status and records the manager with subresource status", async () => {
    await applyAs("deployer", {
      apiVersion: WIDGET_API_VERSION,
      kind: "Widget",
      metadata: { name: "st", namespace: ns },
      spec: { size: 2 },
    } as KubernetesObject);
    const updated = (await c.custom.patchNamespacedCustomObjectStatus(
      {
        ...base,
        namespace: ns,
        name: "st",
        fieldManager: "status-writer",
        body: {
          apiVersion: WIDGET_API_VERSION,
          kind: "Widget",
          metadata: { name: "st" },
          spec: { size: 5 },
          status: { phase: "Ready", conditions: [{ type: "Ready", status: "True" }] },
        },
      },
      apply,
    )) as {
      spec: { size: number };
      status: { phase: string };
      metadata: { managedFields: V1ManagedFieldsEntry[] };
    };
    expect(updated.spec.size).toBe(2);
    expect(updated.status.phase).toBe("Ready");
    const writer = entry(updated, "status-writer")!;
    expect(writer.subresource).toBe("status");
    expect(writer.operation).toBe("Apply");
    expect(writer.fieldsV1).toEqual({
      "f:status": {
        "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {}, "f:type": {} } },
        "f:phase": {},
      },
    });
  });

  it("ignores status in an apply to the main resource", async () => {
    const w = (await applyAs("deployer", {
      apiVersion: WIDGET_API_VERSION,
      kind: "Widget",
      metadata: { name: "st2", namespace: ns },
      spec: { size: 2 },
      status: { phase: "Fake" },
    } as KubernetesObject)) as KubernetesObject & {
      status?: unknown;
      metadata: { managedFields?: V1ManagedFieldsEntry[] };
    };
    expect(w.status).toBeUndefined();
    expect(JSON.stringify(entry(w, "deployer")?.fieldsV1)).not.toContain("f:status");
  });
});

describe("apply request rules", () => {
  it("requires a fieldManager", async () => {
    const res = await raw(
      c.kc,
      "PATCH",
      `/api/v1/namespaces/${ns}/configmaps/nomanager`,
      configMap("nomanager", {}),
      PatchStrategy.ServerSideApply,
    );
    expect(res.status).toBe(422);
    expect(res.json<{ reason: string; message: string }>()).toMatchObject({ reason: "Invalid" });
    expect(res.json<{ message: string }>().message).toContain("fieldManager: Required value");
  });

  it("rejects force on a non-apply patch", async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: configMap("noforce", {}) });
    const res = await raw(
      c.kc,
      "PATCH",
      `/api/v1/namespaces/${ns}/configmaps/noforce?force=true`,
      { data: { a: "1" } },
      PatchStrategy.MergePatch,
    );
    expect(res.status).toBe(422);
  });

  it("rejects managedFields in the applied configuration", async () => {
    const cfg = {
      ...configMap("withmf", {}),
      metadata: { name: "withmf", managedFields: [{ manager: "x", operation: "Apply" }] },
    };
    const res = await raw(
      c.kc,
      "PATCH",
      `/api/v1/namespaces/${ns}/configmaps/withmf?fieldManager=alice`,
      cfg,
      PatchStrategy.ServerSideApply,
    );
    expect(res.status).toBe(400);
  });
});
