import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_FILE } from "../../runtime/config.js";
import { PolicyFileError } from "../../runtime/errors.js";
import { PolicyEngine } from "../../runtime/policy/policy-engine.js";
import { parsePolicy } from "../../runtime/policy/policy-file.js";
import { DEFAULT_LABELS } from "./support/runtime.js";

const policy = (spec: string, meta = "metadata: { name: p, generation: 3 }"): string =>
  `apiVersion: moderation.vigil.dev/v1alpha1\nkind: Policy\n${meta}\nspec:\n${spec}\n`;

function errorOf(content: string): string {
  try {
    parsePolicy("policy.yaml", content);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyFileError);
    return (e as Error).message;
  }
  throw new Error("expected the policy to be rejected");
}

describe("parsePolicy", () => {
  it("accepts the shipped default policy, with every category scorable by the default model", () => {
    const loaded = parsePolicy(DEFAULT_POLICY_FILE, readFileSync(DEFAULT_POLICY_FILE, "utf8"));
    expect(loaded.name).toBe("default");
    expect(loaded.generation).toBe(1);
    expect(loaded.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const engine = new PolicyEngine(loaded.policy.spec, DEFAULT_LABELS);
    expect(engine.unknownCategories).toEqual([]);
    expect(engine.overriddenLanguages).toContain("de");
  });

  it("accepts JSON as well as YAML", () => {
    const json = JSON.stringify({
      kind: "Policy",
      metadata: { name: "j", generation: 7 },
      spec: { defaultAction: "flag" },
    });
    expect(parsePolicy("p.json", json)).toMatchObject({ name: "j", generation: 7 });
  });

  it("rejects thresholds the CRD's CEL rules reject, naming the field", () => {
    expect(errorOf(policy("  categories:\n    toxicity: { flag: 0.9, block: 0.5 }"))).toBe(
      "policy.yaml: spec.categories[toxicity].flag: flag must be <= block",
    );
    expect(errorOf(policy("  categories:\n    toxicity: {}"))).toContain(
      "spec.categories[toxicity]: a category needs at least one of flag, review, block",
    );
  });

  it("rejects schema violations, naming the field", () => {
    expect(errorOf(policy("  categories:\n    toxicity: { flag: 1.5 }"))).toContain(
      "spec.categories.toxicity.flag",
    );
    expect(errorOf(policy("  defaultAction: delete"))).toContain("spec.defaultAction: Unsupported value");
    expect(errorOf(policy("  categoryMap: { toxicity: rudeness }"))).toContain("spec.categoryMap.toxicity");
    expect(errorOf(policy("  languages: { German: { categories: { toxicity: { flag: 0.5 } } } }"))).toContain(
      "language keys must be ISO 639 codes",
    );
  });

  it("rejects files that are not a Policy object", () => {
    expect(errorOf("kind: Policy\nspec: [unclosed")).toMatch(/^policy\.yaml: not valid YAML\/JSON: /);
    expect(errorOf("- a\n- b")).toContain("expected a Policy object");
    expect(errorOf("kind: ConfigMap\nspec: {}")).toContain("kind: expected 'Policy', got \"ConfigMap\"");
    expect(errorOf(policy("  defaultAction: allow", "metadata: { name: p, generation: two }"))).toContain(
      "metadata.generation",
    );
    expect(errorOf("kind: Policy\nmetadata: { name: p }")).toContain("spec: Required value");
  });

  it("reports generation 0 for a hand-written file without one", () => {
    expect(parsePolicy("p.yaml", "kind: Policy\nspec: {}").generation).toBe(0);
  });
});
