// Per-kind behaviour of the apiserver's registry strategies: what a create or update may set
// (status only through /status and vice versa), when metadata.generation moves, and the few
// fields the server fills itself (Namespace phase and finalizer, Job selector, Service
// cluster IP, Secret stringData, CRD status).
import { randomUUID } from "node:crypto";
import { deepEqual } from "./json.js";
import { apiVersionOf, type ResourceType } from "./resource-type.js";
import { isPlainObject } from "./type-schema.js";
import type { KubeObject } from "./types.js";

/** An object as served at `type`'s version: apiVersion and kind first, like the apiserver's output. */
export function present(type: ResourceType, obj: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...(metadata ? { metadata } : {}), ...rest };
}

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Go structs serialize an empty status; custom resources have none until someone writes it. */
function initialStatus(type: ResourceType, obj: KubeObject): Record<string, unknown> | undefined {
  if (type.crdName !== undefined) return undefined;
  switch (`${type.group}/${type.kind}`) {
    case "/Namespace":
      return { phase: "Active" };
    case "/Pod":
      return { phase: "Pending", qosClass: qosClass(obj) };
    case "/PersistentVolumeClaim":
      return { phase: "Pending" };
    case "/Service":
      return { loadBalancer: {} };
    case "apiextensions.k8s.io/CustomResourceDefinition":
      return undefined;
    default:
      return {};
  }
}

export class ServerFields {
  private nextClusterIp = 10;

  /** Server-side fields of a new object; `obj` already has name and namespace. */
  prepareForCreate(type: ResourceType, obj: KubeObject): KubeObject {
    const meta = obj.metadata!;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRfc3339();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    if (type.generation === "none") delete meta.generation;
    else meta.generation = 1;
    if (type.hasStatus) {
      const status = initialStatus(type, obj);
      if (status === undefined) delete obj.status;
      else obj.status = status;
    }
    switch (`${type.group}/${type.kind}`) {
      case "/Namespace": {
        obj.spec = { finalizers: ["kubernetes"] };
        meta.labels = { ...meta.labels, "kubernetes.io/metadata.name": meta.name! };
        break;
      }
      case "batch/Job":
        this.jobSelector(obj);
        break;
      case "/Service":
        this.allocateClusterIp(obj);
        break;
      case "apiextensions.k8s.io/CustomResourceDefinition":
        obj.status = crdStatus(obj);
        break;
    }
    convertStringData(type, obj);
    return obj;
  }

  /**
   * Restores what this endpoint may not change and moves generation. `subresource` is
   * `status` for /status writes (only status changes), undefined for the main resource
   * (everything but status changes).
   */
  prepareForUpdate(type: ResourceType, old: KubeObject, next: KubeObject, subresource?: string): KubeObject {
    let out: KubeObject;
    if (subresource === "status") {
      out = structuredClone(old);
      out.metadata = { ...out.metadata, managedFields: next.metadata?.managedFields ?? [] };
      if (next.status === undefined) delete out.status;
      else out.status = next.status;
    } else {
      out = next;
      if (type.hasStatus) {
        if (old.status === undefined) delete out.status;
        else out.status = structuredClone(old.status);
      }
    }
    const meta = (out.metadata ??= {});
    const oldMeta = old.metadata ?? {};
    for (const f of [
      "uid",
      "creationTimestamp",
      "deletionTimestamp",
      "deletionGracePeriodSeconds",
      "namespace",
      "name",
    ] as const) {
      if (oldMeta[f] === undefined) delete meta[f];
      else meta[f] = oldMeta[f] as never;
    }
    if (oldMeta.generateName === undefined) delete meta.generateName;
    else meta.generateName = oldMeta.generateName;
    if (type.generation === "none") delete meta.generation;
    else meta.generation = (oldMeta.generation ?? 1) + (generationChanges(type, old, out) ? 1 : 0);
    switch (`${type.group}/${type.kind}`) {
      case "/Service":
        keepAllocatedIp(old, out);
        break;
      case "/Namespace":
        if (subresource !== "finalize") out.spec = structuredClone(old.spec);
        break;
    }
    convertStringData(type, out);
    return out;
  }

