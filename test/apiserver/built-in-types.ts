// The one table of merge semantics for built-in kinds, transcribed from the upstream Go
// types' markers: `+listType`/`+listMapKey` (server-side apply), `patchStrategy`/
// `patchMergeKey` (strategic merge patch) and `+structType=atomic`/`+mapType=atomic`.
// Only the fields Vigil's objects use need an entry; any list not listed here is atomic
// and any map granular, which is also what the apiserver does for fields without markers.
import type { TypeNode } from "./type-schema.js";

/** A list of objects merged by key in both strategic merge patch and server-side apply. */
function keyedList(
  items: TypeNode,
  ssaKeys: string[],
  smpKey: string = ssaKeys[0]!,
  keyDefaults?: Record<string, unknown>,
  smpStrategy: TypeNode["patchStrategy"] = "merge",
): TypeNode {
  const node: TypeNode = {
    items,
    listType: "map",
    listMapKeys: ssaKeys,
    patchStrategy: smpStrategy,
    patchMergeKey: smpKey,
  };
  if (keyDefaults) node.listMapKeyDefaults = keyDefaults;
  return node;
}

const atomicList: TypeNode = { listType: "atomic" };
const atomicStruct: TypeNode = { mapType: "atomic" };
/** `+listType=set` with `patchStrategy=merge`: a list of unique scalars. */
const scalarSet: TypeNode = { listType: "set", patchStrategy: "merge" };

export const labelSelector: TypeNode = atomicStruct;

const ownerReference: TypeNode = { mapType: "atomic" };

export const objectMeta: TypeNode = {
  fields: {
    labels: { values: {} },
    annotations: { values: {} },
    finalizers: scalarSet,
    ownerReferences: keyedList(ownerReference, ["uid"]),
  },
};

/** metav1.Condition and the per-kind condition types: one entry per `type`. */
const conditions = keyedList({}, ["type"]);

const envVar: TypeNode = {
  fields: {
    valueFrom: {
      fields: {
        configMapKeyRef: atomicStruct,
        secretKeyRef: atomicStruct,
        fieldRef: atomicStruct,
        resourceFieldRef: atomicStruct,
      },
    },
  },
};

const probe: TypeNode = {
  fields: { exec: { fields: { command: atomicList } }, httpGet: { fields: { httpHeaders: atomicList } } },
};

export const container: TypeNode = {
  fields: {
    command: atomicList,
    args: atomicList,
    env: keyedList(envVar, ["name"]),
    envFrom: atomicList,
    ports: keyedList({}, ["containerPort", "protocol"], "containerPort", { protocol: "TCP" }),
    volumeMounts: keyedList({}, ["mountPath"]),
    volumeDevices: keyedList({}, ["devicePath"]),
    resizePolicy: atomicList,
    resources: {
      fields: { limits: { values: {} }, requests: { values: {} }, claims: keyedList({}, ["name"]) },
    },
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    securityContext: {
      fields: { capabilities: { fields: { add: atomicList, drop: atomicList } } },
    },
  },
};

const volume: TypeNode = {
  fields: {
    configMap: { fields: { items: atomicList } },
    secret: { fields: { items: atomicList } },
    projected: { fields: { sources: atomicList } },
  },
};

const podAffinityTerm: TypeNode = {
  fields: { labelSelector, namespaceSelector: labelSelector, namespaces: atomicList },
};

export const podSpec: TypeNode = {
  fields: {
    containers: keyedList(container, ["name"]),
    initContainers: keyedList(container, ["name"]),
    ephemeralContainers: keyedList(container, ["name"]),
    volumes: keyedList(volume, ["name"], "name", undefined, "merge,retainKeys"),
    imagePullSecrets: keyedList(atomicStruct, ["name"]),
    tolerations: atomicList,
    hostAliases: keyedList({}, ["ip"]),
    readinessGates: atomicList,
    schedulingGates: keyedList({}, ["name"]),
    resourceClaims: keyedList({}, ["name"], "name", undefined, "merge,retainKeys"),
    topologySpreadConstraints: keyedList(
      { fields: { labelSelector, matchLabelKeys: atomicList } },
      ["topologyKey", "whenUnsatisfiable"],
      "topologyKey",
    ),
    nodeSelector: { values: {}, mapType: "atomic" },
    affinity: {
      fields: {
        podAffinity: {
          fields: {
            requiredDuringSchedulingIgnoredDuringExecution: atomicList,
            preferredDuringSchedulingIgnoredDuringExecution: atomicList,
          },
        },
        podAntiAffinity: {
          fields: {
            requiredDuringSchedulingIgnoredDuringExecution: { items: podAffinityTerm, listType: "atomic" },
            preferredDuringSchedulingIgnoredDuringExecution: atomicList,
          },
        },
        nodeAffinity: {
          fields: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              mapType: "atomic",
            },
            preferredDuringSchedulingIgnoredDuringExecution: atomicList,
          },
        },
      },
    },
    securityContext: { fields: { supplementalGroups: atomicList, sysctls: atomicList } },
    dnsConfig: { fields: { nameservers: atomicList, searches: atomicList, options: atomicList } },
  },
};

