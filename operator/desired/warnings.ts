// Spec combinations that build valid objects but will not behave as the user probably
// expects. The reconciler surfaces them as events or condition messages; they never block.
export interface DesiredWarning {
  /** CamelCase, specific, usable as an event or condition reason. */
  reason: string;
  message: string;
}
