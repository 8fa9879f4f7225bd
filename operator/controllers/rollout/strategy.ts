// The blue-green settings of a ModelDeployment after defaulting. A ModelDeployment without
// spec.strategy.blueGreen rolls out the same way with the defaults and no quality gate: one
// mechanism, so a model change never moves traffic to a revision that is not at the serving
// size and available (the operator before blue-green switched to a one-pod preview).
import type { ModelDeployment } from "../../../crds/index.js";
import { resolveModel } from "../../desired/index.js";

export interface RolloutStrategy {
  previewReplicas: number;
  autoPromotion: boolean;
  autoPromotionSeconds: number;
  scaleDownDelaySeconds: number;
  progressDeadlineSeconds: number;
  minPassRate: number;
  maxP95LatencyMs?: number;
  /** Whether a quality gate is configured (inline samples or a ConfigMap). */
  hasChecks: boolean;
  revisionHistoryLimit: number;
}

export function rolloutStrategy(model: ModelDeployment): RolloutStrategy {
  const resolved = resolveModel(model);
  const checks = model.spec.strategy?.blueGreen?.checks;
  return {
    ...resolved.blueGreen,
    ...(checks?.maxP95LatencyMs !== undefined && { maxP95LatencyMs: checks.maxP95LatencyMs }),
    hasChecks: (checks?.samples?.length ?? 0) > 0 || checks?.samplesConfigMapRef !== undefined,
    revisionHistoryLimit: resolved.revisionHistoryLimit,
  };
}