const podTemplateSpec: TypeNode = { fields: { metadata: objectMeta, spec: podSpec } };

const jobSpec: TypeNode = {
  fields: {
    selector: labelSelector,
    template: podTemplateSpec,
    podFailurePolicy: { fields: { rules: atomicList } },
  },
};

function kind(spec: TypeNode, status: TypeNode = {}): TypeNode {
  return { fields: { metadata: objectMeta, spec, status } };
}

const defaultKind: TypeNode = { fields: { metadata: objectMeta } };

/** Merge semantics per built-in `group/Kind` (core group: `/Kind`). */
const BUILT_IN_TYPES: Record<string, TypeNode> = {
  "/Namespace": kind({ fields: { finalizers: atomicList } }, { fields: { conditions } }),
  "/Pod": kind(podSpec, {
    fields: {
      conditions,
      containerStatuses: atomicList,
      initContainerStatuses: atomicList,
      podIPs: keyedList({}, ["ip"]),
    },
  }),
  "/Service": kind(
    {
      fields: {
        ports: keyedList({}, ["port", "protocol"], "port", { protocol: "TCP" }),
        selector: { values: {}, mapType: "atomic" },
        clusterIPs: atomicList,
        externalIPs: atomicList,
        ipFamilies: atomicList,
        loadBalancerSourceRanges: atomicList,
      },
    },
    { fields: { conditions, loadBalancer: { fields: { ingress: atomicList } } } },
  ),
  "/ServiceAccount": {
    fields: {
      metadata: objectMeta,
      secrets: keyedList({}, ["name"]),
      imagePullSecrets: atomicList,
    },
  },
  "/PersistentVolumeClaim": kind(
    { fields: { accessModes: atomicList, selector: labelSelector } },
    { fields: { conditions, accessModes: atomicList } },
  ),
  "/PodTemplate": { fields: { metadata: objectMeta, template: podTemplateSpec } },
  "apps/Deployment": kind(
    {
      fields: {
        selector: labelSelector,
        template: podTemplateSpec,
        strategy: { patchStrategy: "retainKeys" },
      },
    },
    { fields: { conditions } },
  ),
  "apps/ReplicaSet": kind(
    { fields: { selector: labelSelector, template: podTemplateSpec } },
    { fields: { conditions } },
  ),
  "apps/StatefulSet": kind(
    {
      fields: {
        selector: labelSelector,
        template: podTemplateSpec,
        volumeClaimTemplates: atomicList,
        updateStrategy: { patchStrategy: "retainKeys" },
      },
    },
    { fields: { conditions } },
  ),
  "batch/Job": kind(jobSpec, {
    fields: { conditions: { ...conditions, listType: "atomic", listMapKeys: undefined } },
  }),
  "batch/CronJob": kind(
    { fields: { jobTemplate: { fields: { metadata: objectMeta, spec: jobSpec } } } },
    { fields: { active: atomicList } },
  ),
  "autoscaling/HorizontalPodAutoscaler": kind(
    {
      fields: {
        metrics: atomicList,
        behavior: {
          fields: {
            scaleUp: { fields: { policies: atomicList } },
            scaleDown: { fields: { policies: atomicList } },
          },
        },
      },
    },
    { fields: { conditions, currentMetrics: atomicList } },
  ),
  "policy/PodDisruptionBudget": kind({ fields: { selector: labelSelector } }, { fields: { conditions } }),
  "networking.k8s.io/NetworkPolicy": kind({
    fields: { podSelector: labelSelector, ingress: atomicList, egress: atomicList, policyTypes: atomicList },
  }),
  "rbac.authorization.k8s.io/Role": { fields: { metadata: objectMeta, rules: atomicList } },
  "rbac.authorization.k8s.io/ClusterRole": { fields: { metadata: objectMeta, rules: atomicList } },
  "rbac.authorization.k8s.io/RoleBinding": {
    fields: { metadata: objectMeta, subjects: atomicList, roleRef: atomicStruct },
  },
  "rbac.authorization.k8s.io/ClusterRoleBinding": {
    fields: { metadata: objectMeta, subjects: atomicList, roleRef: atomicStruct },
  },
  "apiextensions.k8s.io/CustomResourceDefinition": kind(
    { fields: { versions: atomicList } },
    { fields: { conditions, storedVersions: atomicList } },
  ),
};

export function builtInType(group: string, kindName: string): TypeNode {
  return BUILT_IN_TYPES[`${group}/${kindName}`] ?? defaultKind;
}
