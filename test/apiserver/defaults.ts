// Defaulting of built-in kinds, as the apiserver applies it when it decodes a request: the
// fields a reconciler finds on the live object without having set them. Only kinds and
// fields Vigil uses are covered (see test/README.md).
import { isPlainObject } from "./type-schema.js";
import type { KubeObject } from "./types.js";

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj | undefined {
  const v = parent[key];
  return isPlainObject(v) ? v : undefined;
}

function setDefault(target: Obj | undefined, key: string, value: unknown): void {
  if (target && (target[key] === undefined || target[key] === null)) target[key] = value;
}

function imagePullPolicy(image: unknown): string {
  if (typeof image !== "string") return "IfNotPresent";
  const last = image.split("/").pop() ?? "";
  if (image.includes("@")) return "IfNotPresent";
  return !last.includes(":") || last.endsWith(":latest") ? "Always" : "IfNotPresent";
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  setDefault(p, "timeoutSeconds", 1);
  setDefault(p, "periodSeconds", 10);
  setDefault(p, "successThreshold", 1);
  setDefault(p, "failureThreshold", 3);
  setDefault(obj(p, "httpGet"), "scheme", "HTTP");
}

function defaultContainer(c: Obj): void {
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  setDefault(c, "imagePullPolicy", imagePullPolicy(c.image));
  for (const port of (c.ports as Obj[] | undefined) ?? []) setDefault(port, "protocol", "TCP");
  for (const env of (c.env as Obj[] | undefined) ?? []) {
    const fieldRef = obj(obj(env, "valueFrom") ?? {}, "fieldRef");
    setDefault(fieldRef, "apiVersion", "v1");
  }
  defaultProbe(obj(c, "livenessProbe"));
  defaultProbe(obj(c, "readinessProbe"));
  defaultProbe(obj(c, "startupProbe"));
}

export function defaultPodSpec(spec: Obj | undefined, restartPolicy = "Always"): void {
  if (!spec) return;
  setDefault(spec, "restartPolicy", restartPolicy);
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
  if (typeof spec.serviceAccountName === "string")
    setDefault(spec, "serviceAccount", spec.serviceAccountName);
  for (const list of ["containers", "initContainers"])
    for (const c of (spec[list] as Obj[] | undefined) ?? []) if (isPlainObject(c)) defaultContainer(c);
  for (const v of (spec.volumes as Obj[] | undefined) ?? []) {
    setDefault(obj(v, "configMap"), "defaultMode", 420);
    setDefault(obj(v, "secret"), "defaultMode", 420);
    setDefault(obj(v, "projected"), "defaultMode", 420);
  }
}

function defaultTemplate(spec: Obj | undefined, restartPolicy?: string): void {
  const template = spec && obj(spec, "template");
  if (template) defaultPodSpec(obj(template, "spec"), restartPolicy);
}

function defaultJobSpec(spec: Obj | undefined): void {
  if (!spec) return;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, "parallelism", 1);
  setDefault(spec, "backoffLimit", 6);
  setDefault(spec, "completionMode", "NonIndexed");
  setDefault(spec, "suspend", false);
  setDefault(spec, "podReplacementPolicy", "TerminatingOrFailed");
  defaultTemplate(spec, undefined);
}

const DEFAULTERS: Record<string, (o: KubeObject) => void> = {
  "apps/Deployment": (o) => {
    const spec = obj(o, "spec");
    if (!spec) return;
    setDefault(spec, "replicas", 1);
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "progressDeadlineSeconds", 600);
    setDefault(spec, "strategy", {});
    const strategy = obj(spec, "strategy")!;
    setDefault(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      setDefault(strategy, "rollingUpdate", {});
      setDefault(obj(strategy, "rollingUpdate"), "maxUnavailable", "25%");
      setDefault(obj(strategy, "rollingUpdate"), "maxSurge", "25%");
    }
    defaultTemplate(spec);
  },
  "apps/ReplicaSet": (o) => {
    setDefault(obj(o, "spec"), "replicas", 1);
    defaultTemplate(obj(o, "spec"));
  },
  "apps/StatefulSet": (o) => {
    const spec = obj(o, "spec");
    if (!spec) return;
    setDefault(spec, "replicas", 1);
    setDefault(spec, "podManagementPolicy", "OrderedReady");
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "updateStrategy", { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    setDefault(spec, "persistentVolumeClaimRetentionPolicy", { whenDeleted: "Retain", whenScaled: "Retain" });
    defaultTemplate(spec);
  },
  "batch/Job": (o) => defaultJobSpec(obj(o, "spec")),
  "batch/CronJob": (o) => {
    const spec = obj(o, "spec");
    if (!spec) return;
    setDefault(spec, "concurrencyPolicy", "Allow");
    setDefault(spec, "suspend", false);
    setDefault(spec, "successfulJobsHistoryLimit", 3);
    setDefault(spec, "failedJobsHistoryLimit", 1);
    defaultJobSpec(obj(obj(spec, "jobTemplate") ?? {}, "spec"));
  },
  "/Pod": (o) => defaultPodSpec(obj(o, "spec")),
  "/Service": (o) => {
    const spec = obj(o, "spec");
    if (!spec) return;
    setDefault(spec, "type", "ClusterIP");
    setDefault(spec, "sessionAffinity", "None");
    setDefault(spec, "internalTrafficPolicy", "Cluster");
    for (const p of (spec.ports as Obj[] | undefined) ?? []) {
      setDefault(p, "protocol", "TCP");
      setDefault(p, "targetPort", p.port);
    }
  },
  "/Secret": (o) => setDefault(o, "type", "Opaque"),
  "/PersistentVolumeClaim": (o) => setDefault(obj(o, "spec"), "volumeMode", "Filesystem"),
  "autoscaling/HorizontalPodAutoscaler": (o) => {
    const spec = obj(o, "spec");
    if (!spec) return;
    setDefault(spec, "minReplicas", 1);
    if (!Array.isArray(spec.metrics) || spec.metrics.length === 0)
      spec.metrics = [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
        },
      ];
  },
  "networking.k8s.io/NetworkPolicy": (o) => {
    const spec = obj(o, "spec");
    if (!spec) return;
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0)
      spec.policyTypes = Array.isArray(spec.egress) ? ["Ingress", "Egress"] : ["Ingress"];
    for (const dir of ["ingress", "egress"])
      for (const rule of (spec[dir] as Obj[] | undefined) ?? [])
        for (const p of (rule.ports as Obj[] | undefined) ?? []) setDefault(p, "protocol", "TCP");
  },
};

export function applyBuiltInDefaults(group: string, kind: string, object: KubeObject): void {
  DEFAULTERS[`${group}/${kind}`]?.(object);
}
