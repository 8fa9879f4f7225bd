// Contract: custom resources are checked against their CRD's openAPIV3Schema (422 Invalid
// with one cause per field, CEL rules included), unknown fields are pruned (a warning, or a
// 400 with fieldValidation=Strict), and schema defaults are filled in.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installWidgetCrd, widget, WIDGET_GROUP, WIDGET_VERSION, WIDGETS } from "./fixtures.js";
import { connect, expectStatus, raw, type Clients } from "./harness.js";

let c: Clients;
let ns: string;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("crdval");
  await installWidgetCrd(c.kc);
});
afterAll(async () => {
  await c?.cluster.close();
});

const widgets = () => ({ group: WIDGET_GROUP, version: WIDGET_VERSION, namespace: ns, plural: WIDGETS });
const policies = () => ({
  group: "moderation.vigil.dev",
  version: "v1alpha1",
  namespace: ns,
  plural: "policies",
});

describe("schema validation", () => {
  it("answers 422 Invalid with a cause per failing field", async () => {
    const status = await expectStatus(
      c.custom.createNamespacedCustomObject({
        ...widgets(),
        body: widget("bad", { size: 0, color: "purple" }),
      }),
      422,
      "Invalid",
    );
    expect(status.message).toMatch(/^Widget\.contract\.vigil\.dev "bad" is invalid: /);
    expect(status.details).toMatchObject({ name: "bad", group: WIDGET_GROUP, kind: "Widget" });
    const causes = status.details?.causes ?? [];
    expect(causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "spec.size", reason: "FieldValueInvalid" }),
        expect.objectContaining({ field: "spec.color", reason: "FieldValueNotSupported" }),
      ]),
    );
  });

  it("reports a missing required field", async () => {
    const status = await expectStatus(
      c.custom.createNamespacedCustomObject({ ...widgets(), body: widget("noreq", {}) }),
      422,
      "Invalid",
    );
    // A real apiserver may add one more cause saying the CEL rules were skipped because the
    // schema already failed; the contract is that the missing field is named.
    expect(status.details?.causes).toContainEqual(
      expect.objectContaining({ field: "spec.size", reason: "FieldValueRequired" }),
    );
    const others = (status.details?.causes ?? []).filter((cause) => cause.field !== "spec.size");
    for (const cause of others) expect(cause.message).toMatch(/validation rules were not checked/);
  });

  it("evaluates x-kubernetes-validations (CEL) with their message and fieldPath", async () => {
    const status = await expectStatus(
      c.custom.createNamespacedCustomObject({
        ...widgets(),
        body: widget("cel", { size: 1, min: 5, max: 2 }),
      }),
      422,
      "Invalid",
    );
    expect(status.details?.causes).toEqual([
      expect.objectContaining({ field: "spec.min", reason: "FieldValueInvalid" }),
    ]);
    expect(status.details?.causes?.[0]?.message).toContain("min must be <= max");
  });

  it("validates updates too, leaving the stored object unchanged", async () => {
    await c.custom.createNamespacedCustomObject({ ...widgets(), body: widget("upd") });
    await expectStatus(
      c.custom.patchNamespacedCustomObject(
        { ...widgets(), name: "upd", body: { spec: { size: 11 } } },
        merge,
      ),
      422,
      "Invalid",
    );
    const w = (await c.custom.getNamespacedCustomObject({ ...widgets(), name: "upd" })) as {
      spec: { size: number };
    };
    expect(w.spec.size).toBe(1);
  });

  it("reports Vigil's Policy CEL rules at the map key's path", async () => {
    const status = await expectStatus(
      c.custom.createNamespacedCustomObject({
        ...policies(),
        body: {
          apiVersion: "moderation.vigil.dev/v1alpha1",
          kind: "Policy",
          metadata: { name: "strict" },
          spec: { categories: { toxicity: { flag: 0.9, review: 0.5 } } },
        },
      }),
      422,
      "Invalid",
    );
    expect(status.details?.causes).toEqual([
      expect.objectContaining({ field: "spec.categories[toxicity].flag" }),
    ]);
    expect(status.details?.causes?.[0]?.message).toContain("flag must be <= review");
  });
});

describe("pruning and defaulting", () => {
  it("drops unknown fields with a warning and fills defaults", async () => {
    const res = await raw(
      c.kc,
      "POST",
      `/apis/${WIDGET_GROUP}/${WIDGET_VERSION}/namespaces/${ns}/${WIDGETS}`,
      widget("pruned", { size: 1, bogus: true }),
    );
    expect(res.status).toBe(201);
    const body = res.json<{ spec: Record<string, unknown>; unknownTop?: unknown }>();
    expect(body.spec).toEqual({ size: 1, mode: "normal" });
    expect(String(res.headers.warning)).toContain('unknown field \\"spec.bogus\\"');
  });

  it("rejects unknown fields with fieldValidation=Strict", async () => {
    const res = await raw(
      c.kc,
      "POST",
      `/apis/${WIDGET_GROUP}/${WIDGET_VERSION}/namespaces/${ns}/${WIDGETS}?fieldValidation=Strict`,
      widget("strict", { size: 1, bogus: true }),
    );
    expect(res.status).toBe(400);
    expect(res.json<{ reason: string; message: string }>()).toMatchObject({ reason: "BadRequest" });
    expect(res.json<{ message: string }>().message).toContain('unknown field "spec.bogus"');
  });
});
