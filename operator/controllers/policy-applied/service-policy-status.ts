// ModerationService.status.policy: how many ready pods apply the Policy's current generation,
// and which do not and why, from what each pod last answered (pod-policy-prober.ts).
import type { ServicePolicyStatus } from "../../../crds/index.js";
import type { PodPolicyReport } from "./pod-policy-prober.js";

/** Pods named in status; the count says how many there are in all. */
export const MAX_LAGGING_LISTED = 10;

type Lag = NonNullable<ServicePolicyStatus["lagging"]>[number];

function lagOf(pod: string, generation: number, report: PodPolicyReport | undefined): Lag | undefined {
  if (!report) return { pod, reason: "Pending", message: "not asked yet" };
  if (report.unreachable) return { pod, reason: "Unreachable", message: report.unreachable };
  if (report.generation === generation) return undefined;
  const applied = report.generation !== undefined ? { appliedGeneration: report.generation } : {};
  if (report.rejected) return { pod, reason: "Rejected", ...applied, message: report.rejected };
  return { pod, reason: "Pending", ...applied };
}

export function servicePolicyStatus(
  generation: number,
  readyPods: readonly string[],
  reports: ReadonlyMap<string, PodPolicyReport>,
): ServicePolicyStatus {
  const pods = [...readyPods].sort();
  const lagging = pods
    .map((pod) => lagOf(pod, generation, reports.get(pod)))
    .filter((lag): lag is Lag => lag !== undefined);
  return {
    generation,
    replicas: pods.length,
    appliedReplicas: pods.length - lagging.length,
    ...(lagging.length > 0 && { lagging: lagging.slice(0, MAX_LAGGING_LISTED) }),
  };
}
