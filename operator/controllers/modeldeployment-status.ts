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

export const MODEL_CONDITION = { ready: "Ready", progressing: "Progressing", degraded: "Degraded" } as const;

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

function phaseOf(input: ModelStatusInput): ModelPhase {
  if (input.users.length === 0) return "Pending";
  const done = input.users.every(
    (u) => servedRevision(u)?.hash === input.specHash && readyOnCurrentGeneration(u),
  );
  return done ? "Active" : "Deploying";
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

  const stalled = sortedUsers.filter(
    (u) =>
      findCondition(u.status?.conditions, SERVICE_CONDITION.degraded)?.reason ===
      SERVICE_REASON.progressDeadlineExceeded,
  );
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
  } else {
    const message = `revision ${specHash} (${model.spec.model.version}) is not yet serving and Ready in ${waiting.join(", ")}`;
    ready = { status: "False", reason: MODEL_REASON.deploying, message };
    progressing = { status: "True", reason: MODEL_REASON.deploying, message };
  }
  const degraded =
    stalled.length > 0
      ? {
          status: "True" as const,
          reason: MODEL_REASON.progressDeadlineExceeded,
          message: stalled
            .map(
              (u) =>
                `ModerationService ${u.metadata?.name ?? ""}: ${findCondition(u.status?.conditions, SERVICE_CONDITION.degraded)?.message ?? ""}`,
            )
            .join("; "),
        }
      : { status: "False" as const, reason: MODEL_REASON.asExpected, message: "" };

  const conditions = setConditions(
    previous.conditions,
    [
      { type: MODEL_CONDITION.ready, ...ready, observedGeneration: generation },
      { type: MODEL_CONDITION.progressing, ...progressing, observedGeneration: generation },
      { type: MODEL_CONDITION.degraded, ...degraded, observedGeneration: generation },
    ],
    now,
  );
  // history, checks and rollback belong to the blue-green controller and are carried over.
  return { ...previous, phase, activeRevision, previewRevision, conditions };
}
