// autoscaling/v2 HorizontalPodAutoscaler for the active revision's Deployment. The
// Deployment omits `replicas` while this exists, so the two never fight over the count.
import type { V2HorizontalPodAutoscaler, V2MetricSpec } from "@kubernetes/client-node";
import { buildContext } from "./context.js";
import type { DesiredInput } from "./input.js";
import { commonLabels } from "./labels.js";

function utilization(resource: "cpu" | "memory", averageUtilization: number): V2MetricSpec {
  return {
    type: "Resource",
    resource: { name: resource, target: { type: "Utilization", averageUtilization } },
  };
}

/** null when spec.autoscaling is absent. */
export function buildHorizontalPodAutoscaler(input: DesiredInput): V2HorizontalPodAutoscaler | null {
  const ctx = buildContext(input);
  const scaling = ctx.service.autoscaling;
  if (!scaling) return null;
  const metrics: V2MetricSpec[] = [];
  if (scaling.targetCPUUtilizationPercentage !== undefined) {
    metrics.push(utilization("cpu", scaling.targetCPUUtilizationPercentage));
  }
  if (scaling.targetMemoryUtilizationPercentage !== undefined) {
    metrics.push(utilization("memory", scaling.targetMemoryUtilizationPercentage));
  }
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: {
      name: ctx.names.horizontalPodAutoscaler,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: ctx.activeRevision.name },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics,
      ...(scaling.behavior && { behavior: scaling.behavior }),
    },
  };
}
