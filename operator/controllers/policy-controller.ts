// Policy status: Valid (the CRD's own schema and CEL rules, re-checked) and usedBy (the
// ModerationServices that reference it). usedBy depends on objects that point at the Policy,
// not on the Policy itself, so two controllers keep it true:
// - `policy` reconciles Policy keys: a Policy change, and events of the services it lists in
//   usedBy (a user that went away or switched to another Policy);
// - `policy-usage` reconciles service keys: a service that starts referencing a Policy is not
//   in any usedBy yet, so its events re-derive the status of the Policies in its namespace
//   that it references or that list it.
// Both compute the same status from the same caches and write only when it changed.
import type { ControllerDefinition, ReconcileContext, ReconcileOutcome } from "../core/controller.js";
import { findCondition } from "../core/conditions.js";
import { ApiError, errorMessage } from "../core/errors.js";
import { Kinds } from "../core/kinds.js";
import { objectKey } from "../core/objectkey.js";
import type { LiveModerationService, LivePolicy } from "./live-objects.js";
import { computePolicyStatus, POLICY_CONDITION, POLICY_REASON, validatePolicy } from "./policy-status.js";
import { policyReference, usersOfPolicy } from "./references.js";
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
    usedBy: usersOfPolicy(services, namespace, name).map((s) => s.metadata?.name ?? ""),
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
  references: [
    {
      kind: Kinds.ModerationService,
      indexName: "status.usedBy",
      referencedKeys: (policy) =>
        (policy.status?.usedBy ?? []).map((name) =>
          objectKey({ namespace: policy.metadata?.namespace, name }),
        ),
    },
  ],
  async reconcile(_key, ctx): Promise<ReconcileOutcome | void> {
    const policy = ctx.cache<LivePolicy>(Kinds.Policy).get(ctx.name, ctx.namespace);
    if (!policy) return;
    if (!(await syncPolicyStatus(ctx, policy))) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  },
};

export const policyUsageController: ControllerDefinition<LiveModerationService> = {
  name: "policy-usage",
  for: Kinds.ModerationService,
  references: [policyReference("policy-usage/spec.policyRef")],
  async reconcile(_key, ctx): Promise<ReconcileOutcome | void> {
    const service = ctx.cache<LiveModerationService>(Kinds.ModerationService).get(ctx.name, ctx.namespace);
    const affected = ctx
      .cache<LivePolicy>(Kinds.Policy)
      .list(ctx.namespace)
      .filter(
        (p) =>
          p.metadata?.name === service?.spec.policyRef.name || (p.status?.usedBy ?? []).includes(ctx.name),
      );
    let conflicted = false;
    for (const policy of affected) conflicted = !(await syncPolicyStatus(ctx, policy)) || conflicted;
    if (conflicted) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  },
};
