// The ModerationService reconciler: read the service, its ModelDeployment and Policy from the
// caches; if they are missing or the Policy is invalid, say so in status and leave the
// children as they are (they keep serving); otherwise converge the children, then write the
// status computed from what was observed, and record Events for the transitions.
//
// Deletion needs no finalizer: every child carries a controller ownerReference, so the
// garbage collector removes them with the service. Backup data on the backup PVC is not a
// child and stays by design (a deleted service must not take its backups with it).
import type { ReconcileContext, ReconcileOutcome, ControllerDefinition } from "../core/controller.js";
import { reconcileBackups } from "./backup-reconcile.js";
import { isDeleting } from "../core/finalizers.js";
import { deepEqual } from "../core/objectdiff.js";
import { Kinds } from "../core/kinds.js";
import type { LiveModelDeployment, LiveModerationService, LivePolicy } from "./live-objects.js";
import {
  convergeChildren,
  observeChildren,
  type Convergence,
  type ObservedChildren,
} from "./moderationservice-children.js";
import type { PodPolicyProber } from "./policy-applied/pod-policy-prober.js";
import { servicePolicyStatus } from "./policy-applied/service-policy-status.js";
import type { ServicePolicyStatus } from "../../crds/index.js";
import type { V1Pod } from "@kubernetes/client-node";
import {
  computeServiceStatus,
  isConditionWarning,
  SERVICE_REASON,
  transitionEvents,
  type Problem,
  type ServiceStatusInput,
} from "./moderationservice-status.js";
import { invalidPolicyMessage, validatePolicy } from "./policy-status.js";
import { modelDeploymentReference, policyReference } from "./references.js";
import { servingFacts } from "./serving-facts.js";
import type { QualityGateRunner } from "./rollout/gate-runner.js";
import { qualityGateKey } from "./rollout/gate-key.js";
import { decideServiceRollout, recordRollout } from "./rollout/reconcile-rollout.js";
import type { RolloutDecision } from "./rollout/state-machine.js";
import { APP_NAME } from "../desired/labels.js";
import { LABEL } from "../desired/index.js";
import { CONFLICT_REQUEUE_MS, writeStatus } from "./status-write.js";
import type { VerticalPodAutoscalerDiscovery } from "./vpa-discovery.js";

export const MODEL_REF_INDEX = "spec.modelRef";
/** After recording a rollout state: its own watch event normally comes first. */
const ROLLOUT_RECHECK_MS = 1_000;
export const POLICY_REF_INDEX = "spec.policyRef";

export interface ModerationServiceControllerOptions {
  vpa: VerticalPodAutoscalerDiscovery;
  /** Runs the blue-green quality gates in the background. */
  gate: QualityGateRunner;
  /** Cluster DNS suffix for status.endpoint. Default: cluster.local. */
  clusterDomain?: string;
  /** Asks each ready pod which Policy generation it applies (status.policy). */
  policyProber: PodPolicyProber;
}

