// Converging the children of one ModerationService: observe the revision Deployments and the
// active Service, decide which revision serves, build every desired child (pure builders),
// server-side apply each one, then remove children of ours that are no longer desired: the HPA
// when autoscaling is switched off, the VPA when it is no longer asked for, and revision
// Deployments that neither serve nor are the spec's revision.
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
  LiveDeployment,
  LiveModelDeployment,
  LiveModerationService,
  LivePolicy,
  LiveService,
} from "./live-objects.js";
import { SERVICE_REASON, type Problem } from "./moderationservice-status.js";
import { planRevisions, revisionOfDeployment, type RevisionPlan } from "./revisions.js";
import type { VerticalPodAutoscalerDiscovery } from "./vpa-discovery.js";

/** What exists now: the revision Deployments we control and the active Service, if ours. */
export interface ObservedChildren {
  deployments: LiveDeployment[];
  activeService?: LiveService;
  previewService?: LiveService;
}

export function observeChildren(ctx: ReconcileContext, service: LiveModerationService): ObservedChildren {
  const uid = service.metadata?.uid ?? "";
  const namespace = service.metadata?.namespace;
  const names = childNames(service.metadata?.name ?? "");
  const services = ctx.cache<LiveService>(Kinds.Service);
  const ours = (obj: LiveService | undefined) => (obj && isControlledBy(obj, uid) ? obj : undefined);
  return {
    deployments: ctx
      .cache<LiveDeployment>(Kinds.Deployment)
      .list(namespace)
      .filter((d) => isControlledBy(d, uid)),
    activeService: ours(services.get(names.activeService, namespace)),
    previewService: ours(services.get(names.previewService, namespace)),
  };
}

/** A change of children worth an Event. */
export interface ChildAction {
  reason: "RevisionCreated" | "RevisionPromoted" | "RevisionDeleted" | "ChildDeleted";
  message: string;
}

export interface Convergence {
  /** InvalidSpec or ChildNotOwned; empty when every child was applied. */
  problems: Problem[];
  /** Undefined when the children could not be built. */
  warnings?: DesiredWarning[];
  plan?: RevisionPlan;
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
): Promise<Convergence> {
  const { service, model, policy } = refs;
  const uid = service.metadata?.uid ?? "";
  const namespace = service.metadata?.namespace ?? "";
  const names = childNames(service.metadata?.name ?? "");
  const vpaServed = await options.vpa.isServed(ctx.client, ctx.clock);
  const specHash = revisionHash(model);
  const plan = planRevisions({
    specHash,
    activeService: observed.activeService,
    deployments: observed.deployments,
  });
  const input: DesiredInput = {
    service,
    model,
    policy,
    options: {
      runtimeImage: ctx.settings.runtimeImage,
      vpaAvailable: vpaServed,
      ...(options.clusterDomain && { clusterDomain: options.clusterDomain }),
    },
    activeRevision: plan.activeHash,
  };

  let children: KubeObject[];
  let warnings: DesiredWarning[];
  let endpoints: { endpoint: string; previewEndpoint: string };
  try {
    children = buildChildren(input) as KubeObject[];
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

  // Traffic moved only if the active Service is ours and was applied; otherwise nothing here
  // knows what serves, so no revision is removed.
  const serviceApplied = !notOwned.has(`Service/${names.activeService}`);
  if (serviceApplied) {
    if (plan.promotes && plan.servedHash) {
      actions.push({
        reason: "RevisionPromoted",
        message: `traffic switched from revision ${plan.servedHash} to ${plan.activeHash}`,
      });
    }
    for (const name of plan.prune) {
      if (await deleteIfControlled(ctx, Kinds.Deployment, deployments.get(name), uid)) {
        deployments.delete(name);
        actions.push({ reason: "RevisionDeleted", message: `deleted Deployment ${name}: no longer serving` });
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
    plan,
    deployments: [...deployments.values()].filter((d) => revisionOfDeployment(d) !== undefined),
    ...(serviceApplied && { endpoint: endpoints.endpoint }),
    ...(!notOwned.has(`Service/${names.previewService}`) && { previewEndpoint: endpoints.previewEndpoint }),
    vpaServed,
    actions,
  };
}
