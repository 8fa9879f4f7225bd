// Work-queue keys: "namespace/name" for namespaced objects, "name" for cluster-scoped ones.

export interface ObjectRef {
  namespace?: string;
  name: string;
}

export function objectKey(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** Key of a Kubernetes object from its metadata. */
export function keyOf(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error("object has no metadata.name");
  return objectKey({ namespace: obj.metadata?.namespace, name });
}

export function parseObjectKey(key: string): ObjectRef {
  const slash = key.indexOf("/");
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