/** Pods that take traffic: kubelet says Ready and they are not going away. */
function readyPods(observed: ObservedChildren): V1Pod[] {
  return observed.pods.filter(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
}

/** status.policy: what the ready pods report applying, for a Policy the pods can be given. */
function policyApplication(
  ctx: ReconcileContext,
  options: ModerationServiceControllerOptions,
  service: LiveModerationService,
  observed: ObservedChildren,
  policy: LivePolicy | undefined,
  problems: readonly Problem[],
): ServicePolicyStatus | undefined {
  if (!policy || problems.some((p) => p.reason === SERVICE_REASON.policyInvalid)) {
    // Nothing the pods could be asked to apply: stop asking them.
    options.policyProber.forget(ctx.key);
    return undefined;
  }
  const pods = readyPods(observed);
  const generation = policy.metadata?.generation ?? 0;
  const reports = options.policyProber.observe(ctx.key, pods, generation);
  return servicePolicyStatus(
    generation,
    pods.map((p) => p.metadata?.name ?? ""),
    reports,
    service.status?.policy,
  );
}

function referenceProblems(
  service: LiveModerationService,
  model: LiveModelDeployment | undefined,
  policy: LivePolicy | undefined,
): Problem[] {
  const problems: Problem[] = [];
  if (!model) {
    problems.push({
      reason: SERVICE_REASON.modelDeploymentNotFound,
      message: `ModelDeployment ${service.spec.modelRef.name} (spec.modelRef) does not exist in namespace ${service.metadata?.namespace}`,
    });
  }
  if (!policy) {
    problems.push({
      reason: SERVICE_REASON.policyNotFound,
      message: `Policy ${service.spec.policyRef.name} (spec.policyRef) does not exist in namespace ${service.metadata?.namespace}`,
    });
  } else {
    const errors = validatePolicy(policy);
    if (errors.length > 0) {
      problems.push({ reason: SERVICE_REASON.policyInvalid, message: invalidPolicyMessage(policy, errors) });
    }
  }
  return problems;
}

async function reconcileService(
  ctx: ReconcileContext,
  options: ModerationServiceControllerOptions,
): Promise<ReconcileOutcome | void> {
  const service = ctx.cache<LiveModerationService>(Kinds.ModerationService).get(ctx.name, ctx.namespace);
  // Gone or going: the garbage collector takes the children (see the file comment).
  if (!service?.metadata?.uid || isDeleting(service)) {
    options.policyProber.forget(ctx.key);
    return;
  }
  const namespace = service.metadata.namespace ?? "";
  const model = ctx
    .cache<LiveModelDeployment>(Kinds.ModelDeployment)
    .get(service.spec.modelRef.name, namespace);
  const policy = ctx.cache<LivePolicy>(Kinds.Policy).get(service.spec.policyRef.name, namespace);
  const observed = observeChildren(ctx, service);

  const problems = referenceProblems(service, model, policy);
  let result: Convergence | undefined;
  let decision: RolloutDecision | undefined;
  if (problems.length === 0 && model && policy) {
    // With runtime auth on, the pods mount the gate's key and the gate sends it: the Secret must
    // exist before the first pod of any revision can start.
    const auth = service.spec.runtime?.auth;
    const gateApiKey = auth?.apiKeysSecretRef || auth?.jwt ? await qualityGateKey(ctx, service) : undefined;
    decision = decideServiceRollout(
      ctx,
      { service, model, policy, ...(gateApiKey && { gateApiKey }) },
      observed,
      options.gate,
    );
    // A new rollout state is recorded before any child acts on it, under the optimistic lock:
    // a decision made from a stale cached status loses the write (409) and changes nothing,
    // so replicas never go back and forth between a stale phase and the current one. The
    // status event brings the next reconcile, which decides the same and converges.
    if (!deepEqual(service.status?.rollout ?? null, decision.status)) {
      const recorded = { ...service.status, rollout: decision.status };
      const outcome = await writeStatus(ctx.client, Kinds.ModerationService, service, recorded);
      if (outcome === "written") recordRollout(ctx, service, decision);
      return { requeueAfterMs: outcome === "conflict" ? CONFLICT_REQUEUE_MS : ROLLOUT_RECHECK_MS };
    }
    result = await convergeChildren(ctx, { service, model, policy }, observed, options, decision);
    for (const action of result.actions)
      ctx.recorder.record(service, "Normal", action.reason, action.message);
  }
  const input: ServiceStatusInput = {
    service,
    now: ctx.clock.now(),
    problems: result?.problems ?? problems,
    ...(result?.warnings && { warnings: result.warnings }),
    ...servingFacts(
      service,
      model,
      observed,
      options.clusterDomain,
      result && decision && { result, decision },
    ),
  };

  const policyStatus = policyApplication(ctx, options, service, observed, policy, problems);
  const computed = { ...computeServiceStatus(input), policy: policyStatus };
  const backup = await reconcileBackups(ctx, service, computed);
  const status = backup.status;
  const outcome = await writeStatus(ctx.client, Kinds.ModerationService, service, status);
  if (outcome === "conflict") return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  if (decision) recordRollout(ctx, service, { ...decision, events: [] });
  if (outcome === "written") {
    backup.recordWritten();
    for (const event of transitionEvents(service.status?.conditions, status.conditions ?? [])) {
      ctx.recorder.record(service, event.type, event.reason, event.message);
    }
    // Warnings without a condition of their own are told once per generation.
    if (service.status?.observedGeneration !== service.metadata.generation) {
      for (const warning of result?.warnings?.filter((w) => !isConditionWarning(w)) ?? []) {
        ctx.recorder.record(service, "Warning", warning.reason, warning.message);
      }
    }
  }
  // Without the VPA CRD, look again once discovery's answer expires: it may have been installed.
  // Backups: BackupStale turns on with the clock; a backup-now request may wait for its CronJob.
  const requeues = [decision?.requeueAfterMs, backup.requeueAfterMs];
  if (service.spec.verticalAutoscaling && result && !result.vpaServed) requeues.push(options.vpa.ttlMs);
  const next = requeues.filter((ms): ms is number => ms !== undefined);
  if (next.length > 0) return { requeueAfterMs: Math.min(...next) };
}

export function moderationServiceController(
  options: ModerationServiceControllerOptions,
): ControllerDefinition<LiveModerationService> {
  return {
    name: "moderationservice",
    for: Kinds.ModerationService,
    owns: [
      Kinds.ServiceAccount,
      Kinds.NetworkPolicy,
      Kinds.ConfigMap,
      Kinds.Deployment,
      Kinds.Service,
      Kinds.PodDisruptionBudget,
      Kinds.HorizontalPodAutoscaler,
      Kinds.CronJob,
      // On-demand backup Jobs; scheduled ones belong to the CronJob, whose status changes with them.
      Kinds.Job,
    ],
    references: [modelDeploymentReference(MODEL_REF_INDEX), policyReference(POLICY_REF_INDEX)],
    // Pods belong to ReplicaSets; their labels name the service. The rollout reads their
    // scheduling, crash loops and fetch-model termination messages.
    watches: [
      {
        kind: Kinds.Pod,
        primaryKeys: (pod) => {
          const labels = pod.metadata?.labels;
          const instance = labels?.[LABEL.instance];
          return instance && labels?.[LABEL.name] === APP_NAME
            ? [`${pod.metadata?.namespace}/${instance}`]
            : [];
        },
      },
    ],
    sources: [options.policyProber],
    reconcile: (_key, ctx) => reconcileService(ctx, options),
  };
}
