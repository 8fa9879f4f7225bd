// The schema check is what makes the other tests catch typos; these cases prove it bites.
import { describe, expect, it } from "vitest";
import { buildDeployment } from "../deployment.js";
import { minimalInput } from "../fixtures.js";
import { buildNetworkPolicy } from "../networkpolicy.js";
import { buildVerticalPodAutoscaler } from "../vpa.js";
import { unknownFields, validateUpstream } from "./upstream.js";

describe("validateUpstream", () => {
  it("accepts a built Deployment", () => {
    expect(() => validateUpstream(buildDeployment(minimalInput(), "active"))).not.toThrow();
  });

  it("reports a misspelled field with its path", () => {
    const deployment = buildDeployment(minimalInput(), "active");
    const container = deployment.spec!.template.spec!.containers[0]!;
    Object.assign(container, { imagePullPolicyy: "Always" });
    expect(() => validateUpstream(deployment)).toThrow(
      "unknown field spec.template.spec.containers[0].imagePullPolicyy",
    );
  });

  it("reports a wrong type", () => {
    const deployment = buildDeployment(minimalInput(), "active");
    Object.assign(deployment.spec!.template.spec!.containers[0]!.ports![0]!, { containerPort: "8080" });
    expect(() => validateUpstream(deployment)).toThrow(/containerPort must be integer/);
  });

  it("checks wire names: NetworkPolicy rules use `from`, not client-node's `_from`", () => {
    const policy = buildNetworkPolicy(minimalInput());
    expect(unknownFields(policy, "V1NetworkPolicy")).toEqual([]);
    const renamed = { ...policy, spec: { ...policy.spec, ingress: [{ _from: [{ podSelector: {} }] }] } };
    expect(unknownFields(renamed, "V1NetworkPolicy")).toEqual(["spec.ingress[0]._from"]);
  });

  it("validates the VPA against the autoscaler CRD model", () => {
    const input = minimalInput();
    input.options.vpaAvailable = true;
    input.service.spec.verticalAutoscaling = { updateMode: "Auto" };
    const vpa = buildVerticalPodAutoscaler(input)!;
    expect(() => validateUpstream(vpa)).not.toThrow();
    Object.assign(vpa.spec.updatePolicy!, { updateMode: "Sometimes" });
    expect(() => validateUpstream(vpa)).toThrow(/updateMode/);
  });

  it("refuses kinds it has no schema for", () => {
    expect(() => validateUpstream({ apiVersion: "v1", kind: "Pod" })).toThrow(
      "no upstream schema registered for v1/Pod",
    );
  });
});
