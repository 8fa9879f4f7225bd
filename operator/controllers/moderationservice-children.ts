// Converging the children of one ModerationService: observe the revision Deployments, their
// pods, the Services and the HPA; build every desired child (pure builders) for the revision
// plan the rollout decided (operator/controllers/rollout/), server-side apply each one in
// order (so the active Service switches before the HPA and VPA retarget), scale the retained
// revisions through the scale subresource (they were built from an older ModelDeployment spec
// that is no longer known), then remove children of ours that are no longer desired: the HPA
// when autoscaling is switched off, the VPA when it is no longer asked for, and revisions past
// the history limit.
import { applyObject } from "../core/apply.js";
import type { ReconcileContext } from "../core/controller.js";
import { isNotFound } from "../core/errors.js";
import { Kinds, lookupKind, type ResourceKind } from "../core/kinds.js";
import type { KubeObject } from "../core/kubeclient.js";
import { isControlledBy } from "../core/ownership.js";
import {
  buildChildren,
  childNames,
  DesiredInputError,
  desiredWarnings,
  revisionHash,
  serviceEndpoints,
  type DesiredInput,
  type DesiredWarning,
} from "../desired/index.js";
import type {
  LiveHorizontalPodAutoscaler,
  LiveDeployment,
  LiveModelDeployment,
  LiveModerationService,
  LivePolicy,
  LiveService,
} from "./live-objects.js";
import { SERVICE_REASON, type Problem } from "./moderationservice-status.js";
import type { V1Pod } from "@kubernetes/client-node";
import { ContentType } from "../core/kubeclient.js";
import { LABEL } from "../desired/index.js";
import { revisionOfDeployment } from "./revisions.js";
import type { RolloutDecision } from "./rollout/state-machine.js";
import type { VerticalPodAutoscalerDiscovery } from "./vpa-discovery.js";

/** What exists now: the revision Deployments we control and the active Service, if ours. */
export interface ObservedChildren {
  deployments: LiveDeployment[];
  activeService?: LiveService;
  previewService?: LiveService;
  /** The HPA, when ours: its bounds and current size make the serving size. */
  horizontalPodAutoscaler?: LiveHorizontalPodAutoscaler;
  /** Runtime pods of this service, every revision. */
  pods: V1Pod[];
}

export function observeChildren(ctx: ReconcileContext, service: LiveModerationService): ObservedChildren {
  const uid = service.metadata?.uid ?? "";
  const namespace = service.metadata?.namespace;
  const names = childNames(service.metadata?.name ?? "");
  const services = ctx.cache<LiveService>(Kinds.Service);
  const ours = <T extends KubeObject>(obj: T | undefined) =>
    obj && isControlledBy(obj, uid) ? obj : undefined;
  return {
    deployments: ctx
      .cache<LiveDeployment>(Kinds.Deployment)
      .list(namespace)
      .filter((d) => isControlledBy(d, uid)),
    activeService: ours(services.get(names.activeService, namespace)),
    previewService: ours(services.get(names.previewService, namespace)),
    horizontalPodAutoscaler: ours(
      ctx
        .cache<LiveHorizontalPodAutoscaler>(Kinds.HorizontalPodAutoscaler)
        .get(names.horizontalPodAutoscaler, namespace),
    ),
    pods: ctx
      .cache<KubeObject>(Kinds.Pod)
      .list(namespace)
      .filter((p) => p.metadata?.labels?.[LABEL.instance] === service.metadata?.name) as V1Pod[],
  };
}

/** Pods of one revision. */
export function podsOf(observed: ObservedChildren, hash: string): V1Pod[] {
  return observed.pods.filter((p) => p.metadata?.labels?.[LABEL.revision] === hash);
}

/** A change of children worth an Event. */
export interface ChildAction {
  reason: "RevisionCreated" | "RevisionScaled" | "RevisionDeleted" | "ChildDeleted";
  message: string;
}

export interface Convergence {
  /** InvalidSpec or ChildNotOwned; empty when every child was applied. */
  problems: Problem[];
  /** Undefined when the children could not be built. */
  warnings?: DesiredWarning[];
  /** Owned revision Deployments after this reconcile (freshest copies). */
  deployments: LiveDeployment[];
  endpoint?: string;
  previewEndpoint?: string;
  vpaServed: boolean;
  actions: ChildAction[];
}

