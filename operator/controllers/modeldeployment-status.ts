// ModelDeployment status, derived purely from the ModerationServices that use it: which
// revision they serve (their status.activeRevision names the revision Deployment
// `<service>-<hash>`), and whether they are Ready on the current spec's revision. A model
// nobody references is Pending; one whose spec revision every user serves, Ready, is Active;
// anything in between is Deploying. The blue-green phases (Verifying, AwaitingPromotion, ...)
// belong to the rollout controller that comes later.
import type { Condition, ModelDeploymentStatus, ModelPhase } from "../../crds/index.js";
import { findCondition, formatTime, setConditions } from "../core/conditions.js";
import { revisionName } from "../desired/index.js";
import type { LiveModelDeployment, LiveModerationService } from "./live-objects.js";
import { SERVICE_CONDITION, SERVICE_REASON } from "./moderationservice-status.js";

export const MODEL_CONDITION = {
  ready: "Ready",
  progressing: "Progressing",
  degraded: "Degraded",
  artifactVerified: "ArtifactVerified",
} as const;

export const MODEL_REASON = {
  notReferenced: "NotReferenced",
  deploying: "Deploying",
  serving: "Serving",
  rolloutComplete: "RolloutComplete",
  progressDeadlineExceeded: SERVICE_REASON.progressDeadlineExceeded,
  asExpected: SERVICE_REASON.asExpected,
} as const;

export interface ModelStatusInput {
  model: LiveModelDeployment;
  /** Revision hash of the model's current spec. */
  specHash: string;
  /** ModerationServices whose spec.modelRef names this model. */
  users: readonly LiveModerationService[];
  now: number;
}

interface Served {
  user: string;
  hash: string;
  version: string;
}

/** The revision a service reports serving, parsed from its revision Deployment's name. */
export function servedRevision(service: LiveModerationService): Served | undefined {
  const name = service.metadata?.name;
  const active = service.status?.activeRevision;
  if (!name || !active) return undefined;
  const prefix = revisionName(name, "");
  if (!active.name.startsWith(prefix)) return undefined;
  return { user: name, hash: active.name.slice(prefix.length), version: active.modelVersion };
}

function readyOnCurrentGeneration(service: LiveModerationService): boolean {
  const ready = findCondition(service.status?.conditions, SERVICE_CONDITION.ready);
  return ready?.status === "True" && ready.observedGeneration === service.metadata?.generation;
}

/** The hash most users serve; the previously active one wins a tie, then the first by name. */
function pickActive(served: readonly Served[], previousHash: string | undefined): Served | undefined {
  const counts = new Map<string, number>();
  for (const s of served) counts.set(s.hash, (counts.get(s.hash) ?? 0) + 1);
  const best = Math.max(0, ...counts.values());
  const candidates = served.filter((s) => counts.get(s.hash) === best);
  return candidates.find((s) => s.hash === previousHash) ?? candidates[0];
}

/** Least advanced first: a summary over several services shows the one that needs attention. */
const PHASE_ORDER: readonly ModelPhase[] = [
  "Failed",
  "RolledBack",
  "Deploying",
  "Verifying",
  "AwaitingPromotion",
  "Promoting",
  "Active",
];

/** A service's rollout phase for this model's current spec revision. */
function userPhase(user: LiveModerationService, specHash: string): ModelPhase {
  const rollout = user.status?.rollout;
  const concerns =
    rollout &&
    (rollout.previewRevision === specHash ||
      rollout.activeRevision === specHash ||
      rollout.failedRevisions?.includes(specHash));
  if (rollout && concerns) {
    if (rollout.phase === "Active") return readyOnCurrentGeneration(user) ? "Active" : "Deploying";
    return rollout.phase;
  }
  // No rollout status (yet) for this revision: Active only once it serves and is Ready.
  return servedRevision(user)?.hash === specHash && readyOnCurrentGeneration(user) ? "Active" : "Deploying";
}

function phaseOf(input: ModelStatusInput): ModelPhase {
  if (input.users.length === 0) return "Pending";
  const phases = input.users.map((u) => userPhase(u, input.specHash));
  return PHASE_ORDER.find((p) => phases.includes(p)) ?? "Deploying";
}

