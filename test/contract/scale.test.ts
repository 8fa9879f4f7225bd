// Contract: the /scale subresource (autoscaling/v1 Scale) of Deployments and of custom
// resources with `subresources.scale`.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment, installWidgetCrd, widget, WIDGET_GROUP, WIDGET_VERSION, WIDGETS } from "./fixtures.js";
import { connect, raw, type Clients } from "./harness.js";

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("scale");
  await installWidgetCrd(c.kc);
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("scale subresource", () => {
  it("reads and writes a Deployment's replicas", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("scaled") });
    const scale = await c.apps.readNamespacedDeploymentScale({ namespace: ns, name: "scaled" });
    expect(scale).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 2 } });
    expect(scale.status?.selector).toBe("app=scaled");
    const updated = await c.apps.patchNamespacedDeploymentScale(
      { namespace: ns, name: "scaled", body: { spec: { replicas: 4 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(updated.spec?.replicas).toBe(4);
    const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: "scaled" });
    expect(d.spec?.replicas).toBe(4);
    expect(d.metadata?.generation).toBe(2);
  });

  it("maps a custom resource's scale through the CRD's paths", async () => {
    await c.custom.createNamespacedCustomObject({
      group: WIDGET_GROUP,
      version: WIDGET_VERSION,
      namespace: ns,
      plural: WIDGETS,
      body: widget("sw", { size: 1, replicas: 3 }),
    });
    await c.custom.patchNamespacedCustomObjectStatus(
      {
        group: WIDGET_GROUP,
        version: WIDGET_VERSION,
        namespace: ns,
        plural: WIDGETS,
        name: "sw",
        body: { status: { replicas: 1, selector: "app=sw" } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const path = `/apis/${WIDGET_GROUP}/${WIDGET_VERSION}/namespaces/${ns}/${WIDGETS}/sw/scale`;
    const scale = (await raw(c.kc, "GET", path)).json<{
      spec: { replicas: number };
      status: { replicas: number; selector: string };
    }>();
    expect(scale.spec.replicas).toBe(3);
    expect(scale.status).toEqual({ replicas: 1, selector: "app=sw" });
    const put = await raw(c.kc, "PUT", path, {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: "sw", namespace: ns },
      spec: { replicas: 5 },
    });
    expect(put.status).toBe(200);
    const w = (await c.custom.getNamespacedCustomObject({
      group: WIDGET_GROUP,
      version: WIDGET_VERSION,
      namespace: ns,
      plural: WIDGETS,
      name: "sw",
    })) as { spec: { replicas: number } };
    expect(w.spec.replicas).toBe(5);
  });
});
