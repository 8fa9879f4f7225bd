import { describe, expect, it } from "vitest";
import { isUpToDate, keepOwnAppliedFields, ownsFieldOutside } from "./apply.js";

const desired = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "ns", labels: { app: "web" } },
  spec: {
    replicas: 2,
    template: {
      spec: { containers: [{ name: "runtime", image: "r:1", ports: [{ containerPort: 8080 }] }] },
    },
  },
};

/** What the apiserver records for our last apply of `desired` plus a `paused` field. */
const ourFields = {
  "f:metadata": { "f:labels": { "f:app": {} } },
  "f:spec": {
    "f:replicas": {},
    "f:template": {
      "f:spec": {
        "f:containers": {
          'k:{"name":"runtime"}': {
            ".": {},
            "f:name": {},
            "f:image": {},
            "f:ports": { 'k:{"containerPort":8080,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
          },
        },
      },
    },
  },
};

function live(extraSpec: Record<string, unknown>, fieldsV1: Record<string, unknown>) {
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      resourceVersion: "5",
      managedFields: [
        {
          manager: "vigil-operator",
          operation: "Apply",
          apiVersion: "apps/v1",
          fieldsType: "FieldsV1",
          fieldsV1,
        },
        {
          manager: "kube-controller-manager",
          operation: "Update",
          subresource: "status",
          fieldsV1: { "f:status": {} },
        },
      ],
    },
    spec: { ...desired.spec, ...extraSpec },
    status: { readyReplicas: 2 },
  };
}

describe("isUpToDate", () => {
  it("is true when the live object has every desired field and we own nothing more", () => {
    expect(isUpToDate(live({}, ourFields), desired)).toBe(true);
  });

  it("is false when a desired value differs", () => {
    expect(isUpToDate(live({ replicas: 5 }, ourFields), desired)).toBe(false);
  });

  it("is false when we still own a field the desired object no longer sets, so apply removes it", () => {
    const owned = { ...ourFields, "f:spec": { ...ourFields["f:spec"], "f:paused": {} } };
    expect(isUpToDate(live({ paused: true }, owned), desired)).toBe(false);
  });

  it("ignores fields set by other managers", () => {
    expect(isUpToDate(live({ paused: true }, ourFields), desired)).toBe(true);
  });
});

describe("keepOwnAppliedFields", () => {
  /** `live()` plus our own status write and a user's kubectl edit. */
  function crowded(extraSpec: Record<string, unknown>, fieldsV1: Record<string, unknown>) {
    const obj = live(extraSpec, fieldsV1);
    (obj.metadata.managedFields as object[]).push(
      { manager: "vigil-operator", operation: "Apply", subresource: "status", fieldsV1: { "f:status": {} } },
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:paused": {} } } },
    );
    return obj;
  }

  it("keeps only what we applied to the object itself", () => {
    const obj = crowded({}, ourFields);
    keepOwnAppliedFields(obj);
    expect(obj.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: "vigil-operator", operation: "Apply", fieldsV1: ourFields }),
    ]);
    expect(obj.metadata.managedFields[0]).not.toHaveProperty("subresource");
  });

  it("leaves isUpToDate's answer as it was", () => {
    const owningPaused = { ...ourFields, "f:spec": { ...ourFields["f:spec"], "f:paused": {} } };
    for (const [extraSpec, fields] of [
      [{}, ourFields],
      [{ replicas: 5 }, ourFields],
      [{ paused: true }, owningPaused],
      [{ paused: true }, ourFields],
    ] as const) {
      const obj = crowded(extraSpec, fields);
      const before = isUpToDate(obj, desired);
      keepOwnAppliedFields(obj);
      expect(isUpToDate(obj, desired)).toBe(before);
    }
  });

  it("leaves an object without managedFields alone", () => {
    const obj = { ...desired, metadata: { ...desired.metadata } };
    keepOwnAppliedFields(obj);
    expect(obj.metadata).toEqual(desired.metadata);
  });
});

describe("ownsFieldOutside", () => {
  it("matches list-map keys, tolerating a key field the server defaulted", () => {
    expect(ownsFieldOutside(ourFields, desired)).toBe(false);
  });

  it("finds an owned list element the desired object dropped", () => {
    const withSidecar = structuredClone(ourFields);
    (withSidecar["f:spec"]["f:template"]["f:spec"]["f:containers"] as Record<string, unknown>)[
      'k:{"name":"sidecar"}'
    ] = { ".": {}, "f:name": {} };
    expect(ownsFieldOutside(withSidecar, desired)).toBe(true);
  });

  it("handles set members and indexes", () => {
    expect(ownsFieldOutside({ "f:finalizers": { 'v:"a"': {} } }, { finalizers: ["a", "b"] })).toBe(false);
    expect(ownsFieldOutside({ "f:finalizers": { 'v:"c"': {} } }, { finalizers: ["a", "b"] })).toBe(true);
    expect(ownsFieldOutside({ "f:args": { "i:1": {} } }, { args: ["x"] })).toBe(true);
  });
});
