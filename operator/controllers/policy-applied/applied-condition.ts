// The Policy's Applied condition: True when every ready pod of every ModerationService that
// references the Policy reports applying its current generation; False naming the services and
// pods that do not, and why. The per-pod facts come from each service's status.policy.
import type { ConditionInput } from "../../core/conditions.js";
import type { LiveModerationService, LivePolicy } from "../live-objects.js";

export const APPLIED_CONDITION = "Applied";

export const APPLIED_REASON = {
  applied: "Applied",
  notReferenced: "NotReferenced",
  /** A service has not reported the current generation, or its pods still apply an older one. */
  pending: "Pending",
  /** A pod refused the new policy file and keeps the previous one. */
  rejected: "Rejected",
  unreachable: "Unreachable",
} as const;

/** The most telling reason first: a refusal needs a human, a slow kubelet does not. */
const PRIORITY = [APPLIED_REASON.rejected, APPLIED_REASON.unreachable, APPLIED_REASON.pending] as const;

export function appliedCondition(
  policy: LivePolicy,
  users: readonly LiveModerationService[],
): Omit<ConditionInput, "type"> {
  const generation = policy.metadata?.generation ?? 0;
  const observedGeneration = generation;
  if (users.length === 0) {
    return {
      status: "Unknown",
      reason: APPLIED_REASON.notReferenced,
      message: "no ModerationService references this Policy",
      observedGeneration,
    };
  }
  const reasons = new Set<string>();
  const lags: string[] = [];
  let pods = 0;
  for (const user of [...users].sort((a, b) =>
    (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
  )) {
    const name = user.metadata?.name ?? "";
    const reported = user.status?.policy;
    if (reported?.generation !== generation) {
      reasons.add(APPLIED_REASON.pending);
      lags.push(`ModerationService ${name} has not reported generation ${generation} yet`);
      continue;
    }
    pods += reported.replicas ?? reported.appliedReplicas;
    if (reported.appliedReplicas === (reported.replicas ?? reported.appliedReplicas)) continue;
    const listed = (reported.lagging ?? []).map((lag) => {
      reasons.add(lag.reason);
      const applies =
        lag.appliedGeneration !== undefined ? ` applies generation ${lag.appliedGeneration}` : "";
      return `${lag.pod}${applies} (${lag.reason}${lag.message ? `: ${lag.message}` : ""})`;
    });
    if (listed.length === 0) reasons.add(APPLIED_REASON.pending);
    lags.push(
      `ModerationService ${name}: ${reported.appliedReplicas} of ${reported.replicas} ready pods apply generation ${generation}` +
        (listed.length > 0 ? `; ${listed.join(", ")}` : ""),
    );
  }
  if (lags.length === 0) {
    return {
      status: "True",
      reason: APPLIED_REASON.applied,
      message: `generation ${generation} is applied by all ${pods} ready pods of ${users.length} ModerationService(s)`,
      observedGeneration,
    };
  }
  return {
    status: "False",
    reason: PRIORITY.find((r) => reasons.has(r)) ?? APPLIED_REASON.pending,
    message: lags.join("; "),
    observedGeneration,
  };
}
