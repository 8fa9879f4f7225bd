// Which revision serves, decided from observed state only. A revision is one model + hardware
// combination with its own Deployment (`<service>-<hash>`); the active Service's selector says
// which one receives traffic. When the ModelDeployment's spec moves to a new revision, that
// revision comes up beside the serving one (as the builders' preview), traffic switches once
// it is fully available, and the old Deployment goes. The blue-green state machine with its
// quality gate replaces the "fully available" test later; the shape stays.
import { LABEL } from "../desired/index.js";
import { deploymentProgress } from "./deployment-progress.js";
import type { LiveDeployment, LiveService } from "./live-objects.js";

export interface RevisionObservation {
  /** Revision hash of the ModelDeployment's current spec. */
  specHash: string;
  /** The active Service, when it exists and is ours. */
  activeService?: LiveService;
  /** Revision Deployments controlled by this ModerationService. */
  deployments: readonly LiveDeployment[];
}

export interface RevisionPlan {
  /** The revision the active Service selects after this reconcile. */
  activeHash: string;
  /** The revision the active Service selected before, if it still has a Deployment. */
  servedHash?: string;
  /** True when this reconcile moves traffic from servedHash to activeHash. */
  promotes: boolean;
  /** Owned revision Deployments (by name) that are neither active nor the spec's revision. */
  prune: string[];
}

export function revisionOfDeployment(deployment: LiveDeployment): string | undefined {
  return deployment.metadata?.labels?.[LABEL.revision];
}

/**
 * Without a Service selecting one (deleted by hand, say), the revision to keep serving is the
 * spec's if it is available, else another available one: losing the Service must not hand
 * traffic to pods that are not ready, nor delete the ones that are.
 */
function fallbackServing(byHash: ReadonlyMap<string, LiveDeployment>, specHash: string): string | undefined {
  const isAvailable = (d: LiveDeployment | undefined) =>
    d !== undefined && deploymentProgress(d).state === "Available";
  if (isAvailable(byHash.get(specHash))) return specHash;
  return [...byHash.keys()].sort().find((hash) => isAvailable(byHash.get(hash)));
}

export function planRevisions(observed: RevisionObservation): RevisionPlan {
  const { specHash } = observed;
  const byHash = new Map<string, LiveDeployment>();
  for (const deployment of observed.deployments) {
    const hash = revisionOfDeployment(deployment);
    if (hash) byHash.set(hash, deployment);
  }
  const selected = observed.activeService?.spec?.selector?.[LABEL.revision];
  // A selector pointing at a Deployment that no longer exists serves nothing worth keeping.
  const servedHash = selected !== undefined && byHash.has(selected) ? selected : undefined;
  const serving = servedHash ?? fallbackServing(byHash, specHash);

  let activeHash = specHash;
  if (serving !== undefined && serving !== specHash) {
    const next = byHash.get(specHash);
    const ready = next !== undefined && deploymentProgress(next).state === "Available";
    activeHash = ready ? specHash : serving;
  }
  const keep = new Set([activeHash, specHash]);
  const prune = observed.deployments
    .filter((d) => {
      const hash = revisionOfDeployment(d);
      return hash !== undefined && !keep.has(hash);
    })
    .map((d) => d.metadata?.name)
    .filter((name): name is string => name !== undefined);
  return {
    activeHash,
    ...(servedHash !== undefined && { servedHash }),
    promotes: servedHash !== undefined && servedHash !== activeHash,
    prune,
  };
}
