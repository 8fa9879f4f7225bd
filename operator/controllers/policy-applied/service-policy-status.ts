// ModerationService.status.policy: how many ready pods apply the Policy's current generation,
// and which do not and why, from what each pod last answered (pod-policy-prober.ts).
// The answers live in the operator's memory only, so a restarted operator has none until its
// first poll: until then the status it finds stands, instead of every pod turning "not asked
// yet" and back (two status writes per service, and a Policy Applied flap, after each restart).
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

/**
 * The status already recorded still describes these pods: same generation and number of ready
 * pods, and every pod it names as lagging is still one of them.
 */
function stillDescribes(
  recorded: ServicePolicyStatus | undefined,
  generation: number,
  pods: readonly string[],
) {
  return (
    recorded !== undefined &&
    recorded.generation === generation &&
    recorded.replicas === pods.length &&
    (recorded.lagging ?? []).every((lag) => pods.includes(lag.pod))
  );
}

export function servicePolicyStatus(
  generation: number,
  readyPods: readonly string[],
  reports: ReadonlyMap<string, PodPolicyReport>,
  recorded?: ServicePolicyStatus,
): ServicePolicyStatus {
  const pods = [...readyPods].sort();
  const unasked = pods.some((pod) => !reports.has(pod));
  if (unasked && stillDescribes(recorded, generation, pods)) return recorded!;
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
