import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { KINDS, buildCustomResourceDefinition } from "../../crds/index.js";
import { findStaleFiles, renderGeneratedFiles } from "../../hack/generated-files.js";

const ROOT = join(import.meta.dirname, "../..");

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  patternProperties?: unknown;
  [key: string]: unknown;
}

/** Structural-schema rules the apiserver enforces on CRDs (apiextensions "structural schema"). */
function structuralViolations(node: SchemaNode, path: string, out: string[]): void {
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (!node.type && !intOrString) out.push(`${path}: missing type`);
  if (node.patternProperties) out.push(`${path}: patternProperties is not allowed`);
  if (node.properties && typeof node.additionalProperties === "object")
    out.push(`${path}: properties and additionalProperties together`);
  if (node.anyOf && !intOrString) out.push(`${path}: anyOf outside int-or-string`);
  if (
    node.type === "object" &&
    !node.properties &&
    !node.additionalProperties &&
    !preserve &&
    path !== "metadata"
  )
    out.push(`${path}: object without properties would be pruned empty`);
  for (const [k, v] of Object.entries(node.properties ?? {})) structuralViolations(v, `${path}.${k}`, out);
  if (typeof node.additionalProperties === "object")
    structuralViolations(node.additionalProperties, `${path}[*]`, out);
  if (node.items) structuralViolations(node.items, `${path}[]`, out);
}

/**
 * Strings, lists and maps without a bound: the apiserver estimates a CEL rule's cost from the
 * largest value a field can hold, and an unbounded one is sized by the whole request (3 MiB).
 */
function unbounded(node: SchemaNode, path: string, out: string[]): void {
  if (node.type === "string" && node.maxLength === undefined && !node.enum && node.format !== "date-time")
    out.push(`${path}: string without maxLength`);
  if (node["x-kubernetes-int-or-string"] === true && node.maxLength === undefined)
    out.push(`${path}: int-or-string without maxLength`);
  if (node.type === "array" && node.maxItems === undefined) out.push(`${path}: list without maxItems`);
  if (
    node.type === "object" &&
    typeof node.additionalProperties === "object" &&
    node.maxProperties === undefined
  )
    out.push(`${path}: map without maxProperties`);
  for (const [k, v] of Object.entries(node.properties ?? {})) unbounded(v, `${path}.${k}`, out);
  if (typeof node.additionalProperties === "object") unbounded(node.additionalProperties, `${path}[*]`, out);
  if (node.items) unbounded(node.items, `${path}[]`, out);
}

describe("generated CRDs", () => {
  it("are up to date with crds/*.ts (run `npm run gen` if this fails)", () => {
    expect(findStaleFiles(ROOT)).toEqual([]);
  });

  it("render deterministically", () => {
    const first = renderGeneratedFiles();
    const second = renderGeneratedFiles();
    expect([...second.entries()]).toEqual([...first.entries()]);
  });

  it("catch a hand-edited CRD as stale", () => {
    const copy = mkdtempSync(join(tmpdir(), "vigil-stale-"));
    try {
      cpSync(join(ROOT, "config"), join(copy, "config"), { recursive: true });
      for (const dir of ["docs", "charts", "argocd", "monitoring", "crds/generated"])
        cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
      expect(findStaleFiles(copy)).toEqual([]);
      const file = join(copy, "config/crd/bases/policies.moderation.vigil.dev.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("maximum: 1", "maximum: 2"));
      expect(findStaleFiles(copy)).toEqual(["config/crd/bases/policies.moderation.vigil.dev.yaml"]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  for (const def of KINDS) {
    describe(def.kind, () => {
      const crd = buildCustomResourceDefinition(def);
      const version = (crd.spec as { versions: Record<string, unknown>[] }).versions[0]!;
      const schema = (version.schema as { openAPIV3Schema: SchemaNode }).openAPIV3Schema;

      it("is a valid apiextensions.k8s.io/v1 CustomResourceDefinition", () => {
        expect(() => new CustomResourceDefinition(crd as never).validate()).not.toThrow();
      });

      it("has a structural openAPIV3Schema", () => {
        const violations: string[] = [];
        structuralViolations(schema.properties!.spec!, "spec", violations);
        structuralViolations(schema.properties!.status!, "status", violations);
        expect(violations).toEqual([]);
      });

      it("bounds every string, list and map of the spec", () => {
        const found: string[] = [];
        unbounded(schema.properties!.spec!, "spec", found);
        expect(found).toEqual([]);
      });

      it("stays well under the client-side apply annotation limit (262144 bytes)", () => {
        // kubectl apply stores the whole object as JSON in last-applied-configuration.
        expect(JSON.stringify(crd).length).toBeLessThan(262144 / 4);
      });

      it("has a status subresource, short names and categories", () => {
        expect(version.subresources).toHaveProperty("status");
        const names = (crd.spec as { names: { shortNames: string[]; categories: string[] } }).names;
        expect(names.shortNames.length).toBeGreaterThan(0);
        expect(names.categories).toContain("vigil");
      });

      it("keys conditions by type as a list-map", () => {
        const conditions = schema.properties!.status!.properties!.conditions!;
        expect(conditions["x-kubernetes-list-type"]).toBe("map");
        expect(conditions["x-kubernetes-list-map-keys"]).toEqual(["type"]);
      });
    });
  }

  it("gives ModerationService a scale subresource wired to spec.replicas and status.selector", () => {
    const crd = parse(
      readFileSync(join(ROOT, "config/crd/bases/moderationservices.moderation.vigil.dev.yaml"), "utf8"),
    );
    expect(crd.spec.versions[0].subresources.scale).toEqual({
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".status.selector",
    });
  });
});
