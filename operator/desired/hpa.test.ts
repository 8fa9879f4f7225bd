import { describe, expect, it } from "vitest";
import { fullInput, minimalInput } from "./fixtures.js";
import { buildHorizontalPodAutoscaler } from "./hpa.js";
import { revisionHash } from "./revision.js";
import { validateUpstream } from "./testing/upstream.js";

describe("buildHorizontalPodAutoscaler", () => {
  it("is null without spec.autoscaling", () => {
    expect(buildHorizontalPodAutoscaler(minimalInput())).toBeNull();
  });

  it("scales the active revision's Deployment on CPU with the behavior passed through", () => {
    const input = fullInput();
    const hpa = buildHorizontalPodAutoscaler(input);
    expect(hpa).not.toBeNull();
    validateUpstream(hpa!);
    expect(hpa?.spec).toEqual({
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: `comments-prod-${revisionHash(input.model)}`,
      },
      minReplicas: 3,
      maxReplicas: 20,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
      behavior: input.service.spec.autoscaling?.behavior,
    });
  });

  it("defaults to CPU 70% and minReplicas 2 (capped by maxReplicas)", () => {
    const input = minimalInput();
    input.service.spec.autoscaling = { maxReplicas: 10 };
    expect(buildHorizontalPodAutoscaler(input)?.spec).toMatchObject({
      minReplicas: 2,
      metrics: [{ resource: { name: "cpu", target: { averageUtilization: 70 } } }],
    });
    input.service.spec.autoscaling = { maxReplicas: 1 };
    expect(buildHorizontalPodAutoscaler(input)?.spec?.minReplicas).toBe(1);
  });

  it("scales on memory only when only a memory target is set, and on both when both are", () => {
    const input = minimalInput();
    input.service.spec.autoscaling = { maxReplicas: 5, targetMemoryUtilizationPercentage: 80 };
    expect(buildHorizontalPodAutoscaler(input)?.spec?.metrics?.map((m) => m.resource?.name)).toEqual([
      "memory",
    ]);
    input.service.spec.autoscaling.targetCPUUtilizationPercentage = 60;
    const hpa = buildHorizontalPodAutoscaler(input);
    validateUpstream(hpa!);
    expect(hpa?.spec?.metrics?.map((m) => [m.resource?.name, m.resource?.target.averageUtilization])).toEqual(
      [
        ["cpu", 60],
        ["memory", 80],
      ],
    );
  });
});
