import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JSONPath } from "jsonpath-plus";
import { KINDS, openAPIV3Schema, type KindDefinition } from "../../crds/index.js";
import { parseManifests } from "../../crds/kubectl-yaml.js";
import { formatFieldErrors, validateManifest } from "../../crds/validation.js";

const SAMPLES = join(import.meta.dirname, "../../config/samples");
const byKind = new Map<string, KindDefinition>(KINDS.map((k) => [k.kind, k]));

function load(file: string): { kind: string; metadata: { name: string } }[] {
  return parseManifests(readFileSync(file, "utf8"), file) as { kind: string; metadata: { name: string } }[];
}

function validate(obj: { kind: string }) {
  const def = byKind.get(obj.kind);
  if (!def) throw new Error(`unknown kind ${obj.kind}`);
  return validateManifest(openAPIV3Schema(def), obj);
}

describe("valid samples", () => {
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith(".yaml"));

  it("cover every kind", () => {
    const kinds = new Set(files.flatMap((f) => load(join(SAMPLES, f)).map((o) => o.kind)));
    expect([...kinds].sort()).toEqual(KINDS.map((k) => k.kind).sort());
  });

  for (const file of files) {
    it(`${file} passes schema and CEL validation`, () => {
      for (const obj of load(join(SAMPLES, file))) expect(formatFieldErrors(validate(obj))).toBe("");
    });
  }
});

describe("invalid samples", () => {
  const dir = join(SAMPLES, "invalid");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

  it("are at least 12", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    const expected = /^# expect: (.+)$/m.exec(text)?.[1];
    it(`${file} is rejected with "${expected}"`, () => {
      expect(expected, "each invalid sample names its expected error in a '# expect:' line").toBeTruthy();
      const errors = validate(load(join(dir, file))[0]!);
      expect(errors.length).toBeGreaterThan(0);
      expect(formatFieldErrors(errors)).toContain(expected);
    });
  }

  it("exercise every CEL rule in the CRDs", () => {
    const rules = new Set<string>();
    const collect = (node: unknown): void => {
      if (!node || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      for (const v of (n["x-kubernetes-validations"] as { message: string }[] | undefined) ?? [])
        rules.add(v.message);
      for (const value of Object.values(n)) collect(value);
    };
    for (const def of KINDS) collect(openAPIV3Schema(def));
    const messages = files.map((f) => formatFieldErrors(validate(load(join(dir, f))[0]!))).join("\n");
    const untested = [...rules].filter((m) => !messages.includes(m));
    expect(untested).toEqual([]);
  });
});

describe("printer columns", () => {
  it("show Ready, Model, Version, Replicas and Age for a ModerationService", () => {
    const def = byKind.get("ModerationService")!;
    const obj = {
      metadata: { name: "comments", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { modelRef: { name: "toxicity" }, policyRef: { name: "comments" } },
      status: {
        readyReplicas: 3,
        activeRevision: { name: "comments-7d9f", modelVersion: "3.1.0" },
        conditions: [
          { type: "Progressing", status: "False", reason: "Idle" },
          { type: "Ready", status: "True", reason: "Serving" },
        ],
      },
    };
    const row = Object.fromEntries(
      def.printerColumns
        .filter((c) => !c.priority)
        .map((c) => [c.name, JSONPath({ path: `$${c.jsonPath}`, json: obj, wrap: false })]),
    );
    expect(row).toEqual({
      Ready: ["True"],
      Model: "toxicity",
      Version: "3.1.0",
      Replicas: 3,
      Age: "2026-01-01T00:00:00Z",
    });
  });
});
