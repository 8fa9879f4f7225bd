// Where a revision's Deployment stands, read the way `kubectl rollout status` reads it: the
// Deployment controller must have observed the current generation, every replica must run the
// current template, old replicas must be gone and the new ones available. A Deployment whose
// rollout completed (Progressing reason NewReplicaSetAvailable, which stays once reached) and
// has fewer available replicas than it wants has lost pods since: that is not a rollout.
import type { LiveDeployment } from "./live-objects.js";

export type DeploymentState =
  /** The current template is not yet on every replica (or not yet observed). */
  | "Rolling"
  /** The Deployment controller gave up: Progressing=False, reason ProgressDeadlineExceeded. */
  | "ProgressDeadlineExceeded"
  /** Fully rolled out, but fewer replicas available than wanted. */
  | "InsufficientReplicas"
  | "Available";

export interface DeploymentProgress {
  state: DeploymentState;
  /** spec.replicas (1 when absent, the API server's default). */
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** One line for a condition message. */
  message: string;
}

export function deploymentProgress(deployment: LiveDeployment): DeploymentProgress {
  const name = deployment.metadata?.name ?? "";
  const spec = deployment.spec ?? {};
  const status = deployment.status ?? {};
  const desired = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const counts = { desired, updated, ready, available };
  const progressing = status.conditions?.find((c) => c.type === "Progressing");

  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  if (observed && progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    return {
      state: "ProgressDeadlineExceeded",
      ...counts,
      message:
        `Deployment ${name} exceeded its progress deadline with ${available} of ${desired} replicas available` +
        (progressing.message ? `: ${progressing.message}` : ""),
    };
  }
  if (!observed) {
    return {
      state: "Rolling",
      ...counts,
      message: `Deployment ${name}: waiting for the new spec to be observed`,
    };
  }
  if (updated < desired) {
    return {
      state: "Rolling",
      ...counts,
      message: `Deployment ${name}: ${updated} of ${desired} replicas updated`,
    };
  }
  if ((status.replicas ?? 0) > updated) {
    return {
      state: "Rolling",
      ...counts,
      message: `Deployment ${name}: ${(status.replicas ?? 0) - updated} old replicas pending termination`,
    };
  }
  if (available < desired) {
    const completedBefore = progressing?.reason === "NewReplicaSetAvailable";
    return {
      state: completedBefore ? "InsufficientReplicas" : "Rolling",
      ...counts,
      message: `Deployment ${name}: ${available} of ${desired} replicas available`,
    };
  }
  return {
    state: "Available",
    ...counts,
    message: `Deployment ${name}: ${available} of ${desired} replicas available`,
  };
}
