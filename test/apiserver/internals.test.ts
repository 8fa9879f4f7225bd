// Unit tests of the emulator's pure building blocks whose corner cases the contract suite
// does not reach through HTTP: field set encoding, list merging order, patch directives,
// selectors and snapshot reconstruction.
import { describe, expect, it } from "vitest";
import { builtInType } from "./built-in-types.js";
import { applyJsonPatch, parseJsonPatch } from "./patch/json-patch.js";
import { applyStrategicMergePatch } from "./patch/strategic-merge-patch.js";
import { matchesLabels, parseLabelSelector } from "./selectors.js";
import { FieldSet, pathToString } from "./ssa/fieldset.js";
import { compareObjects, fieldsOf } from "./ssa/fields-of.js";
import { mergeApplied, prune } from "./ssa/merge.js";
import { ObjectStore, ResourceVersionTooOld } from "./store.js";
import type { TypeNode } from "./type-schema.js";

const deploymentType = builtInType("apps", "Deployment");
const keyed: TypeNode = { listType: "map", listMapKeys: ["name"], items: {} };

describe("FieldSet", () => {
  it("round-trips fieldsV1 including `.` members", () => {
    const encoded = {
      "f:data": { ".": {}, "f:a": {} },
      "f:spec": { "f:list": { 'k:{"name":"x"}': { ".": {}, "f:v": {} } } },
    };
    const set = FieldSet.fromFieldsV1(encoded);
    expect(set.toFieldsV1()).toEqual(encoded);
    expect(set.has(["f:data"])).toBe(true);
    expect(set.has(["f:spec"])).toBe(false);
  });

  it("prints paths like the apiserver", () => {
    expect(pathToString(["f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:name"])).toBe(
      '.spec.ports[port=80,protocol="TCP"].name',
    );
    expect(pathToString(["f:metadata", "f:finalizers", 'v:"a/b"'])).toBe('.metadata.finalizers[="a/b"]');
  });

  it("computes differences by membership, not by prefix", () => {
    const a = new FieldSet();
    a.insert(["f:x"]);
    a.insert(["f:x", "f:y"]);
    const b = new FieldSet();
    b.insert(["f:x"]);
    expect(a.difference(b).paths()).toEqual([["f:x", "f:y"]]);
  });
});

describe("fieldsOf and compareObjects", () => {
  it("uses list-map keys with defaults and treats atomic structs as leaves", () => {
    const set = fieldsOf(
      {
        apiVersion: "apps/v1",
        metadata: { name: "x", labels: { a: "b" } },
        spec: {
          selector: { matchLabels: { a: "b" } },
          template: { spec: { containers: [{ name: "c", ports: [{ containerPort: 80 }] }] } },
        },
      },
      deploymentType,
    );
    expect(set.toFieldsV1()).toEqual({
      "f:metadata": { "f:labels": { "f:a": {} } },
      "f:spec": {
        "f:selector": {},
        "f:template": {
          "f:spec": {
            "f:containers": {
              'k:{"name":"c"}': {
                ".": {},
                "f:name": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
              },
            },
          },
        },
      },
    });
  });

  it("reports added maps as members and changed scalars as modified", () => {
    const c = compareObjects(
      { data: { a: "1" } },
      { data: { a: "2" }, metadata: { labels: { x: "y" } } },
      undefined,
    );
    expect(c.modified.paths()).toEqual([["f:data", "f:a"]]);
    expect(c.added.toFieldsV1()).toEqual({ "f:metadata": { "f:labels": { ".": {}, "f:x": {} } } });
  });
});

describe("server-side apply merge and prune", () => {
  it("orders shared items as applied, keeping live-only items in place", () => {
    const live = { list: [{ name: "a" }, { name: "live" }, { name: "b" }] };
    const config = { list: [{ name: "b" }, { name: "new" }, { name: "a" }] };
    const merged = mergeApplied(live, config, { fields: { list: keyed } }) as { list: { name: string }[] };
    expect(merged.list.map((i) => i.name)).toEqual(["live", "b", "new", "a"]);
  });

  it("prunes only unowned paths of the last applied set and drops emptied maps", () => {
    const last = FieldSet.fromFieldsV1({ "f:spec": { "f:a": {}, "f:b": { "f:c": {} } } });
    const owned = FieldSet.fromFieldsV1({ "f:spec": { "f:a": {} } });
    expect(prune({ spec: { a: 1, b: { c: 2 }, d: 3 } }, last, owned, undefined)).toEqual({
      spec: { a: 1, d: 3 },
    });
  });
});

describe("strategic merge patch directives", () => {
  it("honours $retainKeys and $setElementOrder", () => {
    const original = {
      spec: {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
        template: { spec: { containers: [{ name: "a" }, { name: "b" }] } },
      },
    };
    const patched = applyStrategicMergePatch(
      original,
      {
        spec: {
          strategy: { $retainKeys: ["type"], type: "Recreate" },
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
              containers: [{ name: "a", image: "i" }],
            },
          },
        },
      },
      deploymentType,
    ) as { spec: { strategy: unknown; template: { spec: { containers: { name: string }[] } } } };
    expect(patched.spec.strategy).toEqual({ type: "Recreate" });
    expect(patched.spec.template.spec.containers).toEqual([{ name: "b" }, { name: "a", image: "i" }]);
  });
});

describe("JSON patch", () => {
  it("unescapes ~0 and ~1 and appends with -", () => {
    const doc = applyJsonPatch(
      { a: { "x/y": 1, "m~n": 2 }, l: [1] },
      parseJsonPatch([
        { op: "replace", path: "/a/x~1y", value: 3 },
        { op: "remove", path: "/a/m~0n" },
        { op: "add", path: "/l/-", value: 2 },
      ]),
    );
    expect(doc).toEqual({ a: { "x/y": 3 }, l: [1, 2] });
  });
});

describe("label selectors", () => {
  it("parses set-based and equality requirements", () => {
    const sel = parseLabelSelector("app in (a, b),tier!=db,!legacy,env");
    expect(matchesLabels(sel, { app: "a", env: "x" })).toBe(true);
    expect(matchesLabels(sel, { app: "a", env: "x", tier: "db" })).toBe(false);
    expect(matchesLabels(sel, { app: "c", env: "x" })).toBe(false);
    expect(matchesLabels(sel, { app: "b", env: "x", legacy: "1" })).toBe(false);
  });
});

describe("ObjectStore", () => {
  it("reconstructs a snapshot at an older resourceVersion and refuses compacted ones", () => {
    const store = new ObjectStore(100);
    store.put("k", { metadata: { name: "a" }, v: 1 });
    const rv = store.resourceVersion;
    store.put("k", { metadata: { name: "a" }, v: 2 });
    store.put("k", { metadata: { name: "b" } });
    store.remove("k", undefined, "a");
    expect(store.listAt("k", rv).map((o) => [o.metadata?.name, o.v])).toEqual([["a", 1]]);
    store.compact();
    expect(() => store.listAt("k", rv)).toThrow(ResourceVersionTooOld);
  });

  it("expires history beyond its limit", () => {
    const store = new ObjectStore(2);
    store.put("k", { metadata: { name: "a" } });
    const rv = store.resourceVersion;
    store.put("k", { metadata: { name: "b" } });
    store.put("k", { metadata: { name: "c" } });
    expect(store.eventsAfter(rv).length).toBe(2);
    store.put("k", { metadata: { name: "d" } });
    expect(() => store.eventsAfter(rv)).toThrow(ResourceVersionTooOld);
  });
});
