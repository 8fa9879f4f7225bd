// The rollout's part of a ModerationService reconcile: gather the state machine's input from
// the caches (revision Deployments, the spec revision's pods, the HPA, the active Service's
// selector, the gate runner), decide, start the gate when the decision asks for it, and after
// the status write record Events and metrics for what changed.
import type { RolloutStatus } from "../../../crds/index.js";
import type { ReconcileContext } from "../../core/controller.js";
import { Kinds } from "../../core/kinds.js";
import type { KubeObject } from "../../core/kubeclient.js";
import { childNames, LABEL, resolveService, revisionHash } from "../../desired/index.js";
import { ARTIFACT_FAILURE_REASONS } from "../../desired/runtime-contract.js";
import { artifactVerdict } from "../artifact-status.js";
import type { LiveModelDeployment, LiveModerationService, LivePolicy } from "../live-objects.js";
import { podsOf, type ObservedChildren } from "../moderationservice-children.js";
import type { QualityGateRunner } from "./gate-runner.js";
import { gateSamples, SamplesError } from "./samples.js";
import { decideRollout, type RolloutDecision } from "./state-machine.js";
import { rolloutStrategy } from "./strategy.js";
import { ROLLOUT_PHASES } from "../../../crds/index.js";

export interface RolloutRefs {
  service: LiveModerationService;
  model: LiveModelDeployment;
  policy: LivePolicy;
  /** The quality gate's API key, when the runtime asks for credentials. */
  gateApiKey?: string;
}

/** What fetch-model reported for the spec's revision; kept from status while its pods are gone. */
function artifactStatus(
  observed: ObservedChildren,
  specHash: string,
  previous: RolloutStatus | undefined,
): RolloutStatus["artifact"] {
  const verdict = artifactVerdict(podsOf(observed, specHash));
  if (verdict.state === "Failed") {
    return { revision: specHash, state: "Failed", reason: verdict.reason, message: verdict.message };
  }
  if (verdict.state === "Verified") {
    return { revision: specHash, state: "Verified", ...(verdict.sha256 && { sha256: verdict.sha256 }) };
  }
  return previous?.artifact?.revision === specHash ? previous.artifact : undefined;
}

export function decideServiceRollout(
  ctx: ReconcileContext,
  refs: RolloutRefs,
  observed: ObservedChildren,
  runner: QualityGateRunner,
): RolloutDecision {
  const { service, model, policy } = refs;
  const namespace = service.metadata?.namespace ?? "";
  const serviceKey = `${namespace}/${service.metadata?.name ?? ""}`;
  const specHash = revisionHash(model);
  const strategy = rolloutStrategy(model);
  const policyGeneration = policy.metadata?.generation ?? 0;
  const resolved = resolveService(service, ctx.settings.runtimeImage);
  const hpa = observed.horizontalPodAutoscaler;
  const polled = runner.peek(serviceKey, specHash, policyGeneration);

  const decision = decideRollout({
    now: ctx.clock.now(),
    service,
    specHash,
    strategy,
    policyGeneration,
    ...(observed.activeService?.spec?.selector?.[LABEL.revision] !== undefined && {
      selected: observed.activeService.spec.selector[LABEL.revision],
    }),
    deployments: observed.deployments,
    previewPods: podsOf(observed, specHash),
    ...(resolved.autoscaling
      ? {
          autoscaling: {
            minReplicas: resolved.autoscaling.minReplicas,
            ...(hpa?.status?.currentReplicas !== undefined && {
              currentReplicas: hpa.status.currentReplicas,
            }),
          },
        }
      : { replicas: resolved.replicas ?? 0 }),
    ...(polled.result && { gate: polled.result }),
    ...(polled.error && { gateError: polled.error }),
  });

  const artifact = artifactStatus(observed, specHash, service.status?.rollout);
  decision.status = { ...decision.status, ...(artifact && { artifact }) };

  const checks = model.spec.strategy?.blueGreen?.checks;
  if (decision.runGate && checks) {
    try {
      const ref = checks.samplesConfigMapRef;
      const configMap = ref
        ? ctx.cache<KubeObject & { data?: Record<string, string> }>(Kinds.ConfigMap).get(ref.name, namespace)
        : undefined;
      runner.start(serviceKey, {
        namespace,
        previewService: childNames(service.metadata?.name ?? "").previewService,
        revision: specHash,
        policyGeneration,
        samples: gateSamples(checks, configMap?.data),
        minPassRate: strategy.minPassRate,
        ...(strategy.maxP95LatencyMs !== undefined && { maxP95LatencyMs: strategy.maxP95LatencyMs }),
        ...(refs.gateApiKey && { apiKey: refs.gateApiKey }),
      });
    } catch (err) {
      if (!(err instanceof SamplesError)) throw err;
      runner.fail(serviceKey, { revision: specHash, policyGeneration, message: err.message });
    }
  } else if (!decision.runGate) {
    runner.forget(serviceKey);
  }
  return decision;
}

/** Events and metrics for a rollout decision whose status was written. */
export function recordRollout(
  ctx: ReconcileContext,
  service: LiveModerationService,
  decision: RolloutDecision,
): void {
  const namespace = service.metadata?.namespace ?? "";
  const name = service.metadata?.name ?? "";
  for (const event of decision.events) ctx.recorder.record(service, event.type, event.reason, event.message);
  for (const phase of ROLLOUT_PHASES) {
    ctx.metrics.rolloutPhase.set({ namespace, name, phase }, phase === decision.status.phase ? 1 : 0);
  }
  const before = service.status?.rollout?.rollback;
  const after = decision.status.rollback;
  if (after && (before?.at !== after.at || before.from !== after.from)) {
    ctx.metrics.rollbacks.inc({ namespace, name, reason: after.reason });
    if ((ARTIFACT_FAILURE_REASONS as readonly string[]).includes(after.reason)) {
      ctx.metrics.artifactFailures.inc({ namespace, name, reason: after.reason });
    }
  }
}