  private jobSelector(job: KubeObject): void {
    const spec = (isPlainObject(job.spec) ? job.spec : (job.spec = {})) as Record<string, unknown>;
    if (spec.manualSelector === true) return;
    const uid = job.metadata!.uid!;
    const name = job.metadata!.name!;
    spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    const template = (isPlainObject(spec.template) ? spec.template : (spec.template = {})) as Record<
      string,
      unknown
    >;
    const meta = (isPlainObject(template.metadata) ? template.metadata : (template.metadata = {})) as Record<
      string,
      unknown
    >;
    meta.labels = {
      ...(meta.labels as Record<string, string> | undefined),
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": name,
      "controller-uid": uid,
      "job-name": name,
    };
  }

  private allocateClusterIp(svc: KubeObject): void {
    const spec = (isPlainObject(svc.spec) ? svc.spec : (svc.spec = {})) as Record<string, unknown>;
    if (spec.type === "ExternalName") return;
    if (spec.clusterIP === undefined || spec.clusterIP === "") {
      const n = this.nextClusterIp++;
      spec.clusterIP = `10.96.${Math.floor(n / 256) % 256}.${n % 256}`;
    }
    spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilies = ["IPv4"];
    spec.ipFamilyPolicy = "SingleStack";
  }
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

/** The pod QoS class: Guaranteed when every container's cpu and memory requests equal limits, BestEffort without any. */
function qosClass(pod: KubeObject): string {
  const containers = (
    (pod.spec as { containers?: { resources?: Resources }[] } | undefined)?.containers ?? []
  ).map((c) => c.resources ?? {});
  if (containers.every((r) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length))
    return "BestEffort";
  const guaranteed = containers.every((r) =>
    ["cpu", "memory"].every(
      (k) => r.limits?.[k] !== undefined && (r.requests?.[k] ?? r.limits[k]) === r.limits[k],
    ),
  );
  return guaranteed ? "Guaranteed" : "Burstable";
}

function generationChanges(type: ResourceType, old: KubeObject, next: KubeObject): boolean {
  switch (type.generation) {
    case "none":
      return false;
    case "spec":
      return !deepEqual(old.spec, next.spec);
    case "spec+annotations":
      return (
        !deepEqual(old.spec, next.spec) || !deepEqual(old.metadata?.annotations, next.metadata?.annotations)
      );
    case "non-metadata": {
      const strip = (o: KubeObject): KubeObject => {
        const { metadata: _m, status: _s, ...rest } = o;
        return type.hasStatus ? rest : { ...rest, status: o.status };
      };
      return !deepEqual(strip(old), strip(next));
    }
  }
}

/** Allocated values survive an update that omits them, as the apiserver patches them back in. */
function keepAllocatedIp(old: KubeObject, next: KubeObject): void {
  const o = (old.spec ?? {}) as Record<string, unknown>;
  const n = (isPlainObject(next.spec) ? next.spec : (next.spec = {})) as Record<string, unknown>;
  for (const f of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"])
    if ((n[f] === undefined || n[f] === "") && o[f] !== undefined) n[f] = structuredClone(o[f]);
}

/** Secrets: `stringData` is write-only sugar merged into base64 `data`. */
function convertStringData(type: ResourceType, obj: KubeObject): void {
  if (type.group !== "" || type.kind !== "Secret" || !isPlainObject(obj.stringData)) return;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString("base64");
  obj.data = data;
  delete obj.stringData;
}

/** A CRD is accepted and established at once (a real apiserver takes a moment; clients should poll). */
function crdStatus(crd: KubeObject): Record<string, unknown> {
  const spec = (crd.spec ?? {}) as { names?: object; versions?: { name: string; storage?: boolean }[] };
  const now = nowRfc3339();
  const storage = spec.versions?.find((v) => v.storage)?.name;
  return {
    acceptedNames: spec.names ?? {},
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        lastTransitionTime: now,
        reason: "NoConflicts",
        message: "no conflicts found",
      },
      {
        type: "Established",
        status: "True",
        lastTransitionTime: now,
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
      },
    ],
    storedVersions: storage ? [storage] : [],
  };
}
