// Manual control of a rollout. Each annotation carries a value the user picks (the CLI uses a
// timestamp); the operator acts when the value differs from the one it recorded in
// status.rollout.handled, so each request is acted on once and a re-applied manifest that
// still carries an old value does nothing. The operator never writes spec or metadata: GitOps
// tools see no drift.
import type { RolloutStatus } from "../../../crds/index.js";

export const ROLLOUT_ANNOTATION = {
  promote: "moderation.vigil.dev/promote",
  abort: "moderation.vigil.dev/abort",
  rollback: "moderation.vigil.dev/rollback",
  retry: "moderation.vigil.dev/retry",
} as const;

export type RolloutAction = keyof typeof ROLLOUT_ANNOTATION;
export type Handled = NonNullable<RolloutStatus["handled"]>;

/** The annotation's value when it asks for something not yet handled. */
export function pendingRequest(
  annotations: Readonly<Record<string, string>> | undefined,
  handled: Handled | undefined,
  action: RolloutAction,
): string | undefined {
  const value = annotations?.[ROLLOUT_ANNOTATION[action]];
  if (!value) return undefined;
  return value === handled?.[action] ? undefined : value;
}
