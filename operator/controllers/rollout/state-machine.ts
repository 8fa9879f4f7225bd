// The blue-green rollout of one ModerationService, as a pure function of what the reconciler
// observed: the service (its annotations and last rollout status), the ModelDeployment's
// spec revision and strategy, the revision Deployments and their pods, the active Service's
// selector, the HPA, the quality gate's result and the time. It returns what the revisions
// should look like (which one the active and preview Services select, the replicas of each,
// which are deleted) and the next rollout status. Everything it needs to resume is in that
// status and in the selector, so an operator restarted at any step decides the same again.
//
//   Deploying -> Verifying -> AwaitingPromotion -> Promoting -> Active
//   Deploying / Verifying / AwaitingPromotion / Promoting -> RolledBack (or Failed on a first rollout)
//
// The invariant everything else serves: the active Service only ever selects a revision that
// passed the quality gate (or the one that already served when this operator took over).
import type { V1Pod } from "@kubernetes/client-node";
import type { RolloutChecks, RolloutPhase, RolloutStatus } from "../../../crds/index.js";
import { formatTime } from "../../core/conditions.js";
import type { EventType } from "../../core/events.js";
import { deploymentProgress } from "../deployment-progress.js";
import type { LiveDeployment, LiveModerationService } from "../live-objects.js";
import { revisionOfDeployment } from "../revisions.js";
import { pendingRequest, ROLLOUT_ANNOTATION, type Handled } from "./annotations.js";
import { checksStatus, type GateError, type GateResult } from "./gate-result.js";
import { previewFailure } from "./preview-health.js";
import { ROLLOUT_REASON, type RolloutFailure } from "./reasons.js";
import type { RolloutStrategy } from "./strategy.js";

/** How often a running gate is looked at again. */
export const GATE_POLL_MS = 1_000;
/** How many rolled-back revision hashes status keeps. */
const FAILED_REVISIONS_KEPT = 20;

export const IN_PROGRESS: ReadonlySet<RolloutPhase> = new Set([
  "Deploying",
  "Verifying",
  "AwaitingPromotion",
  "Promoting",
]);

export interface RolloutInput {
  now: number;
  service: LiveModerationService;
  /** Revision hash of the ModelDeployment's current spec. */
  specHash: string;
  strategy: RolloutStrategy;
  policyGeneration: number;
  /** The revision the active Service selects now (undefined: no active Service). */
  selected?: string;
  /** Revision Deployments this service controls. */
  deployments: readonly LiveDeployment[];
  /** Pods of the spec's revision. */
  previewPods: readonly V1Pod[];
  /** The HPA's bounds and current size, when autoscaling is on. */
  autoscaling?: { minReplicas: number; currentReplicas?: number };
  /** spec.replicas after defaulting, when autoscaling is off. */
  replicas?: number;
  /** The finished gate run for (specHash, policyGeneration), if any. */
  gate?: GateResult;
  /** Why the last attempt of that run could not complete, if it could not. */
  gateError?: GateError;
}

export interface RolloutEvent {
  type: EventType;
  reason: string;
  message: string;
}

export interface RolloutDecision {
  status: RolloutStatus;
  /** The revision the active Service selects; undefined: none verified yet (no active Service). */
  activeHash?: string;
  /** The revision the preview Service selects. */
  previewHash: string;
  /** Desired replicas by revision hash. A revision not listed keeps its replicas (the HPA's, or its scale-down delay). */
  replicas: Record<string, number>;
  /** Names of revision Deployments past the history limit. */
  prune: string[];
  /** Start (or keep running) the quality gate for (specHash, policyGeneration). */
  runGate: boolean;
  events: RolloutEvent[];
  requeueAfterMs?: number;
}

/** The replicas a revision needs to take the traffic: the HPA's current size (at least its min), or spec.replicas. */
export function servingSize(input: Pick<RolloutInput, "autoscaling" | "replicas">): number {
  if (input.autoscaling) {
    return Math.max(input.autoscaling.currentReplicas ?? 0, input.autoscaling.minReplicas);
  }
  return input.replicas ?? 0;
}

