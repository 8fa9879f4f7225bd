// What serves and where, for the ModerationService status. One path for every reconcile: start
// from the children as observed, and let what this reconcile applied replace them only where it
// applied something. A reconcile that stopped early (a missing reference, an invalid Policy, a
// spec the builders refuse, a child we do not own) changes nothing that serves, so the status
// keeps saying what still serves instead of dropping it.
import { childNames, LABEL, revisionHash, serviceEndpoint } from "../desired/index.js";
import type { LiveDeployment, LiveModelDeployment, LiveModerationService } from "./live-objects.js";
import type { Convergence, ObservedChildren } from "./moderationservice-children.js";
import type { ServiceStatusInput } from "./moderationservice-status.js";
import { revisionOfDeployment } from "./revisions.js";
import type { RolloutDecision } from "./rollout/state-machine.js";

/** This reconcile's convergence, when it got that far. */
export interface Applied {
  result: Convergence;
  decision: RolloutDecision;
}

export type ServingFacts = Pick<ServiceStatusInput, "serving" | "rollout" | "endpoint" | "previewEndpoint">;

/**
 * The version of the serving revision. The spec's revision has the spec's version; an older one
 * keeps the version status recorded while it was the spec's, else its (label-safe) label.
 */
function servingVersion(
  service: LiveModerationService,
  deployment: LiveDeployment,
  model: LiveModelDeployment | undefined,
): string {
  if (model && revisionOfDeployment(deployment) === revisionHash(model)) return model.spec.model.version;
  const recorded = service.status?.activeRevision;
  if (recorded && recorded.name === deployment.metadata?.name) return recorded.modelVersion;
  return deployment.metadata?.labels?.[LABEL.version] ?? "";
}

export function servingFacts(
  service: LiveModerationService,
  model: LiveModelDeployment | undefined,
  observed: ObservedChildren,
  clusterDomain: string | undefined,
  applied?: Applied,
): ServingFacts {
  const namespace = service.metadata?.namespace ?? "";
  const names = childNames(service.metadata?.name ?? "");
  // The active Service was applied exactly when convergence reports its endpoint; otherwise it
  // selects what it selected before this reconcile.
  const activeApplied = applied?.result.endpoint !== undefined;
  const activeHash = activeApplied
    ? applied.decision.activeHash
    : observed.activeService?.spec?.selector?.[LABEL.revision];
  const deployments = applied?.result.deployments ?? observed.deployments;
  const deployment =
    activeHash === undefined ? undefined : deployments.find((d) => revisionOfDeployment(d) === activeHash);
  const endpoint =
    applied?.result.endpoint ??
    (observed.activeService && serviceEndpoint(names.activeService, namespace, clusterDomain));
  const previewEndpoint =
    applied?.result.previewEndpoint ??
    (observed.previewService && serviceEndpoint(names.previewService, namespace, clusterDomain));
  return {
    ...(deployment && { serving: { deployment, modelVersion: servingVersion(service, deployment, model) } }),
    ...(applied && { rollout: applied.decision.status }),
    ...(endpoint && { endpoint }),
    ...(previewEndpoint && { previewEndpoint }),
  };
}