/** ArtifactVerified from what the services' fetch-model containers reported for the spec revision. */
function artifactCondition(
  users: readonly LiveModerationService[],
  specHash: string,
): Omit<Condition, "type" | "lastTransitionTime" | "observedGeneration"> | undefined {
  const reports = users
    .map((u) => u.status?.rollout?.artifact)
    .filter((a): a is NonNullable<typeof a> => a?.revision === specHash);
  const failed = reports.find((a) => a.state === "Failed");
  if (failed) {
    return { status: "False", reason: failed.reason ?? "ArtifactInvalid", message: failed.message ?? "" };
  }
  const verified = reports.find((a) => a.state === "Verified");
  if (verified) {
    return {
      status: "True",
      reason: "ArtifactVerified",
      message: verified.sha256 ? `sha256 ${verified.sha256}` : "fetch-model verified the artifact",
    };
  }
  return undefined;
}

export function computeModelStatus(input: ModelStatusInput): ModelDeploymentStatus {
  const { model, specHash, users, now } = input;
  const generation = model.metadata?.generation ?? 0;
  const previous = model.status ?? {};
  const sortedUsers = [...users].sort((a, b) =>
    (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
  );
  const served = sortedUsers.map(servedRevision).filter((s): s is Served => s !== undefined);
  const active = pickActive(served, previous.activeRevision?.hash);
  const phase = phaseOf(input);
  const names = sortedUsers.map((u) => u.metadata?.name ?? "");

  const activeRevision = active && {
    hash: active.hash,
    version: active.version,
    since:
      previous.activeRevision?.hash === active.hash && previous.activeRevision.since
        ? previous.activeRevision.since
        : formatTime(now),
  };
  const previewRevision =
    active && active.hash !== specHash ? { hash: specHash, version: model.spec.model.version } : undefined;

  // A service Degraded by this model: a stalled Deployment, or a rollout of it rolled back.
  const stalled = sortedUsers.filter((u) => {
    const degraded = findCondition(u.status?.conditions, SERVICE_CONDITION.degraded);
    if (degraded?.status !== "True") return false;
    return (
      degraded.reason === SERVICE_REASON.progressDeadlineExceeded ||
      u.status?.rollout?.rollback?.from === specHash
    );
  });
  const waiting = sortedUsers
    .filter((u) => servedRevision(u)?.hash !== specHash || !readyOnCurrentGeneration(u))
    .map((u) => u.metadata?.name ?? "");

  let ready: Omit<Condition, "type" | "lastTransitionTime" | "observedGeneration">;
  let progressing: typeof ready;
  if (phase === "Pending") {
    const message = "no ModerationService references this ModelDeployment";
    ready = { status: "False", reason: MODEL_REASON.notReferenced, message };
    progressing = { status: "False", reason: MODEL_REASON.notReferenced, message };
  } else if (phase === "Active") {
    const message = `revision ${specHash} (${model.spec.model.version}) serves ${names.join(", ")}`;
    ready = { status: "True", reason: MODEL_REASON.serving, message };
    progressing = { status: "False", reason: MODEL_REASON.rolloutComplete, message };
  } else if (phase === "RolledBack" || phase === "Failed") {
    const message =
      `revision ${specHash} (${model.spec.model.version}) was rolled back in ${waiting.join(", ")}; ` +
      "revert the spec in git, or fix the model and change its version";
    ready = { status: "False", reason: phase, message };
    progressing = { status: "False", reason: phase, message };
  } else {
    const message = `revision ${specHash} (${model.spec.model.version}) is not yet serving and Ready in ${waiting.join(", ")}`;
    ready = { status: "False", reason: MODEL_REASON.deploying, message };
    progressing = { status: "True", reason: MODEL_REASON.deploying, message };
  }
  const firstStalled = stalled[0];
  const degraded = firstStalled
    ? {
        status: "True" as const,
        reason:
          findCondition(firstStalled.status?.conditions, SERVICE_CONDITION.degraded)?.reason ??
          MODEL_REASON.progressDeadlineExceeded,
        message: stalled
          .map(
            (u) =>
              `ModerationService ${u.metadata?.name ?? ""}: ${findCondition(u.status?.conditions, SERVICE_CONDITION.degraded)?.message ?? ""}`,
          )
          .join("; "),
      }
    : { status: "False" as const, reason: MODEL_REASON.asExpected, message: "" };

  const artifact = artifactCondition(sortedUsers, specHash);
  const conditions = setConditions(
    previous.conditions,
    [
      { type: MODEL_CONDITION.ready, ...ready, observedGeneration: generation },
      { type: MODEL_CONDITION.progressing, ...progressing, observedGeneration: generation },
      { type: MODEL_CONDITION.degraded, ...degraded, observedGeneration: generation },
      ...(artifact
        ? [{ type: MODEL_CONDITION.artifactVerified, ...artifact, observedGeneration: generation }]
        : []),
    ],
    now,
  );
  // history, checks and rollback belong to the blue-green controller and are carried over.
  return { ...previous, phase, activeRevision, previewRevision, conditions };
}
