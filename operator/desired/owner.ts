// The controller reference every child carries, so garbage collection removes children with
// their ModerationService and `blockOwnerDeletion` keeps foreground deletion ordered.
import type { V1OwnerReference } from "@kubernetes/client-node";
import { DesiredInputError } from "./errors.js";

interface Owner {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; uid?: string };
}

export function controllerReference(owner: Owner): V1OwnerReference {
  const { name, uid } = owner.metadata;
  if (!name) throw new DesiredInputError(`${owner.kind} metadata.name`, "Required value");
  if (!uid) {
    throw new DesiredInputError(
      `${owner.kind} metadata.uid`,
      "Required value: build children only from an object read back from the API server",
    );
  }
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
