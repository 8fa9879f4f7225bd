// autoscaling.k8s.io/v1 VerticalPodAutoscaler for the active revision, when that CRD exists.
// An HPA scales on utilization = usage / request; if the VPA also moved the request of the
// same resource, each would undo the other. So the VPA only controls resources the HPA does
// not scale on: memory when the HPA uses CPU, CPU when it uses only memory, and when the HPA
// uses both the VPA only recommends (updateMode Off).
import type { IVerticalPodAutoscaler } from "@kubernetes-models/autoscaler/autoscaling.k8s.io/v1/VerticalPodAutoscaler";
import { buildContext } from "./context.js";
import type { ResolvedService } from "./defaults.js";
import type { DesiredInput } from "./input.js";
import { commonLabels } from "./labels.js";
import { RUNTIME_CONTAINER } from "./runtime-contract.js";
import type { DesiredWarning } from "./warnings.js";

export type VerticalPodAutoscaler = IVerticalPodAutoscaler;

type Resource = "cpu" | "memory";

interface VerticalPlan {
  controlledResources: Resource[];
  updateMode: NonNullable<ResolvedService["verticalAutoscaling"]>["updateMode"];
}

function plan(service: ResolvedService): VerticalPlan | null {
  const requested = service.verticalAutoscaling;
  if (!requested) return null;
  const hpa = service.autoscaling;
  const hpaCpu = hpa?.targetCPUUtilizationPercentage !== undefined;
  const hpaMemory = hpa?.targetMemoryUtilizationPercentage !== undefined;
  if (hpaCpu && hpaMemory) return { controlledResources: ["cpu", "memory"], updateMode: "Off" };
  if (hpaCpu) return { controlledResources: ["memory"], updateMode: requested.updateMode };
  if (hpaMemory) return { controlledResources: ["cpu"], updateMode: requested.updateMode };
  return { controlledResources: ["cpu", "memory"], updateMode: requested.updateMode };
}

/** null when spec.verticalAutoscaling is absent or the VPA CRD is not installed. */
export function buildVerticalPodAutoscaler(input: DesiredInput): VerticalPodAutoscaler | null {
  if (!input.options.vpaAvailable) return null;
  const ctx = buildContext(input);
  const vertical = plan(ctx.service);
  if (!vertical) return null;
  return {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    metadata: {
      name: ctx.names.verticalPodAutoscaler,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    spec: {
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: ctx.activeRevision.name },
      updatePolicy: { updateMode: vertical.updateMode },
      resourcePolicy: {
        containerPolicies: [
          { containerName: RUNTIME_CONTAINER, controlledResources: vertical.controlledResources },
        ],
      },
    },
  };
}

export function vpaWarnings(input: DesiredInput): DesiredWarning[] {
  const requested = input.service.spec.verticalAutoscaling;
  if (!requested) return [];
  if (!input.options.vpaAvailable) {
    return [
      {
        reason: "VerticalPodAutoscalerUnavailable",
        message:
          "spec.verticalAutoscaling is set but the autoscaling.k8s.io VerticalPodAutoscaler CRD is not installed",
      },
    ];
  }
  const vertical = plan(buildContext(input).service);
  if (vertical && vertical.updateMode !== requested.updateMode) {
    return [
      {
        reason: "VerticalAutoscalingRecommendOnly",
        message:
          `the HPA scales on both CPU and memory, so the VPA only recommends (updateMode Off ` +
          `instead of ${requested.updateMode}); drop one HPA target to let the VPA manage the other resource`,
      },
    ];
  }
  return [];
}
