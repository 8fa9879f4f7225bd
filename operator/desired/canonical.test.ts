import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalize, shortHash } from "./canonical.js";
import { toStableYaml } from "./serialize.js";

describe("canonical form", () => {
  it("puts apiVersion, kind, metadata and name first, then sorts, keeping array order", () => {
    const object = {
      spec: { b: 1, a: [3, 1, 2] },
      metadata: { namespace: "n", name: "x" },
      kind: "K",
      apiVersion: "v1",
    };
    expect(Object.keys(canonicalize(object))).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(Object.keys(canonicalize(object).metadata)).toEqual(["name", "namespace"]);
    expect(canonicalize(object).spec).toEqual({ a: [3, 1, 2], b: 1 });
  });

  it("drops undefined members, so an absent field and an undefined one hash alike", () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(shortHash({ a: 1, b: undefined }, 8)).toBe(shortHash({ a: 1 }, 8));
    expect(shortHash({ a: 1 }, 8)).not.toBe(shortHash({ a: 2 }, 8));
  });

  it("renders YAML without folding long lines or anchoring repeated objects", () => {
    const shared = { k: "v" };
    const yaml = toStableYaml({ long: "x ".repeat(100).trim(), one: shared, two: shared });
    expect(yaml).not.toContain("&");
    expect(yaml.split("\n")[0]).toBe(`long: ${"x ".repeat(100).trim()}`);
  });
});
