// Why a rollout stopped: condition reasons, Event reasons and the `reason` of
// status.rollout.rollback. Artifact failures keep the reason fetch-model reported.
export const ROLLOUT_REASON = {
  progressDeadlineExceeded: "ProgressDeadlineExceeded",
  insufficientGPU: "InsufficientGPU",
  unschedulable: "Unschedulable",
  crashLoopBackOff: "CrashLoopBackOff",
  qualityGateFailed: "QualityGateFailed",
  aborted: "Aborted",
  manualRollback: "ManualRollback",
} as const;

/** Why the preview cannot become the active revision. */
export interface RolloutFailure {
  reason: string;
  message: string;
}
