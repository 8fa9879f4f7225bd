// Reading controller owner references: which object manages a child.
import type { KubeObject, OwnerReference } from "./kubeclient.js";
import type { ResourceKind } from "./kinds.js";

/** The ownerReference with `controller: true`, if any (there is at most one). */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

/** True when `ref` points at an object of `kind` (any version of its group). */
export function refersToKind(ref: OwnerReference, kind: ResourceKind): boolean {
  return ref.kind === kind.kind && groupOf(ref.apiVersion) === groupOf(kind.apiVersion);
}

/** True when `obj`'s controller reference is the object with uid `ownerUid`. */
export function isControlledBy(obj: KubeObject, ownerUid: string): boolean {
  return getControllerOf(obj)?.uid === ownerUid;
}
