// Policy status: Valid (the CRD's own schema and CEL rules, re-checked), usedBy (the
// ModerationServices that reference it) and Applied (whether their ready pods apply the current
// generation, from each service's status.policy). The controller is keyed by Policy; every event
// on a service, its status included, reaches the Policy it references, or referenced before the
// event, so a service that switches Policies or goes away updates both.
import type { ControllerDefinition, ReconcileContext, ReconcileOutcome } from "../core/controller.js";
import { findCondition } from "../core/conditions.js";
import { ApiError, errorMessage } from "../core/errors.js";
import { Kinds } from "../core/kinds.js";
import type { LiveModerationService, LivePolicy } from "./live-objects.js";
import { computePolicyStatus, POLICY_CONDITION, POLICY_REASON, validatePolicy } from "./policy-status.js";
import { servicesOfPolicy, usersOfPolicy } from "./references.js";
import { CONFLICT_REQUEUE_MS, writeStatus, type StatusWriteOutcome } from "./status-write.js";

/** Writes the Policy's status if it changed; false when the write lost an update race. */
async function syncPolicyStatus(ctx: ReconcileContext, policy: LivePolicy): Promise<boolean> {
  const namespace = policy.metadata?.namespace ?? "";
  const name = policy.metadata?.name ?? "";
  const services = ctx.cache<LiveModerationService>(Kinds.ModerationService);
  const errors = validatePolicy(policy);
  const status = computePolicyStatus({
    policy,
    errors,
    users: usersOfPolicy(services, namespace, name),
    now: ctx.clock.now(),
  });
  const valid = findCondition(status.conditions, POLICY_CONDITION.valid);
  let outcome: StatusWriteOutcome;
  try {
    outcome = await writeStatus(ctx.client, Kinds.Policy, policy, status);
  } catch (err) {
    // An API server without CRD validation ratcheting (before Kubernetes 1.30) validates the
    // unchanged spec on status writes too, and refuses any status for a Policy that fails the
    // rules. Retrying cannot help; the Event still says what is wrong, and the next change of
    // the Policy is reconciled again.
    if (!(err instanceof ApiError && err.statusCode === 422 && errors.length > 0)) throw err;
    ctx.log.warn({ err: errorMessage(err) }, "the API server refuses status for the invalid Policy");
    ctx.recorder.record(policy, "Warning", POLICY_REASON.invalid, valid?.message ?? "");
    return true;
  }
  const wasValid = findCondition(policy.status?.conditions, POLICY_CONDITION.valid);
  if (outcome === "written" && valid?.status === "False" && wasValid?.status !== "False") {
    ctx.recorder.record(policy, "Warning", POLICY_REASON.invalid, valid.message);
  }
  return outcome !== "conflict";
}

export const policyController: ControllerDefinition<LivePolicy> = {
  name: "policy",
  for: Kinds.Policy,
  watches: [servicesOfPolicy],
  async reconcile(_key, ctx): Promise<ReconcileOutcome | void> {
    const policy = ctx.cache<LivePolicy>(Kinds.Policy).get(ctx.name, ctx.namespace);
    if (!policy) return;
    if (!(await syncPolicyStatus(ctx, policy))) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  },
};
