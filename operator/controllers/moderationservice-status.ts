// ModerationService status, computed purely from what the reconciler observed: the problems
// that stopped it, the serving revision's Deployment, the incoming one during a model change,
// and the spec warnings. Ready / Progressing / Degraded follow kstatus: Ready only when the
// current generation is fully rolled out and serving, Progressing while converging, Degraded
// when a human has to act. Warning conditions exist only while their warning holds.
import type { Condition, ModerationServiceStatus, RolloutStatus } from "../../crds/index.js";
import { removeCondition, setConditions, type ConditionInput } from "../core/conditions.js";
import type { EventType } from "../core/events.js";
import type { DesiredWarning } from "../desired/index.js";
import { deploymentProgress } from "./deployment-progress.js";
import type { LiveDeployment, LiveModerationService } from "./live-objects.js";

export const SERVICE_CONDITION = {
  ready: "Ready",
  progressing: "Progressing",
  degraded: "Degraded",
  verticalAutoscalingUnavailable: "VerticalAutoscalingUnavailable",
  disruptionBudgetAtRisk: "DisruptionBudgetAtRisk",
} as const;

export const SERVICE_REASON = {
  modelDeploymentNotFound: "ModelDeploymentNotFound",
  policyNotFound: "PolicyNotFound",
  policyInvalid: "PolicyInvalid",
  invalidSpec: "InvalidSpec",
  childNotOwned: "ChildNotOwned",
  progressDeadlineExceeded: "ProgressDeadlineExceeded",
  insufficientReplicas: "InsufficientReplicas",
  rolling: "Rolling",
  serving: "Serving",
  scaledToZero: "ScaledToZero",
  rolloutComplete: "RolloutComplete",
  asExpected: "AsExpected",
} as const;

/** Spec warnings (from the builders) that are shown as conditions, by warning reason. */
const WARNING_CONDITION: Record<string, string> = {
  VerticalPodAutoscalerUnavailable: SERVICE_CONDITION.verticalAutoscalingUnavailable,
  DisruptionBudgetBlocksDrains: SERVICE_CONDITION.disruptionBudgetAtRisk,
  SingleReplicaUnprotected: SERVICE_CONDITION.disruptionBudgetAtRisk,
};

export function isConditionWarning(warning: DesiredWarning): boolean {
  return warning.reason in WARNING_CONDITION;
}

/** Something that stops the service from converging and needs a human (Degraded). */
export interface Problem {
  /** CamelCase condition reason, e.g. PolicyNotFound. */
  reason: string;
  message: string;
}

export interface ServiceStatusInput {
  service: LiveModerationService;
  now: number;
  /** Most important first; the first one names the reason. */
  problems: readonly Problem[];
  /** The revision the active Service selects, with its live Deployment. */
  serving?: { deployment: LiveDeployment; modelVersion: string };
  /** The spec's revision while it comes up beside the serving one (a model change). */
  incoming?: LiveDeployment;
  endpoint?: string;
  previewEndpoint?: string;
  /** The blue-green rollout as just decided; absent when nothing was converged (kept from status). */
  rollout?: RolloutStatus;
  /** Spec warnings; undefined when they could not be evaluated (previous ones are kept). */
  warnings?: readonly DesiredWarning[];
}

interface Verdict {
  ready: Omit<ConditionInput, "type" | "observedGeneration">;
  progressing: Omit<ConditionInput, "type" | "observedGeneration">;
  degraded: Omit<ConditionInput, "type" | "observedGeneration">;
}

const healthy = { status: "False", reason: SERVICE_REASON.asExpected, message: "" } as const;

const ROLLING_PHASES = new Set(["Deploying", "Verifying", "AwaitingPromotion", "Promoting"]);

/**
 * The rollout's word on the conditions: Progressing while a revision rolls out (Ready stays
 * True as long as a verified revision serves), Degraded after a rollback until the spec
 * changes, Ready False on a first rollout that failed.
 */
function rolloutVerdict(input: ServiceStatusInput, serving: Verdict): Verdict {
  const rollout = input.rollout;
  if (!rollout) return serving;
  const message = rollout.message ?? "";
  if (ROLLING_PHASES.has(rollout.phase)) {
    return {
      ready: input.serving ? serving.ready : { status: "False", reason: rollout.phase, message },
      progressing: { status: "True", reason: rollout.phase, message },
      degraded: serving.degraded.status === "True" ? serving.degraded : healthy,
    };
  }
  if ((rollout.phase === "RolledBack" || rollout.phase === "Failed") && rollout.rollback) {
    const reason = rollout.rollback.reason;
    return {
      ready: input.serving ? serving.ready : { status: "False", reason, message },
      progressing: { status: "False", reason, message },
      degraded: { status: "True", reason, message },
    };
  }
  return serving;
}

function verdict(input: ServiceStatusInput): Verdict {
  const [first] = input.problems;
  if (first) return servingVerdict(input);
  return rolloutVerdict(input, servingVerdict(input));
}

