// The CRDs' CEL rules use no function newer than the minimum Kubernetes version Vigil
// declares (crds/cel-versions.ts, README.md): on an older apiserver the CRD itself would be
// refused at install.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CEL_FUNCTION_VERSIONS, MIN_KUBERNETES_VERSION } from "../../crds/cel-versions.js";
import { KINDS, openAPIV3Schema } from "../../crds/index.js";

const minor = (version: string) => Number(version.split(".")[1]);

function rules(node: unknown, out: string[] = []): string[] {
  if (!node || typeof node !== "object") return out;
  const n = node as Record<string, unknown>;
  for (const v of (n["x-kubernetes-validations"] as { rule: string }[] | undefined) ?? []) out.push(v.rule);
  for (const value of Object.values(n)) rules(value, out);
  return out;
}

/** Names called in a rule (`f(` or `.f(`), string literals removed first. */
function calledFunctions(rule: string): string[] {
  const code = rule.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  return [...code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]!);
}

const allRules = KINDS.flatMap((def) => rules(openAPIV3Schema(def)));

describe("CEL functions in the CRDs", () => {
  it("are all in the version table", () => {
    const unknown = [...new Set(allRules.flatMap(calledFunctions))].filter((f) => !CEL_FUNCTION_VERSIONS[f]);
    expect(unknown, "add the function and the Kubernetes version that introduced it").toEqual([]);
  });

  it(`need no Kubernetes newer than the declared minimum ${MIN_KUBERNETES_VERSION}`, () => {
    const tooNew = allRules.flatMap((rule) =>
      calledFunctions(rule)
        .filter((f) => minor(CEL_FUNCTION_VERSIONS[f] ?? "1.999") > minor(MIN_KUBERNETES_VERSION))
        .map((f) => `${f} (${CEL_FUNCTION_VERSIONS[f]}) in ${rule}`),
    );
    expect(tooNew).toEqual([]);
  });

  it("include one that needs the declared minimum, so the minimum is not stale", () => {
    const needed = Math.max(
      ...allRules.flatMap(calledFunctions).map((f) => minor(CEL_FUNCTION_VERSIONS[f]!)),
    );
    expect(`1.${needed}`).toBe(MIN_KUBERNETES_VERSION);
  });

  it("the README states the same minimum", () => {
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    expect(readme).toContain(`Kubernetes ${MIN_KUBERNETES_VERSION} or newer`);
  });
});
