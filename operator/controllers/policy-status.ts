// Policy status, computed purely from the Policy, its validation result and the services that
// use it. Valid repeats the CRD's own checks (schema + CEL): a Policy that slipped past them,
// e.g. stored before a rule existed, is reported here instead of being rendered for the pods.
// Applied says whether every ready pod of those services applies the current generation.
import { openAPIV3Schema, POLICY, type Condition, type PolicyStatus } from "../../crds/index.js";
import { formatFieldErrors, validateObject, type FieldError } from "../../crds/validation.js";
import { setConditions } from "../core/conditions.js";
import type { LiveModerationService, LivePolicy } from "./live-objects.js";
import { APPLIED_CONDITION, appliedCondition } from "./policy-applied/applied-condition.js";

export const POLICY_CONDITION = { valid: "Valid", applied: APPLIED_CONDITION } as const;

export const POLICY_REASON = { valid: "Valid", invalid: "PolicyInvalid" } as const;

// Built once: validateObject caches the compiled validator per schema object.
const POLICY_SCHEMA = openAPIV3Schema(POLICY);

/** The field errors the API server would report for this Policy's spec (none: valid). */
export function validatePolicy(policy: LivePolicy): FieldError[] {
  return validateObject(POLICY_SCHEMA, {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: { name: policy.metadata?.name, namespace: policy.metadata?.namespace },
    spec: policy.spec,
  });
}

export function invalidPolicyMessage(policy: LivePolicy, errors: readonly FieldError[]): string {
  return `Policy ${policy.metadata?.name ?? ""} is invalid: ${formatFieldErrors([...errors])}`;
}

export interface PolicyStatusInput {
  policy: LivePolicy;
  errors: readonly FieldError[];
  /** The ModerationServices whose spec.policyRef names this Policy. */
  users: readonly LiveModerationService[];
  now: number;
}

/** The Policy's status (observedGeneration is added when it is written). */
export function computePolicyStatus(input: PolicyStatusInput): PolicyStatus {
  const { policy, errors, now } = input;
  const generation = policy.metadata?.generation ?? 0;
  const previous = policy.status ?? {};
  const valid =
    errors.length === 0
      ? {
          status: "True" as const,
          reason: POLICY_REASON.valid,
          message: "spec passes the CRD schema and CEL rules",
        }
      : {
          status: "False" as const,
          reason: POLICY_REASON.invalid,
          message: invalidPolicyMessage(policy, errors),
        };
  const conditions: Condition[] = setConditions(
    previous.conditions,
    [
      { type: POLICY_CONDITION.valid, ...valid, observedGeneration: generation },
      { type: POLICY_CONDITION.applied, ...appliedCondition(policy, input.users) },
    ],
    now,
  );
  const usedBy = [...new Set(input.users.map((u) => u.metadata?.name ?? ""))].sort();
  return { ...previous, conditions, usedBy: usedBy.length > 0 ? usedBy : undefined };
}