function servingVerdict(input: ServiceStatusInput): Verdict {
  const [first] = input.problems;
  if (first) {
    const message = input.problems.map((p) => p.message).join("; ");
    return {
      ready: { status: "False", reason: first.reason, message },
      progressing: { status: "False", reason: first.reason, message },
      degraded: { status: "True", reason: first.reason, message },
    };
  }
  const target = input.incoming ?? input.serving?.deployment;
  if (!target) {
    const message = "waiting for the revision Deployment to be created";
    return {
      ready: { status: "False", reason: SERVICE_REASON.rolling, message },
      progressing: { status: "True", reason: SERVICE_REASON.rolling, message },
      degraded: healthy,
    };
  }
  const progress = deploymentProgress(target);
  const serving = input.serving?.deployment.metadata?.name;
  const incomingNote =
    input.incoming && serving ? `; revision ${serving} keeps serving until it is ready` : "";
  switch (progress.state) {
    case "ProgressDeadlineExceeded": {
      const message = progress.message + incomingNote;
      return {
        ready: { status: "False", reason: SERVICE_REASON.progressDeadlineExceeded, message },
        progressing: { status: "False", reason: SERVICE_REASON.progressDeadlineExceeded, message },
        degraded: { status: "True", reason: SERVICE_REASON.progressDeadlineExceeded, message },
      };
    }
    case "InsufficientReplicas":
      return {
        ready: { status: "False", reason: SERVICE_REASON.insufficientReplicas, message: progress.message },
        progressing: {
          status: "True",
          reason: SERVICE_REASON.insufficientReplicas,
          message: progress.message,
        },
        degraded: healthy,
      };
    case "Rolling":
      return {
        ready: { status: "False", reason: SERVICE_REASON.rolling, message: progress.message + incomingNote },
        progressing: {
          status: "True",
          reason: SERVICE_REASON.rolling,
          message: progress.message + incomingNote,
        },
        degraded: healthy,
      };
    case "Available": {
      if (input.incoming) {
        // Available but not promoted yet: traffic switches on the next reconcile.
        const message = `revision ${target.metadata?.name ?? ""} is available; switching traffic to it`;
        return {
          ready: { status: "False", reason: SERVICE_REASON.rolling, message },
          progressing: { status: "True", reason: SERVICE_REASON.rolling, message },
          degraded: healthy,
        };
      }
      const reason = progress.desired === 0 ? SERVICE_REASON.scaledToZero : SERVICE_REASON.serving;
      return {
        ready: { status: "True", reason, message: progress.message },
        progressing: { status: "False", reason: SERVICE_REASON.rolloutComplete, message: progress.message },
        degraded: healthy,
      };
    }
  }
}

function warningConditions(
  previous: readonly Condition[],
  warnings: readonly DesiredWarning[] | undefined,
  generation: number,
  now: number,
): Condition[] {
  if (!warnings) return [...previous];
  let conditions = [...previous];
  for (const type of new Set(Object.values(WARNING_CONDITION))) {
    const holding = warnings.filter((w) => WARNING_CONDITION[w.reason] === type);
    const [first] = holding;
    conditions = first
      ? setConditions(
          conditions,
          [
            {
              type,
              status: "True",
              reason: first.reason,
              message: holding.map((w) => w.message).join("; "),
              observedGeneration: generation,
            },
          ],
          now,
        )
      : removeCondition(conditions, type);
  }
  return conditions;
}

/**
 * `k=v,k=v` with the keys sorted: the string form of a matchLabels selector as /scale reports
 * it (labels.SelectorFromSet). Sorted, so it does not depend on the order a server returns the
 * map in (kube-apiserver sorts map keys; the emulator keeps insertion order).
 */
export function selectorString(matchLabels: Record<string, string> | undefined): string | undefined {
  if (!matchLabels || Object.keys(matchLabels).length === 0) return undefined;
  return Object.entries(matchLabels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** The ModerationService's status (observedGeneration is added when it is written). */
export function computeServiceStatus(input: ServiceStatusInput): ModerationServiceStatus {
  const { service, now } = input;
  const generation = service.metadata?.generation ?? 0;
  const previous = service.status ?? {};
  const v = verdict(input);
  const main = setConditions(
    previous.conditions,
    [
      { type: SERVICE_CONDITION.ready, ...v.ready, observedGeneration: generation },
      { type: SERVICE_CONDITION.progressing, ...v.progressing, observedGeneration: generation },
      { type: SERVICE_CONDITION.degraded, ...v.degraded, observedGeneration: generation },
    ],
    now,
  );
  const conditions = warningConditions(main, input.warnings, generation, now);
  const deployment = input.serving?.deployment;
  return {
    // Fields other controllers own (lastBackup, policy rollout) are carried over unchanged.
    ...previous,
    ...(input.rollout && { rollout: input.rollout }),
    conditions,
    replicas: deployment ? (deployment.status?.replicas ?? 0) : undefined,
    readyReplicas: deployment ? (deployment.status?.readyReplicas ?? 0) : undefined,
    selector: selectorString(deployment?.spec?.selector?.matchLabels),
    endpoint: input.endpoint,
    previewEndpoint: input.previewEndpoint,
    activeRevision:
      deployment?.metadata?.name !== undefined && input.serving
        ? { name: deployment.metadata.name, modelVersion: input.serving.modelVersion }
        : undefined,
  };
}

export interface TransitionEvent {
  type: EventType;
  reason: string;
  message: string;
}

/**
 * Events for the transitions worth a line in `kubectl describe`: becoming Degraded (or
 * Degraded for a different reason) and becoming Ready. A steady state records nothing.
 */
export function transitionEvents(
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
): TransitionEvent[] {
  const find = (list: readonly Condition[] | undefined, type: string) => list?.find((c) => c.type === type);
  const events: TransitionEvent[] = [];
  const degraded = find(next, SERVICE_CONDITION.degraded);
  const wasDegraded = find(previous, SERVICE_CONDITION.degraded);
  if (
    degraded?.status === "True" &&
    (wasDegraded?.status !== "True" || wasDegraded.reason !== degraded.reason)
  ) {
    events.push({ type: "Warning", reason: degraded.reason, message: degraded.message });
  }
  const ready = find(next, SERVICE_CONDITION.ready);
  if (ready?.status === "True" && find(previous, SERVICE_CONDITION.ready)?.status !== "True") {
    events.push({ type: "Normal", reason: ready.reason, message: ready.message });
  }
  return events;
}
