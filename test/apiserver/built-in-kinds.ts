// The built-in kinds the emulator serves (those Vigil's operator creates or reads), with the
// properties of their upstream registry strategies that matter to clients.
import { builtInType } from "./built-in-types.js";
import type { GenerationPolicy, ResourceType, ScaleSubresource } from "./resource-type.js";

type FieldReader = (obj: Record<string, unknown>) => string | undefined;

function at(...path: string[]): FieldReader {
  return (obj) => {
    let cur: unknown = obj;
    for (const p of path) {
      if (typeof cur !== "object" || cur === null) return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur === undefined || cur === null ? undefined : String(cur);
  };
}

interface KindSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  hasStatus?: boolean;
  scale?: ScaleSubresource;
  generation?: GenerationPolicy;
  returnDeletedObject?: boolean;
  defaultPropagation?: "Background" | "Orphan";
  fieldSelectors?: Record<string, FieldReader>;
  dnsLabelNames?: boolean;
}

const replicasScale: ScaleSubresource = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".spec.selector",
};

const SPECS: KindSpec[] = [
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    hasStatus: true,
    returnDeletedObject: true,
    fieldSelectors: { "status.phase": at("status", "phase") },
    dnsLabelNames: true,
  },
  { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"] },
  {
    group: "",
    version: "v1",
    kind: "Secret",
    plural: "secrets",
    namespaced: true,
    fieldSelectors: { type: at("type") },
  },
  {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    namespaced: true,
    shortNames: ["svc"],
    categories: ["all"],
    hasStatus: true,
    fieldSelectors: { "spec.clusterIP": at("spec", "clusterIP"), "spec.type": at("spec", "type") },
    dnsLabelNames: true,
  },
  {
    group: "",
    version: "v1",
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    namespaced: true,
    shortNames: ["sa"],
  },
  {
    group: "",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    fieldSelectors: {
      "involvedObject.kind": at("involvedObject", "kind"),
      "involvedObject.namespace": at("involvedObject", "namespace"),
      "involvedObject.name": at("involvedObject", "name"),
      "involvedObject.uid": at("involvedObject", "uid"),
      "involvedObject.apiVersion": at("involvedObject", "apiVersion"),
      "involvedObject.resourceVersion": at("involvedObject", "resourceVersion"),
      "involvedObject.fieldPath": at("involvedObject", "fieldPath"),
      reason: at("reason"),
      reportingComponent: at("reportingComponent"),
      source: at("source", "component"),
      type: at("type"),
    },
  },
  {
    group: "",
    version: "v1",
    kind: "Pod",
    plural: "pods",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    hasStatus: true,
    fieldSelectors: {
      "spec.nodeName": at("spec", "nodeName"),
      "spec.restartPolicy": at("spec", "restartPolicy"),
      "spec.schedulerName": at("spec", "schedulerName"),
      "spec.serviceAccountName": at("spec", "serviceAccountName"),
      "status.phase": at("status", "phase"),
      "status.podIP": at("status", "podIP"),
      "status.nominatedNodeName": at("status", "nominatedNodeName"),
    },
  },
  {
    group: "",
    version: "v1",
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    namespaced: true,
    shortNames: ["pvc"],
    hasStatus: true,
  },
  { group: "", version: "v1", kind: "PodTemplate", plural: "podtemplates", namespaced: true },
  {
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    namespaced: true,
  },
  {
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
  },
  {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    hasStatus: true,
    scale: replicasScale,
    generation: "spec+annotations",
  },
  {
    group: "apps",
    version: "v1",
    kind: "ReplicaSet",
    plural: "replicasets",
    namespaced: true,
    shortNames: ["rs"],
    categories: ["all"],
    hasStatus: true,
    scale: replicasScale,
    generation: "spec",
    fieldSelectors: { "status.replicas": at("status", "replicas") },
  },
  {
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    plural: "statefulsets",
    namespaced: true,
    shortNames: ["sts"],
    categories: ["all"],
    hasStatus: true,
    scale: replicasScale,
    generation: "spec",
  },
  {
    group: "batch",
    version: "v1",
    kind: "Job",
    plural: "jobs",
    namespaced: true,
    categories: ["all"],
    hasStatus: true,
    generation: "spec",
    defaultPropagation: "Orphan",
    fieldSelectors: { "status.successful": at("status", "succeeded") },
  },
  {
    group: "batch",
    version: "v1",
    kind: "CronJob",
    plural: "cronjobs",
    namespaced: true,
    shortNames: ["cj"],
    categories: ["all"],
    hasStatus: true,
    generation: "spec",
  },
  {
    group: "autoscaling",
    version: "v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
    shortNames: ["hpa"],
    categories: ["all"],
    hasStatus: true,
    generation: "spec",
  },
  {
    group: "policy",
    version: "v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
    shortNames: ["pdb"],
    hasStatus: true,
    generation: "spec",
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
    shortNames: ["netpol"],
    generation: "spec",
  },
  { group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    hasStatus: true,
    generation: "non-metadata",
  },
];

export function builtInResourceTypes(): ResourceType[] {
  return SPECS.map((s) => ({
    group: s.group,
    version: s.version,
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    namespaced: s.namespaced,
    hasStatus: s.hasStatus ?? false,
    ...(s.scale ? { scale: s.scale } : {}),
    generation: s.generation ?? "none",
    type: builtInType(s.group, s.kind),
    storageKey: `${s.group}/${s.plural}`,
    strategicMergePatch: true,
    returnDeletedObject: s.returnDeletedObject ?? false,
    defaultPropagation: s.defaultPropagation ?? "Background",
    fieldSelectors: s.fieldSelectors ?? {},
    dnsLabelNames: s.dnsLabelNames ?? false,
  }));
}