export interface ConvergeOptions {
  vpa: VerticalPodAutoscalerDiscovery;
  clusterDomain?: string;
}

function kindOf(child: KubeObject): ResourceKind {
  const kind = lookupKind(child.apiVersion ?? "", child.kind ?? "");
  if (!kind) throw new Error(`no resource declared for ${child.apiVersion} ${child.kind}`);
  return kind;
}

async function deleteIfControlled(
  ctx: ReconcileContext,
  kind: ResourceKind,
  live: KubeObject | undefined,
  uid: string,
): Promise<boolean> {
  const name = live?.metadata?.name;
  if (!live || !name || !isControlledBy(live, uid)) return false;
  try {
    await ctx.client.delete(kind, name, live.metadata?.namespace, { propagationPolicy: "Background" });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return true;
}

async function readIfExists(ctx: ReconcileContext, kind: ResourceKind, name: string, namespace: string) {
  try {
    return await ctx.client.get<KubeObject>(kind, name, namespace);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function convergeChildren(
  ctx: ReconcileContext,
  refs: { service: LiveModerationService; model: LiveModelDeployment; policy: LivePolicy },
  observed: ObservedChildren,
  options: ConvergeOptions,
  decision: RolloutDecision,
): Promise<Convergence> {
  const { service, model, policy } = refs;
  const uid = service.metadata?.uid ?? "";
  const namespace = service.metadata?.namespace ?? "";
  const names = childNames(service.metadata?.name ?? "");
  const vpaServed = await options.vpa.isServed(ctx.client, ctx.clock);
  const specHash = revisionHash(model);
  const autoscaled = service.spec.autoscaling !== undefined;
  const specReplicas = decision.replicas[specHash];
  const input: DesiredInput = {
    service,
    model,
    policy,
    options: {
      runtimeImage: ctx.settings.runtimeImage,
      vpaAvailable: vpaServed,
      ...(options.clusterDomain && { clusterDomain: options.clusterDomain }),
      ...(ctx.settings.operatorNamespace && { operatorNamespace: ctx.settings.operatorNamespace }),
    },
    activeRevision: decision.activeHash ?? specHash,
    // With an HPA the count is never in the applied object: dropping it later (when the HPA
    // takes over) would reset it to 1. The scale subresource sets it instead (below).
    ...(autoscaled ? { specReplicas: null } : specReplicas !== undefined && { specReplicas }),
  };

  let children: KubeObject[];
  let warnings: DesiredWarning[];
  let endpoints: { endpoint: string; previewEndpoint: string };
  try {
    // Until a revision passed the gate nothing may receive traffic: no active Service, and
    // nothing for the HPA or VPA to act on.
    const unverified = new Set(["HorizontalPodAutoscaler", "VerticalPodAutoscaler"]);
    children = (buildChildren(input) as KubeObject[]).filter(
      (c) =>
        decision.activeHash !== undefined ||
        !(unverified.has(c.kind ?? "") || (c.kind === "Service" && c.metadata?.name === names.activeService)),
    );
    warnings = desiredWarnings(input);
    endpoints = serviceEndpoints(input);
  } catch (err) {
    if (!(err instanceof DesiredInputError)) throw err;
    return {
      problems: [{ reason: SERVICE_REASON.invalidSpec, message: err.message }],
      deployments: observed.deployments,
      vpaServed,
      actions: [],
    };
  }

  const problems: Problem[] = [];
  const actions: ChildAction[] = [];
  const notOwned = new Set<string>();
  const deployments = new Map(observed.deployments.map((d) => [d.metadata?.name ?? "", d]));
  for (const child of children) {
    const kind = kindOf(child);
    const name = child.metadata?.name ?? "";
    // The VPA is an add-on kind without an informer (it may not exist); the rest come from caches.
    const cache = kind === Kinds.VerticalPodAutoscaler ? undefined : ctx.cache<KubeObject>(kind);
    const result = await applyObject(ctx.client, child, { kind, ...(cache && { cache }) });
    if (result.outcome === "notOwned") {
      notOwned.add(`${kind.kind}/${name}`);
      problems.push({ reason: SERVICE_REASON.childNotOwned, message: result.message });
      continue;
    }
    if (kind === Kinds.Deployment) {
      deployments.set(name, result.object as LiveDeployment);
      if (result.outcome === "created") {
        actions.push({
          reason: "RevisionCreated",
          message: `created Deployment ${name} for model ${model.spec.model.name} ${model.spec.model.version}`,
        });
      }
    }
  }

  // Retained revisions (and the spec's under an HPA) are scaled through the scale subresource.
  for (const [hash, replicas] of Object.entries(decision.replicas)) {
    if (hash === specHash && !autoscaled) continue;
    const deployment = [...deployments.values()].find((d) => revisionOfDeployment(d) === hash);
    const name = deployment?.metadata?.name;
    if (!deployment || !name || (deployment.spec?.replicas ?? 1) === replicas) continue;
    await ctx.client.patch(
      Kinds.Deployment,
      { name, namespace, subresource: "scale" },
      { spec: { replicas } },
      ContentType.mergePatch,
    );
    deployments.set(name, { ...deployment, spec: { ...deployment.spec, replicas } });
    actions.push({ reason: "RevisionScaled", message: `scaled Deployment ${name} to ${replicas} replicas` });
  }

  // Revisions go only when the active Service is ours and was applied; otherwise nothing here
  // knows what serves.
  const serviceApplied = decision.activeHash === undefined || !notOwned.has(`Service/${names.activeService}`);
  if (serviceApplied) {
    for (const name of decision.prune) {
      if (await deleteIfControlled(ctx, Kinds.Deployment, deployments.get(name), uid)) {
        deployments.delete(name);
        actions.push({
          reason: "RevisionDeleted",
          message: `deleted Deployment ${name}: past the revision history limit`,
        });
      }
    }
  }

  const desiredKinds = new Set(children.map((c) => c.kind));
  if (!desiredKinds.has("HorizontalPodAutoscaler")) {
    const hpa = ctx
      .cache<KubeObject>(Kinds.HorizontalPodAutoscaler)
      .get(names.horizontalPodAutoscaler, namespace);
    if (await deleteIfControlled(ctx, Kinds.HorizontalPodAutoscaler, hpa, uid)) {
      actions.push({
        reason: "ChildDeleted",
        message: `deleted HorizontalPodAutoscaler ${names.horizontalPodAutoscaler}: autoscaling is off`,
      });
    }
  }
  if (vpaServed && !desiredKinds.has("VerticalPodAutoscaler")) {
    const vpa = await readIfExists(ctx, Kinds.VerticalPodAutoscaler, names.verticalPodAutoscaler, namespace);
    if (await deleteIfControlled(ctx, Kinds.VerticalPodAutoscaler, vpa, uid)) {
      actions.push({
        reason: "ChildDeleted",
        message: `deleted VerticalPodAutoscaler ${names.verticalPodAutoscaler}: no longer requested`,
      });
    }
  }

  if (!desiredKinds.has("CronJob")) {
    const backupChildren = [
      { kind: Kinds.CronJob, name: names.backupCronJob },
      { kind: Kinds.ConfigMap, name: names.backupResourcesConfigMap },
    ];
    for (const child of backupChildren) {
      const live = ctx.cache<KubeObject>(child.kind).get(child.name, namespace);
      if (await deleteIfControlled(ctx, child.kind, live, uid)) {
        actions.push({
          reason: "ChildDeleted",
          message: `deleted ${child.kind.kind} ${child.name}: spec.backup was removed (backups already taken stay)`,
        });
      }
    }
  }

  return {
    problems,
    warnings,
    deployments: [...deployments.values()].filter((d) => revisionOfDeployment(d) !== undefined),
    ...(serviceApplied && decision.activeHash !== undefined && { endpoint: endpoints.endpoint }),
    ...(!notOwned.has(`Service/${names.previewService}`) && { previewEndpoint: endpoints.previewEndpoint }),
    vpaServed,
    actions,
  };
}
