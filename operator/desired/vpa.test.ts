import { describe, expect, it } from "vitest";
import { fullInput, minimalInput } from "./fixtures.js";
import { validateUpstream } from "./testing/upstream.js";
import { buildVerticalPodAutoscaler, vpaWarnings } from "./vpa.js";

function withScaling(cpu: number | undefined, memory: number | undefined, vpaAvailable = true) {
  const input = minimalInput();
  input.options.vpaAvailable = vpaAvailable;
  input.service.spec.verticalAutoscaling = { updateMode: "Auto" };
  if (cpu !== undefined || memory !== undefined) {
    input.service.spec.autoscaling = {
      maxReplicas: 10,
      ...(cpu !== undefined && { targetCPUUtilizationPercentage: cpu }),
      ...(memory !== undefined && { targetMemoryUtilizationPercentage: memory }),
    };
  }
  return input;
}

describe("buildVerticalPodAutoscaler", () => {
  it("is null when the VPA CRD is not installed, with a warning for the reconciler", () => {
    const input = withScaling(70, undefined, false);
    expect(buildVerticalPodAutoscaler(input)).toBeNull();
    expect(vpaWarnings(input)).toEqual([
      expect.objectContaining({ reason: "VerticalPodAutoscalerUnavailable" }),
    ]);
  });

  it("is null without spec.verticalAutoscaling", () => {
    const input = fullInput();
    delete input.service.spec.verticalAutoscaling;
    expect(buildVerticalPodAutoscaler(input)).toBeNull();
    expect(vpaWarnings(input)).toEqual([]);
  });

  it("controls memory only when the HPA scales on CPU", () => {
    const vpa = buildVerticalPodAutoscaler(fullInput());
    expect(vpa).not.toBeNull();
    validateUpstream(vpa!);
    expect(vpa?.spec.resourcePolicy?.containerPolicies).toEqual([
      { containerName: "runtime", controlledResources: ["memory"] },
    ]);
    expect(vpa?.spec.updatePolicy?.updateMode).toBe("Initial");
    expect(vpa?.spec.targetRef).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
    const defaultCpu = withScaling(undefined, undefined);
    defaultCpu.service.spec.autoscaling = { maxReplicas: 4 }; // CPU 70% by default
    expect(
      buildVerticalPodAutoscaler(defaultCpu)?.spec.resourcePolicy?.containerPolicies?.[0]
        ?.controlledResources,
    ).toEqual(["memory"]);
  });

  it("controls CPU only when the HPA scales on memory only", () => {
    const vpa = buildVerticalPodAutoscaler(withScaling(undefined, 80));
    expect(vpa?.spec.resourcePolicy?.containerPolicies?.[0]?.controlledResources).toEqual(["cpu"]);
    expect(vpa?.spec.updatePolicy?.updateMode).toBe("Auto");
  });

  it("only recommends when the HPA scales on both, and says so", () => {
    const input = withScaling(70, 80);
    const vpa = buildVerticalPodAutoscaler(input);
    validateUpstream(vpa!);
    expect(vpa?.spec.updatePolicy?.updateMode).toBe("Off");
    expect(vpaWarnings(input)).toEqual([
      expect.objectContaining({ reason: "VerticalAutoscalingRecommendOnly" }),
    ]);
  });

  it("controls CPU and memory without an HPA", () => {
    const vpa = buildVerticalPodAutoscaler(withScaling(undefined, undefined));
    expect(vpa?.spec.resourcePolicy?.containerPolicies?.[0]?.controlledResources).toEqual(["cpu", "memory"]);
    expect(vpa?.spec.updatePolicy?.updateMode).toBe("Auto");
  });
});
