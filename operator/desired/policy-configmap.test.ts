import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DesiredInputError } from "./errors.js";
import { minimalInput, policyFixture } from "./fixtures.js";
import { buildPolicyConfigMap, renderPolicyFile } from "./policy-configmap.js";
import { validateUpstream } from "./testing/upstream.js";

describe("buildPolicyConfigMap", () => {
  it("holds the Policy object under policy.yaml, without status or server metadata", () => {
    const input = minimalInput();
    input.policy.status = { observedGeneration: 7 };
    input.policy.metadata.resourceVersion = "991";
    const configMap = buildPolicyConfigMap(input);
    validateUpstream(configMap);
    expect(configMap.metadata?.name).toBe("comments-policy");
    expect(configMap.metadata?.annotations).toEqual({ "moderation.vigil.dev/policy-generation": "7" });
    expect(Object.keys(configMap.data ?? {})).toEqual(["policy.yaml"]);
    expect(parse(configMap.data?.["policy.yaml"] ?? "")).toEqual({
      apiVersion: "moderation.vigil.dev/v1alpha1",
      kind: "Policy",
      metadata: { name: "comments", namespace: "trust", generation: 7 },
      spec: input.policy.spec,
    });
  });

  it("renders the same bytes whatever the key order of the Policy", () => {
    const policy = policyFixture();
    const reordered = structuredClone(policy);
    reordered.spec = Object.fromEntries(Object.entries(policy.spec).reverse());
    reordered.spec.categories = Object.fromEntries(Object.entries(policy.spec.categories ?? {}).reverse());
    expect(Object.keys(reordered.spec)).not.toEqual(Object.keys(policy.spec));
    expect(renderPolicyFile(reordered)).toBe(renderPolicyFile(policy));
  });

  it("keeps term list order, which is the author's", () => {
    const policy = policyFixture();
    policy.spec.terms = { block: ["zeta", "alpha"] };
    expect(parse(renderPolicyFile(policy)).spec.terms.block).toEqual(["zeta", "alpha"]);
  });

  it("refuses a Policy too large for a ConfigMap, naming the Policy", () => {
    const input = minimalInput();
    input.policy.spec.terms = { block: Array.from({ length: 5000 }, (_, i) => `${"x".repeat(240)}${i}`) };
    expect(() => buildPolicyConfigMap(input)).toThrow(DesiredInputError);
    expect(() => buildPolicyConfigMap(input)).toThrow(/Policy comments spec: renders to \d+ bytes/);
  });
});
