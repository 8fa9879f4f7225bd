// Writes a computed status only when it differs from the observed one: a steady state makes
// no status writes, so it triggers no watch events and no further reconciles.
import type { Condition } from "../../crds/schema.js";
import { conditionsEqual } from "./conditions.js";
import type { ResourceKind } from "./kinds.js";
import { ContentType, type KubeClient, type KubeObject } from "./kubeclient.js";
import { createMergePatch, deepEqual } from "./objectdiff.js";

export interface StatusWithConditions {
  observedGeneration?: number;
  conditions?: Condition[];
  [field: string]: unknown;
}

export interface WriteStatusOptions {
  /**
   * Send the live resourceVersion with the patch, so a status computed from an object that
   * has changed since fails with 409 Conflict (and is recomputed) instead of overwriting.
   * Default true.
   */
  optimisticLock?: boolean;
}

export interface WriteStatusResult {
  written: boolean;
  /** The object as the server returned it after the write. */
  object?: KubeObject;
}

/** Status equality where conditions compare by type, not by list position. */
export function statusEqual(
  a: StatusWithConditions | undefined,
  b: StatusWithConditions | undefined,
): boolean {
  const { conditions: ac, ...aRest } = a ?? {};
  const { conditions: bc, ...bRest } = b ?? {};
  return conditionsEqual(ac, bc) && deepEqual(aRest, bRest);
}

/**
 * Sets `status.observedGeneration` to the generation of `live` (the object the status was
 * computed from) and merge-patches the /status subresource if the result differs from
 * `live.status`.
 */
export async function writeStatusIfChanged(
  client: KubeClient,
  kind: ResourceKind,
  live: KubeObject & { status?: StatusWithConditions },
  status: StatusWithConditions,
  options: WriteStatusOptions = {},
): Promise<WriteStatusResult> {
  const name = live.metadata?.name;
  if (!name) throw new Error(`write ${kind.kind} status: object has no metadata.name`);
  const desired: StatusWithConditions = { ...status, observedGeneration: live.metadata?.generation };
  if (statusEqual(live.status, desired)) return { written: false };

  const body: Record<string, unknown> = { status: createMergePatch(live.status, desired) };
  if (options.optimisticLock ?? true) body.metadata = { resourceVersion: live.metadata?.resourceVersion };
  const object = await client.patch(
    kind,
    { name, namespace: live.metadata?.namespace, subresource: "status" },
    body,
    ContentType.mergePatch,
  );
  return { written: true, object };
}
