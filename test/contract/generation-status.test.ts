// Contract: metadata.generation starts at 1 and moves on spec changes only (Deployments also
// on annotation changes); the status subresource isolates status from the rest both ways.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment, installWidgetCrd, widget, WIDGET_GROUP, WIDGET_VERSION, WIDGETS } from "./fixtures.js";
import { connect, type Clients } from "./harness.js";

let c: Clients;
let ns: string;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("gen");
  await installWidgetCrd(c.kc);
});
afterAll(async () => {
  await c?.cluster.close();
});

type Obj = {
  metadata: { generation?: number; resourceVersion?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const ref = (name: string) => ({
  group: WIDGET_GROUP,
  version: WIDGET_VERSION,
  namespace: ns,
  plural: WIDGETS,
  name,
});

describe("generation of a custom resource", () => {
  it("is 1 on create and moves on spec changes only", async () => {
    const created = (await c.custom.createNamespacedCustomObject({ ...ref(""), body: widget("g1") })) as Obj;
    expect(created.metadata.generation).toBe(1);
    const labelled = (await c.custom.patchNamespacedCustomObject(
      { ...ref("g1"), body: { metadata: { labels: { a: "b" } } } },
      merge,
    )) as Obj;
    expect(labelled.metadata.generation).toBe(1);
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    const resized = (await c.custom.patchNamespacedCustomObject(
      { ...ref("g1"), body: { spec: { size: 2 } } },
      merge,
    )) as Obj;
    expect(resized.metadata.generation).toBe(2);
  });
});

describe("status subresource of a custom resource", () => {
  it("drops status sent on create and on main-resource writes", async () => {
    const created = (await c.custom.createNamespacedCustomObject({
      ...ref(""),
      body: { ...widget("s1"), status: { phase: "Invented" } },
    })) as Obj;
    expect(created.status).toBeUndefined();
    const patched = (await c.custom.patchNamespacedCustomObject(
      { ...ref("s1"), body: { spec: { size: 3 }, status: { phase: "Invented" } } },
      merge,
    )) as Obj;
    expect(patched.spec.size).toBe(3);
    expect(patched.status).toBeUndefined();
  });

  it("changes only status through /status, without moving generation", async () => {
    await c.custom.createNamespacedCustomObject({ ...ref(""), body: widget("s2") });
    const updated = (await c.custom.patchNamespacedCustomObjectStatus(
      {
        ...ref("s2"),
        body: { spec: { size: 9 }, metadata: { labels: { sneaky: "yes" } }, status: { phase: "Ready" } },
      },
      merge,
    )) as Obj;
    expect(updated.status).toEqual({ phase: "Ready" });
    expect(updated.spec.size).toBe(1);
    expect(updated.metadata.labels?.sneaky).toBeUndefined();
    expect(updated.metadata.generation).toBe(1);
    const main = (await c.custom.getNamespacedCustomObject(ref("s2"))) as Obj;
    expect(main.status).toEqual({ phase: "Ready" });
  });

  it("keeps status when the main resource is replaced without it", async () => {
    await c.custom.createNamespacedCustomObject({ ...ref(""), body: widget("s3") });
    await c.custom.patchNamespacedCustomObjectStatus(
      { ...ref("s3"), body: { status: { phase: "Ready" } } },
      merge,
    );
    const current = (await c.custom.getNamespacedCustomObject(ref("s3"))) as Obj;
    const { status: _s, ...withoutStatus } = current;
    const replaced = (await c.custom.replaceNamespacedCustomObject({
      ...ref("s3"),
      body: { ...withoutStatus, spec: { size: 4 } },
    })) as Obj;
    expect(replaced.status).toEqual({ phase: "Ready" });
    expect(replaced.metadata.generation).toBe(2);
  });
});

describe("generation and status of a Deployment", () => {
  it("moves on spec and annotation changes, not on label changes or status writes", async () => {
    const d = await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("web") });
    expect(d.metadata?.generation).toBe(1);
    const labelled = await c.apps.patchNamespacedDeployment(
      { namespace: ns, name: "web", body: { metadata: { labels: { tier: "x" } } } },
      merge,
    );
    expect(labelled.metadata?.generation).toBe(1);
    const annotated = await c.apps.patchNamespacedDeployment(
      { namespace: ns, name: "web", body: { metadata: { annotations: { note: "y" } } } },
      merge,
    );
    expect(annotated.metadata?.generation).toBe(2);
    const scaled = await c.apps.patchNamespacedDeployment(
      { namespace: ns, name: "web", body: { spec: { replicas: 3 } } },
      merge,
    );
    expect(scaled.metadata?.generation).toBe(3);
    const status = await c.apps.patchNamespacedDeploymentStatus(
      {
        namespace: ns,
        name: "web",
        body: { status: { observedGeneration: 3, replicas: 3 }, spec: { replicas: 7 } },
      },
      merge,
    );
    expect(status.metadata?.generation).toBe(3);
    expect(status.spec?.replicas).toBe(3);
    expect(status.status?.observedGeneration).toBe(3);
  });

  it("ignores status in a main-resource update", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("web2") });
    const patched = await c.apps.patchNamespacedDeployment(
      { namespace: ns, name: "web2", body: { status: { replicas: 5, readyReplicas: 5 } } },
      merge,
    );
    expect(patched.status?.readyReplicas).toBeUndefined();
  });
});

describe("objects without generation tracking", () => {
  it("ConfigMaps carry no generation", async () => {
    const cm = await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "nogen" }, data: { a: "1" } },
    });
    expect(cm.metadata?.generation).toBeUndefined();
  });
});