function isAvailableAt(deployment: LiveDeployment | undefined, replicas: number): boolean {
  if (!deployment) return false;
  return (
    (deployment.spec?.replicas ?? 1) === replicas && deploymentProgress(deployment).state === "Available"
  );
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const EVENT_OF_PHASE: Record<RolloutPhase, { type: EventType; reason: string }> = {
  Deploying: { type: "Normal", reason: "RolloutStarted" },
  Verifying: { type: "Normal", reason: "QualityGateRunning" },
  AwaitingPromotion: { type: "Normal", reason: "QualityGatePassed" },
  Promoting: { type: "Normal", reason: "RolloutPromoting" },
  Active: { type: "Normal", reason: "RevisionPromoted" },
  RolledBack: { type: "Warning", reason: "RolledBack" },
  Failed: { type: "Warning", reason: "RolloutFailed" },
};

/** Mutable working state of one decision; `decide` returns it frozen into a RolloutDecision. */
class Step {
  phase: RolloutPhase;
  phaseSince: number;
  message = "";
  events: RolloutEvent[] = [];
  replicas: Record<string, number> = {};
  wakeAt: number[] = [];
  runGate = false;

  constructor(phase: RolloutPhase, since: number) {
    this.phase = phase;
    this.phaseSince = since;
  }

  enter(phase: RolloutPhase, now: number, message: string): void {
    if (phase === this.phase) {
      this.message = message;
      return;
    }
    this.phase = phase;
    this.phaseSince = now;
    this.message = message;
    this.events.push({ ...EVENT_OF_PHASE[phase], message });
  }
}

export function decideRollout(input: RolloutInput): RolloutDecision {
  const { now, specHash, strategy, service } = input;
  const previous = service.status?.rollout;
  const annotations = service.metadata?.annotations;
  const handled: Handled = { ...previous?.handled };
  const failed = new Set(previous?.failedRevisions ?? []);
  const byHash = new Map<string, LiveDeployment>();
  for (const d of input.deployments) {
    const hash = revisionOfDeployment(d);
    if (hash) byHash.set(hash, d);
  }
  const size = servingSize(input);
  const autoscaled = input.autoscaling !== undefined;

  // What serves: status is written before the children act on it (under the optimistic lock),
  // so status.rollout.activeRevision leads the active Service's selector. The selector counts
  // when status has none (an operator that took over a service rolled out before).
  const exists = (hash: string | undefined) => hash !== undefined && (byHash.has(hash) || hash === specHash);
  const served = exists(previous?.activeRevision)
    ? previous?.activeRevision
    : exists(input.selected)
      ? input.selected
      : undefined;

  const retry = pendingRequest(annotations, handled, "retry");
  const events: RolloutEvent[] = [];
  if (retry) {
    handled.retry = retry;
    if (failed.delete(specHash)) {
      events.push({
        type: "Normal",
        reason: "RolloutRetried",
        message: `revision ${specHash} is rolled out again (${ROLLOUT_ANNOTATION.retry}=${retry})`,
      });
    }
  }

  let rollback = previous?.rollback;
  let previousRevision = previous?.previousRevision;
  let promotedAt = parseTime(previous?.promotedAt);
  let pinned = previous?.pinned;
  let activeHash = served;
  let checks: RolloutChecks | undefined =
    previous?.checks?.revision === specHash ? previous.checks : undefined;
  let startedAt = parseTime(previous?.startedAt);

  const steadyPhase: RolloutPhase = previous?.phase ?? (served === specHash ? "Active" : "Deploying");
  const step = new Step(steadyPhase, parseTime(previous?.phaseSince) ?? now);
  // A phase that does not change keeps saying why it is what it is.
  step.message = previous?.message ?? "";

  const fail = (failure: RolloutFailure) => {
    failed.add(specHash);
    rollback = {
      from: specHash,
      to: served ?? "",
      reason: failure.reason,
      message: failure.message,
      at: formatTime(now),
    };
    const outcome = served
      ? `${failure.reason}: ${failure.message}; revision ${served} keeps serving. Revert the ModelDeployment ` +
        `spec in git, or fix the model and change its version (or set ${ROLLOUT_ANNOTATION.retry})`
      : `${failure.reason}: ${failure.message}; no revision serves. Fix the model and change its version ` +
        `(or set ${ROLLOUT_ANNOTATION.retry})`;
    step.enter(served ? "RolledBack" : "Failed", now, outcome);
    step.replicas[specHash] = 0;
  };

  if (served === specHash) {
    // The spec's revision serves: Active, unless a manual rollback moves traffic back.
    const request = pendingRequest(annotations, handled, "rollback");
    const target = previousRevision !== specHash ? previousRevision : undefined;
    step.enter("Active", now, `revision ${specHash} serves`);
    if (request && target && byHash.has(target)) {
      step.replicas[target] = size;
      if (isAvailableAt(byHash.get(target), size)) {
        handled.rollback = request;
        failed.add(specHash);
        activeHash = target;
        pinned = true;
        const message =
          `traffic moved back to revision ${target} by ${ROLLOUT_ANNOTATION.rollback}; the spec still names ` +
          `revision ${specHash}. Revert the ModelDeployment spec in git to match, or set ` +
          `${ROLLOUT_ANNOTATION.retry} to roll ${specHash} out again`;
        rollback = {
          from: specHash,
          to: target,
          reason: ROLLOUT_REASON.manualRollback,
          message,
          at: formatTime(now),
        };
        previousRevision = undefined;
        promotedAt = undefined;
        step.enter("RolledBack", now, message);
        step.replicas[specHash] = 0;
      } else {
        step.message = `rolling back: waiting for revision ${target} to be available at ${size} replicas`;
      }
    } else {
      if (request) {
        handled.rollback = request;
        events.push({
          type: "Warning",
          reason: "RollbackUnavailable",
          message: `no retained previous revision to roll back to; revision ${specHash} keeps serving`,
        });
      }
      if (!autoscaled) step.replicas[specHash] = size;
    }
  } else if (failed.has(specHash)) {
    // Rolled back or failed before: not retried until the spec changes or retry is set.
    if (step.phase !== "RolledBack" && step.phase !== "Failed") {
      step.enter(
        served ? "RolledBack" : "Failed",
        now,
        previous?.message ?? `revision ${specHash} failed before`,
      );
    }
    step.replicas[specHash] = 0;
    if (served && !autoscaled) step.replicas[served] = size;
  } else {
    // A rollout of the spec's revision, started now or resumed.
    const fresh = previous?.previewRevision !== specHash || !IN_PROGRESS.has(previous.phase);
    if (fresh) {
      startedAt = now;
      checks = undefined;
      rollback = undefined;
      step.phase = "Active"; // so that entering Deploying records the transition
      step.enter(
        "Deploying",
        now,
        `deploying revision ${specHash}` + (served ? `; revision ${served} keeps serving` : ""),
      );
    }
    if (served && !autoscaled) step.replicas[served] = size;
    const preview = byHash.get(specHash);
    const previewSize = served ? strategy.previewReplicas : Math.max(size, 1);
    const deadline = strategy.progressDeadlineSeconds * 1000;
    const abort = pendingRequest(annotations, handled, "abort");
    const failure = previewFailure(input.previewPods);

    if (abort) {
      handled.abort = abort;
      fail({ reason: ROLLOUT_REASON.aborted, message: `aborted by ${ROLLOUT_ANNOTATION.abort}=${abort}` });
    } else if (failure) {
      fail(failure);
    }

    if (step.phase === "Deploying") {
      step.replicas[specHash] = previewSize;
      const progress = preview ? deploymentProgress(preview) : undefined;
      if (isAvailableAt(preview, previewSize)) {
        step.enter("Verifying", now, `running the quality gate against revision ${specHash}`);
      } else if (progress?.state === "ProgressDeadlineExceeded" || now - step.phaseSince >= deadline) {
        fail({
          reason: ROLLOUT_REASON.progressDeadlineExceeded,
          message:
            `revision ${specHash} was not available within ${strategy.progressDeadlineSeconds}s` +
            (progress ? `: ${progress.message}` : ""),
        });
      } else {
        step.message = progress?.message ?? `creating revision ${specHash}`;
        step.wakeAt.push(step.phaseSince + deadline);
      }
    }

    if (step.phase === "Verifying") {
      step.replicas[specHash] = previewSize;
      if (!strategy.hasChecks) {
        checks = {
          passed: 0,
          failed: 0,
          ranAt: formatTime(now),
          revision: specHash,
          policyGeneration: input.policyGeneration,
          verdict: "Passed",
          message: "no quality gate configured",
        };
      } else if (
        input.gate &&
        input.gate.revision === specHash &&
        input.gate.policyGeneration === input.policyGeneration
      ) {
        checks = checksStatus(input.gate);
      } else if (checks && checks.policyGeneration !== input.policyGeneration) {
        // The Policy changed while verifying: a result under another Policy says nothing.
        checks = undefined;
      }
      const complete = checks?.revision === specHash && checks.policyGeneration === input.policyGeneration;
      if (complete && checks?.verdict === "Passed") {
        step.enter("AwaitingPromotion", now, `quality gate passed: ${checks.message ?? ""}`);
      } else if (complete && checks?.verdict === "Failed") {
        fail({ reason: ROLLOUT_REASON.qualityGateFailed, message: checks.message ?? "quality gate failed" });
      } else if (now - step.phaseSince >= deadline) {
        fail({
          reason: ROLLOUT_REASON.progressDeadlineExceeded,
          message:
            `the quality gate did not complete within ${strategy.progressDeadlineSeconds}s` +
            (input.gateError ? `: ${input.gateError.message}` : ""),
        });
      } else {
        step.runGate = true;
        step.message =
          `running the quality gate against revision ${specHash}` +
          (input.gateError ? ` (last attempt: ${input.gateError.message})` : "");
        step.wakeAt.push(now + GATE_POLL_MS);
      }
    }

    if (step.phase === "AwaitingPromotion") {
      step.replicas[specHash] = previewSize;
      const promote = pendingRequest(annotations, handled, "promote");
      const autoAt = step.phaseSince + strategy.autoPromotionSeconds * 1000;
      if (!served) {
        // A first rollout has nothing to protect by waiting: it was verified, nothing serves yet.
        step.enter("Promoting", now, `promoting revision ${specHash}: the first revision of this service`);
      } else if (promote) {
        handled.promote = promote;
        step.enter(
          "Promoting",
          now,
          `promoting revision ${specHash} (${ROLLOUT_ANNOTATION.promote}=${promote})`,
        );
      } else if (strategy.autoPromotion && now >= autoAt) {
        step.enter("Promoting", now, `promoting revision ${specHash}: scaling it to ${size} replicas`);
      } else if (strategy.autoPromotion) {
        step.message = `quality gate passed; promoting revision ${specHash} at ${formatTime(autoAt)}`;
        step.wakeAt.push(autoAt);
      } else {
        step.message =
          `quality gate passed; waiting for ${ROLLOUT_ANNOTATION.promote} ` +
          `(vigil promote ${service.metadata?.name ?? ""})`;
      }
    }

    if (step.phase === "Promoting") {
      // Serving size first, traffic second: the selector moves only to a revision that can carry it.
      step.replicas[specHash] = size;
      if (isAvailableAt(preview, size)) {
        previousRevision = served;
        promotedAt = now;
        activeHash = specHash;
        pinned = undefined;
        step.enter("Active", now, `revision ${specHash} serves` + (served ? `, replacing ${served}` : ""));
        if (autoscaled) delete step.replicas[specHash];
        // The replaced revision keeps its pods through the scale-down delay (handled below).
        if (served) delete step.replicas[served];
      } else if (now - step.phaseSince >= deadline) {
        fail({
          reason: ROLLOUT_REASON.progressDeadlineExceeded,
          message: `revision ${specHash} did not reach ${size} available replicas within ${strategy.progressDeadlineSeconds}s`,
        });
      } else {
        step.message = `promoting revision ${specHash}: ${preview ? deploymentProgress(preview).message : "waiting"}`;
        step.wakeAt.push(step.phaseSince + deadline);
      }
    }
  }

  // Revisions other than the active and the spec's: the one replaced last stays scaled for
  // scaleDownDelaySeconds (an instant rollback target), then everything is scaled to zero and
  // kept up to the history limit, newest first.
  const scaleDownAt =
    promotedAt !== undefined ? promotedAt + strategy.scaleDownDelaySeconds * 1000 : undefined;
  const retained = [...byHash.entries()]
    .filter(([hash]) => hash !== activeHash && hash !== specHash)
    .sort(
      ([, a], [, b]) =>
        (parseTime(b.metadata?.creationTimestamp as string | undefined) ?? 0) -
        (parseTime(a.metadata?.creationTimestamp as string | undefined) ?? 0),
    );
  const prune: string[] = [];
  let kept = 0;
  for (const [hash, deployment] of retained) {
    const delayed = hash === previousRevision && scaleDownAt !== undefined && now < scaleDownAt;
    if (delayed) {
      step.wakeAt.push(scaleDownAt);
      continue;
    }
    if (hash !== previousRevision && kept >= strategy.revisionHistoryLimit) {
      prune.push(deployment.metadata?.name ?? "");
      continue;
    }
    if (hash !== previousRevision) kept += 1;
    if ((deployment.spec?.replicas ?? 1) > 0 && step.replicas[hash] === undefined) {
      events.push({
        type: "Normal",
        reason: "RevisionScaledDown",
        message: `revision ${hash} scaled to zero and kept for rollback`,
      });
    }
    step.replicas[hash] ??= 0;
  }

  const status: RolloutStatus = compact({
    phase: step.phase,
    activeRevision: activeHash,
    previewRevision: activeHash !== specHash ? specHash : undefined,
    previousRevision,
    startedAt: startedAt !== undefined ? formatTime(startedAt) : undefined,
    phaseSince: formatTime(step.phaseSince),
    promotedAt: promotedAt !== undefined ? formatTime(promotedAt) : undefined,
    message: step.message,
    checks,
    rollback,
    handled: Object.keys(handled).length > 0 ? handled : undefined,
    failedRevisions: failed.size > 0 ? [...failed].slice(-FAILED_REVISIONS_KEPT) : undefined,
    pinned,
  });
  const wake = step.wakeAt.filter((t) => Number.isFinite(t)).map((t) => Math.max(t - now, 1));
  return {
    status,
    ...(activeHash !== undefined && { activeHash }),
    previewHash: activeHash !== undefined && failed.has(specHash) ? activeHash : specHash,
    replicas: step.replicas,
    prune,
    runGate: step.runGate,
    events: [...events, ...step.events],
    ...(wake.length > 0 && { requeueAfterMs: Math.min(...wake) }),
  };
}
