// Which REST resource serves a kind. The operator talks to a fixed set of kinds, so they are
// declared here instead of discovered at runtime (discovery would cost requests and a failure mode).
import { API_VERSION, MODEL_DEPLOYMENT, MODERATION_SERVICE, POLICY } from "../../crds/definitions.js";

export interface ResourceKind {
  apiVersion: string;
  kind: string;
  /** The resource name in the URL path. */
  plural: string;
  namespaced: boolean;
}

export interface ResourcePathOptions {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `/api/v1/...` for the core group, `/apis/<group>/<version>/...` otherwise. */
export function resourcePath(kind: ResourceKind, options: ResourcePathOptions = {}): string {
  const root = kind.apiVersion.includes("/") ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  let path = root;
  if (kind.namespaced && options.namespace) path += `/namespaces/${encodeURIComponent(options.namespace)}`;
  path += `/${kind.plural}`;
  if (options.name !== undefined) {
    path += `/${encodeURIComponent(options.name)}`;
    if (options.subresource) path += `/${options.subresource}`;
  }
  return path;
}

/** "Deployment.apps", "ConfigMap": a kind's name in logs and metric labels. */
export function kindLabel(kind: ResourceKind): string {
  const group = kind.apiVersion.includes("/") ? kind.apiVersion.split("/")[0] : "";
  return group ? `${kind.kind}.${group}` : kind.kind;
}

const custom = (def: { kind: string; plural: string }): ResourceKind => ({
  apiVersion: API_VERSION,
  kind: def.kind,
  plural: def.plural,
  namespaced: true,
});

export const Kinds = {
  ModerationService: custom(MODERATION_SERVICE),
  ModelDeployment: custom(MODEL_DEPLOYMENT),
  Policy: custom(POLICY),
  ConfigMap: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  Secret: { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  Service: { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  ServiceAccount: { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  Pod: { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true },
  Event: { apiVersion: "v1", kind: "Event", plural: "events", namespaced: true },
  Namespace: { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  Deployment: { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  CronJob: { apiVersion: "batch/v1", kind: "CronJob", plural: "cronjobs", namespaced: true },
  Job: { apiVersion: "batch/v1", kind: "Job", plural: "jobs", namespaced: true },
  HorizontalPodAutoscaler: {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
  },
  VerticalPodAutoscaler: {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    plural: "verticalpodautoscalers",
    namespaced: true,
  },
  PodDisruptionBudget: {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
  },
  NetworkPolicy: {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
  },
  Lease: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", plural: "leases", namespaced: true },
} as const satisfies Record<string, ResourceKind>;

const byGroupVersionKind = new Map<string, ResourceKind>(
  Object.values(Kinds).map((k) => [`${k.apiVersion}/${k.kind}`, k]),
);

/** The declared ResourceKind for an object's apiVersion + kind, or undefined. */
export function lookupKind(apiVersion: string, kind: string): ResourceKind | undefined {
  return byGroupVersionKind.get(`${apiVersion}/${kind}`);
}
