// metav1.Condition semantics, as apimachinery's meta.SetStatusCondition implements them:
// one condition per type; lastTransitionTime moves only when status changes, so a reconcile
// that re-derives the same status writes nothing and `kubectl get` keeps showing since when.
import type { Condition } from "../../crds/schema.js";

export type ConditionStatus = Condition["status"];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  /** CamelCase, specific: `ArtifactChecksumMismatch`, not `Error`. */
  reason: string;
  message: string;
  /** The metadata.generation the condition was computed from. */
  observedGeneration: number;
}

/** metav1.Time: RFC 3339 in UTC with second precision. */
export function formatTime(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/**
 * Returns `conditions` with `input` set: an existing condition of the same type keeps its
 * position, and its lastTransitionTime unless the status changed. The input list is not modified.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date | number,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const existing = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    observedGeneration: input.observedGeneration,
    lastTransitionTime:
      existing && existing.status === input.status ? existing.lastTransitionTime : formatTime(now),
    reason: input.reason,
    message: input.message,
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** Sets every input in order (see setCondition). */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  now: Date | number,
): Condition[] {
  return inputs.reduce<Condition[]>((list, input) => setCondition(list, input, now), [...(conditions ?? [])]);
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** Same conditions by type (order ignored), every field equal. */
export function conditionsEqual(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const left = a ?? [];
  const right = b ?? [];
  if (left.length !== right.length) return false;
  return left.every((ca) => {
    const cb = findCondition(right, ca.type);
    return (
      cb !== undefined &&
      cb.status === ca.status &&
      cb.reason === ca.reason &&
      cb.message === ca.message &&
      cb.observedGeneration === ca.observedGeneration &&
      cb.lastTransitionTime === ca.lastTransitionTime
    );
  });
}
