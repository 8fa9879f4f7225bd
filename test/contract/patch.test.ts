// Contract: JSON merge patch, JSON patch and strategic merge patch (list merge keys for
// containers, env, ports, volumes and conditions; `$patch` directives), and 415 for a patch
// type the resource does not accept.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment, installWidgetCrd, widget, WIDGET_GROUP, WIDGET_VERSION, WIDGETS } from "./fixtures.js";
import { connect, expectStatus, raw, type Clients } from "./harness.js";

let c: Clients;
let ns: string;
const as = (type: string) => setHeaderOptions("Content-Type", type);

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("patch");
  await installWidgetCrd(c.kc);
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("merge patch", () => {
  it("merges maps, deletes with null and replaces lists", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "m", labels: { a: "1", b: "2" } }, data: { x: "1", y: "2" } },
    });
    const cm = await c.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: "m",
        body: { metadata: { labels: { b: null, c: "3" } }, data: { y: "changed" } },
      },
      as(PatchStrategy.MergePatch),
    );
    expect(cm.metadata?.labels).toEqual({ a: "1", c: "3" });
    expect(cm.data).toEqual({ x: "1", y: "changed" });
    await c.custom.createNamespacedCustomObject({
      group: WIDGET_GROUP,
      version: WIDGET_VERSION,
      namespace: ns,
      plural: WIDGETS,
      body: widget("m", { size: 1, args: ["a", "b"] }),
    });
    const w = (await c.custom.patchNamespacedCustomObject(
      {
        group: WIDGET_GROUP,
        version: WIDGET_VERSION,
        namespace: ns,
        plural: WIDGETS,
        name: "m",
        body: { spec: { args: ["c"] } },
      },
      as(PatchStrategy.MergePatch),
    )) as { spec: { args: string[] } };
    expect(w.spec.args).toEqual(["c"]);
  });
});

describe("JSON patch", () => {
  it("applies add, replace, remove, move, copy and test in order", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "j" }, data: { a: "1", b: "2" } },
    });
    const cm = await c.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: "j",
        body: [
          { op: "test", path: "/data/a", value: "1" },
          { op: "add", path: "/data/c", value: "3" },
          { op: "replace", path: "/data/a", value: "one" },
          { op: "remove", path: "/data/b" },
          { op: "copy", from: "/data/c", path: "/data/d" },
          { op: "move", from: "/data/c", path: "/data/e" },
          { op: "add", path: "/metadata/labels", value: {} },
          { op: "add", path: "/metadata/labels/app.kubernetes.io~1name", value: "x" },
        ],
      },
      as(PatchStrategy.JsonPatch),
    );
    expect(cm.data).toEqual({ a: "one", d: "3", e: "3" });
    expect(cm.metadata?.labels).toEqual({ "app.kubernetes.io/name": "x" });
  });

  it("answers 422 when a test operation fails, and changes nothing", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "jt" }, data: { a: "1" } },
    });
    await expectStatus(
      c.core.patchNamespacedConfigMap(
        {
          namespace: ns,
          name: "jt",
          body: [
            { op: "test", path: "/data/a", value: "2" },
            { op: "remove", path: "/data/a" },
          ],
        },
        as(PatchStrategy.JsonPatch),
      ),
      422,
    );
    expect((await c.core.readNamespacedConfigMap({ namespace: ns, name: "jt" })).data).toEqual({ a: "1" });
  });

  it("answers 422 when removing a path that does not exist", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "jr" }, data: { a: "1" } },
    });
    await expectStatus(
      c.core.patchNamespacedConfigMap(
        { namespace: ns, name: "jr", body: [{ op: "remove", path: "/data/zzz" }] },
        as(PatchStrategy.JsonPatch),
      ),
      422,
    );
  });
});

