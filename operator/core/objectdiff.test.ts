import { describe, expect, it } from "vitest";
import { containsFields, createMergePatch, deepEqual } from "./objectdiff.js";

describe("deepEqual", () => {
  it("compares structure, treating undefined fields as absent", () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: "1" }, { a: 1 })).toBe(false);
  });
});

describe("containsFields", () => {
  const live = {
    metadata: { name: "x", labels: { app: "x", extra: "y" }, resourceVersion: "7" },
    spec: {
      replicas: 2,
      template: {
        spec: { containers: [{ name: "runtime", image: "i:1", imagePullPolicy: "IfNotPresent" }] },
      },
    },
  };

  it("ignores fields that only the live object has (server defaults, other managers)", () => {
    expect(
      containsFields(live, {
        metadata: { name: "x", labels: { app: "x" } },
        spec: { replicas: 2, template: { spec: { containers: [{ name: "runtime", image: "i:1" }] } } },
      }),
    ).toBe(true);
  });

  it("sees a changed value, a missing field and a different list length", () => {
    expect(containsFields(live, { spec: { replicas: 3 } })).toBe(false);
    expect(containsFields(live, { spec: { paused: true } })).toBe(false);
    expect(
      containsFields(live, {
        spec: { template: { spec: { containers: [{ name: "runtime" }, { name: "sidecar" }] } } },
      }),
    ).toBe(false);
  });
});

describe("createMergePatch", () => {
  it("contains only changes, nulls for removed fields, and whole replaced lists", () => {
    const from = { a: 1, b: { c: 1, d: 2 }, e: [1, 2], gone: "x" };
    const to = { a: 1, b: { c: 1, d: 3 }, e: [2], added: true };
    expect(createMergePatch(from, to)).toEqual({ b: { d: 3 }, e: [2], added: true, gone: null });
    expect(createMergePatch(to, to)).toEqual({});
    expect(createMergePatch(undefined, { a: 1 })).toEqual({ a: 1 });
  });
});
