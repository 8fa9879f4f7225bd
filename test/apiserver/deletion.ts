// DELETE as the apiserver's generic registry does it: preconditions, propagation finalizers
// (`orphan`, `foregroundDeletion`), and finalizers keeping a deleting object (with
// deletionTimestamp) until they are all removed. Without a garbage collector nobody would
// remove the propagation finalizers, so they are only added when it runs.
import { badRequest, conflict, notFound } from "./errors.js";
import type { ResourceType } from "./resource-type.js";
import { hasFinalizers, type ListOptions, type ResourceService } from "./resource-service.js";
import type { ObjectStore } from "./store.js";
import { nowRfc3339, present } from "./strategy.js";
import type { KubeObject } from "./types.js";

export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  body: KubeObject;
  code: number;
}

export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** The apiserver adds it when a CRD is deleted; the CRD controller removes it once no custom resource is left. */
export const CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

export class Deleter {
  constructor(
    private readonly service: ResourceService,
    private readonly store: ObjectStore,
    private readonly garbageCollection: boolean,
  ) {}

  delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): DeleteResult {
    const ns = type.namespaced ? namespace : undefined;
    const obj = this.store.get(type.storageKey, ns, name);
    if (!obj) throw notFound(type.plural, type.group, name);
    const meta = obj.metadata!;
    const pre = opts.preconditions;
    // As rest.BeforeDelete words them, naming the kind rather than the resource.
    if (pre?.uid && pre.uid !== meta.uid)
      throw conflict(
        type.kind,
        type.group,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${meta.uid ?? ""}). The object might have been deleted and then recreated`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion)
      throw conflict(
        type.kind,
        type.group,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion ?? ""}). The object might have been modified`,
      );
    if (opts.propagationPolicy && opts.orphanDependents !== undefined)
      throw badRequest("orphanDependents and propagationPolicy cannot both be set");

    const policy: PropagationPolicy =
      opts.propagationPolicy ??
      (opts.orphanDependents === true
        ? "Orphan"
        : opts.orphanDependents === false
          ? "Background"
          : type.defaultPropagation);
    const finalizers = [...(meta.finalizers ?? [])];
    if (
      type.group === "apiextensions.k8s.io" &&
      type.kind === "CustomResourceDefinition" &&
      !finalizers.includes(CRD_CLEANUP_FINALIZER)
    )
      finalizers.push(CRD_CLEANUP_FINALIZER);
    if (this.garbageCollection && !meta.deletionTimestamp) {
      if (policy === "Orphan" && !finalizers.includes(ORPHAN_FINALIZER)) finalizers.push(ORPHAN_FINALIZER);
      if (policy === "Foreground" && !finalizers.includes(FOREGROUND_FINALIZER))
        finalizers.push(FOREGROUND_FINALIZER);
    }
    const next: KubeObject = {
      ...obj,
      metadata: { ...meta, ...(finalizers.length > 0 ? { finalizers } : {}) },
    };
    const accepted = opts.orphanDependents === false ? 202 : 200;

    if (hasFinalizers(next)) {
      if (meta.deletionTimestamp) return { body: present(type, obj), code: accepted };
      next.metadata!.deletionTimestamp = nowRfc3339();
      next.metadata!.deletionGracePeriodSeconds = 0;
      if ((meta.generation ?? 0) > 0) next.metadata!.generation = meta.generation! + 1;
      if (type.group === "" && type.kind === "Namespace")
        next.status = { ...(next.status as object), phase: "Terminating" };
      if (opts.dryRun) return { body: present(type, next), code: accepted };
      return { body: present(type, this.store.put(type.storageKey, next)), code: accepted };
    }
    if (opts.dryRun) return { body: this.deletedBody(type, obj), code: 200 };
    const gone = this.store.remove(type.storageKey, ns, name)!;
    return { body: this.deletedBody(type, gone), code: 200 };
  }

  /** DELETE on a collection: deletes every matching object, answering with the list of them. */
  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    list: ListOptions,
    opts: DeleteOptions,
  ): KubeObject {
    const { items } = this.service.list(type, namespace, { labels: list.labels, fields: list.fields });
    const deleted = items.map(
      (o) => this.delete(type, o.metadata?.namespace, o.metadata?.name ?? "", opts).body,
    );
    return {
      apiVersion: present(type, {}).apiVersion,
      kind: type.listKind,
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: deleted,
    };
  }

  private deletedBody(type: ResourceType, obj: KubeObject): KubeObject {
    if (type.returnDeletedObject) return present(type, obj);
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: obj.metadata?.name, group: type.group, kind: type.plural, uid: obj.metadata?.uid },
    };
  }
}
