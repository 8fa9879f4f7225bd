import { describe, expect, it } from "vitest";
import { buildChildren } from "./children.js";
import { buildDeployment } from "./deployment.js";
import { fullInput, minimalInput } from "./fixtures.js";
import { ANNOTATION } from "./labels.js";
import { buildPolicyConfigMap } from "./policy-configmap.js";

function hashOf(input = minimalInput()): string | undefined {
  return buildDeployment(input, "active").spec?.template.metadata?.annotations?.[ANNOTATION.configHash];
}

describe("config hash", () => {
  it("is stable for the same input", () => {
    expect(hashOf()).toBe(hashOf());
  });

  it("is unchanged by a Policy edit, which reaches pods by hot reload, while the ConfigMap changes", () => {
    const before = minimalInput();
    const after = minimalInput();
    after.policy.spec.categories!["toxicity"] = { flag: 0.4, block: 0.8 };
    after.policy.metadata.generation = 8;
    expect(hashOf(after)).toBe(hashOf(before));
    expect(buildDeployment(after, "active").spec?.template).toEqual(
      buildDeployment(before, "active").spec?.template,
    );
    expect(buildPolicyConfigMap(after).data).not.toEqual(buildPolicyConfigMap(before).data);
  });

  it("changes with a resources edit", () => {
    const edited = minimalInput();
    edited.model.spec.resources = { requests: { memory: "2Gi" } };
    expect(hashOf(edited)).not.toBe(hashOf());
  });

  it("changes with a runtime setting that needs a restart (batching)", () => {
    const edited = minimalInput();
    edited.service.spec.runtime = { batching: { maxBatchSize: 16 } };
    expect(hashOf(edited)).not.toBe(hashOf());
  });

  it("is unchanged by fields outside the pod template (replicas, HPA bounds, PDB)", () => {
    const base = fullInput();
    const edited = fullInput();
    edited.service.spec.autoscaling!.maxReplicas = 50;
    edited.service.spec.disruption = { maxUnavailable: 2 };
    expect(hashOf(edited)).toBe(hashOf(base));
    expect(buildChildren(edited)).not.toEqual(buildChildren(base));
  });
});
