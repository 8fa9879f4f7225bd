// policy/v1 PodDisruptionBudget over all runtime pods of the service (every revision: during
// a blue-green rollout both stacks serve or are about to). AlwaysAllow lets a drain evict
// pods that are not Ready anyway (e.g. crash-looping on a bad model), which the default
// policy would let block the drain.
import type { IntOrString, V1PodDisruptionBudget } from "@kubernetes/client-node";
import { buildContext } from "./context.js";
import type { DesiredInput } from "./input.js";
import { commonLabels, instanceSelector } from "./labels.js";
import { resolveAutoscaling, resolveDisruption, resolveReplicas } from "./defaults.js";
import type { DesiredWarning } from "./warnings.js";

export function buildPodDisruptionBudget(input: DesiredInput): V1PodDisruptionBudget {
  const ctx = buildContext(input);
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      name: ctx.names.podDisruptionBudget,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    spec: {
      ...ctx.service.disruption,
      selector: { matchLabels: instanceSelector(ctx.serviceName) },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

/** An int-or-percent scaled like the disruption controller does: percentages round up. */
function scaled(value: IntOrString, replicas: number): number {
  if (typeof value === "number") return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.ceil((Number(percent[1]) * replicas) / 100) : Number(value);
}

/**
 * Warnings for a budget that blocks node drains (no disruption allowed even with every pod
 * healthy) or cannot protect availability (a single replica goes down on every drain).
 * Uses the lower replica bound: with an HPA the budget must work at minReplicas.
 */
export function pdbWarnings(spec: DesiredInput["service"]["spec"]): DesiredWarning[] {
  const replicas = resolveAutoscaling(spec)?.minReplicas ?? resolveReplicas(spec) ?? 0;
  if (replicas === 0) return [];
  const disruption = resolveDisruption(spec);
  const allowed =
    "minAvailable" in disruption
      ? replicas - scaled(disruption.minAvailable, replicas)
      : scaled(disruption.maxUnavailable, replicas);
  if (allowed <= 0) {
    const budget =
      "minAvailable" in disruption
        ? `minAvailable ${disruption.minAvailable}`
        : `maxUnavailable ${disruption.maxUnavailable}`;
    return [
      {
        reason: "DisruptionBudgetBlocksDrains",
        message:
          `${budget} with ${replicas} replica(s) allows no voluntary disruption: node drains and ` +
          `cluster upgrades will hang on these pods; run at least 2 replicas or relax the budget`,
      },
    ];
  }
  if (replicas < 2) {
    return [
      {
        reason: "SingleReplicaUnprotected",
        message:
          "1 replica: every node drain evicts the only pod and the service is down until it is rescheduled " +
          "and has loaded its model; run at least 2 replicas",
      },
    ];
  }
  return [];
}