describe("strategic merge patch", () => {
  it("merges containers and env by name and ports by containerPort", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("smp") });
    const d = await c.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "smp",
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "app",
                    image: "registry.example/app:2.0",
                    env: [
                      { name: "B", value: "changed" },
                      { name: "C", value: "3" },
                    ],
                    ports: [{ containerPort: 9090, name: "metrics" }],
                  },
                  { name: "sidecar", image: "registry.example/sidecar:1" },
                ],
              },
            },
          },
        },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    const containers = d.spec!.template.spec!.containers;
    expect(containers.map((x) => x.name)).toEqual(["app", "sidecar"]);
    const app = containers[0]!;
    expect(app.image).toBe("registry.example/app:2.0");
    expect(app.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "changed" },
      { name: "C", value: "3" },
    ]);
    // Upstream's order for a merged list: the patch's items in patch order, live-only items
    // slotted before the first patch item they preceded; a new item comes before them.
    expect(app.ports?.map((p) => p.containerPort)).toEqual([9090, 8080]);
    expect(d.spec!.template.spec!.volumes?.map((v) => v.name)).toEqual(["cfg"]);
  });

  it("deletes list items with $patch: delete and replaces lists with $patch: replace", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("smp2") });
    const d = await c.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "smp2",
        body: {
          spec: {
            template: {
              spec: {
                containers: [{ name: "app", env: [{ name: "A", $patch: "delete" }] }],
                volumes: [{ $patch: "replace" }, { name: "data", emptyDir: {} }],
              },
            },
          },
        },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    expect(d.spec!.template.spec!.containers[0]!.env).toEqual([{ name: "B", value: "2" }]);
    expect(d.spec!.template.spec!.volumes?.map((v) => v.name)).toEqual(["data"]);
  });

  it("replaces lists that have no merge strategy (container args)", async () => {
    const body = deployment("smp3");
    body.spec!.template.spec!.containers[0]!.args = ["--a", "--b"];
    await c.apps.createNamespacedDeployment({ namespace: ns, body });
    const d = await c.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "smp3",
        body: { spec: { template: { spec: { containers: [{ name: "app", args: ["--c"] }] } } } },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    expect(d.spec!.template.spec!.containers[0]!.args).toEqual(["--c"]);
  });

  it("merges status conditions by type", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("smp4") });
    const cond = (type: string, status: string) => ({
      type,
      status,
      reason: "R",
      message: "m",
      lastTransitionTime: "2024-01-01T00:00:00Z",
      lastUpdateTime: "2024-01-01T00:00:00Z",
    });
    await c.apps.patchNamespacedDeploymentStatus(
      {
        namespace: ns,
        name: "smp4",
        body: { status: { conditions: [cond("Available", "False"), cond("Progressing", "True")] } },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    const d = await c.apps.patchNamespacedDeploymentStatus(
      { namespace: ns, name: "smp4", body: { status: { conditions: [cond("Available", "True")] } } },
      as(PatchStrategy.StrategicMergePatch),
    );
    expect(d.status?.conditions?.map((x) => [x.type, x.status])).toEqual([
      ["Available", "True"],
      ["Progressing", "True"],
    ]);
  });

  it("merges finalizers as a set and removes with $deleteFromPrimitiveList", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "fin", finalizers: ["a.example/x"] } },
    });
    const added = await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "fin", body: { metadata: { finalizers: ["b.example/y", "a.example/x"] } } },
      as(PatchStrategy.StrategicMergePatch),
    );
    // A set (no duplicates), ordered as the patch lists it (see the ports above).
    expect(added.metadata?.finalizers).toEqual(["b.example/y", "a.example/x"]);
    const removed = await c.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: "fin",
        body: { metadata: { "$deleteFromPrimitiveList/finalizers": ["a.example/x", "b.example/y"] } },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    expect(removed.metadata?.finalizers).toBeUndefined();
  });
});

describe("unsupported patch types", () => {
  it("answers 415 for a content type that is not a patch type", async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "u" } } });
    const res = await raw(
      c.kc,
      "PATCH",
      `/api/v1/namespaces/${ns}/configmaps/u`,
      { data: { a: "1" } },
      "application/json",
    );
    expect(res.status).toBe(415);
    const status = res.json<{ kind: string; reason: string; code: number; message: string }>();
    // The contract is the code and reason; kube-apiserver's message is just "415: Unsupported Media Type".
    expect(status).toMatchObject({ kind: "Status", reason: "UnsupportedMediaType", code: 415 });
  });

  it("answers 415 for strategic merge patch on a custom resource", async () => {
    await c.custom.createNamespacedCustomObject({
      group: WIDGET_GROUP,
      version: WIDGET_VERSION,
      namespace: ns,
      plural: WIDGETS,
      body: widget("smp"),
    });
    const res = await raw(
      c.kc,
      "PATCH",
      `/apis/${WIDGET_GROUP}/${WIDGET_VERSION}/namespaces/${ns}/${WIDGETS}/smp`,
      { spec: { size: 2 } },
      PatchStrategy.StrategicMergePatch,
    );
    expect(res.status).toBe(415);
    const status = res.json<{ reason: string; message: string }>();
    expect(status.reason).toBe("UnsupportedMediaType");
    expect(status.message).not.toContain("strategic-merge-patch");
  });
});
