// Finalizers for cleanup that owner references cannot do (e.g. backups outside the cluster).
// Cleanup is bounded: if it keeps failing past a deadline after deletion was requested, the
// failure is reported and the finalizer removed anyway, because an object stuck in
// Terminating forever (KServe's stuck-finalizer complaint) is worse than a leaked artifact
// that an Event and a log line point at.
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import { errorMessage } from "./errors.js";
import type { EventRecorder } from "./events.js";
import type { ResourceKind } from "./kinds.js";
import { ContentType, type KubeClient, type KubeObject } from "./kubeclient.js";

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function isDeleting(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

async function writeFinalizers(
  client: KubeClient,
  kind: ResourceKind,
  obj: KubeObject,
  finalizers: string[],
): Promise<KubeObject> {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${kind.kind} has no metadata.name`);
  // The resourceVersion makes this fail with 409 rather than drop a finalizer someone else
  // added since we read the object (merge patch replaces the whole list).
  return client.patch(
    kind,
    { name, namespace: obj.metadata?.namespace },
    { metadata: { finalizers, resourceVersion: obj.metadata?.resourceVersion } },
    ContentType.mergePatch,
  );
}

/** Adds `finalizer` unless present (no write then). Returns the updated object or `obj`. */
export async function ensureFinalizer(
  client: KubeClient,
  kind: ResourceKind,
  obj: KubeObject,
  finalizer: string,
): Promise<KubeObject> {
  if (hasFinalizer(obj, finalizer)) return obj;
  return writeFinalizers(client, kind, obj, [...(obj.metadata?.finalizers ?? []), finalizer]);
}

/** Removes `finalizer` if present (no write otherwise). */
export async function removeFinalizer(
  client: KubeClient,
  kind: ResourceKind,
  obj: KubeObject,
  finalizer: string,
): Promise<KubeObject> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  return writeFinalizers(
    client,
    kind,
    obj,
    (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
  );
}

export interface FinalizerOptions {
  client: KubeClient;
  kind: ResourceKind;
  finalizer: string;
  /** Cleanup for a deleting object; throw to have it retried (with backoff). */
  cleanup: (obj: KubeObject) => Promise<void>;
  /** How long after deletionTimestamp a failing cleanup is retried before giving up. */
  deadlineMs: number;
  clock?: Clock;
  recorder?: EventRecorder;
}

export type FinalizerOutcome =
  /** Not being deleted; the finalizer is in place. Reconcile normally. */
  | { deleting: false; object: KubeObject }
  /** Being deleted and our part is done (cleaned up, or given up after the deadline). */
  | { deleting: true; cleanedUp: boolean; error?: string };

/**
 * Call at the start of a reconcile. While the object lives, makes sure the finalizer is set;
 * once it is deleting, runs `cleanup` and removes the finalizer. A cleanup error is rethrown
 * (so the key is retried with backoff) until `deadlineMs` after deletion; after that it is
 * reported as a Warning Event `CleanupAbandoned` and the finalizer is removed.
 */
export async function handleFinalizer(obj: KubeObject, options: FinalizerOptions): Promise<FinalizerOutcome> {
  const { client, kind, finalizer } = options;
  if (!isDeleting(obj)) {
    return { deleting: false, object: await ensureFinalizer(client, kind, obj, finalizer) };
  }
  if (!hasFinalizer(obj, finalizer)) return { deleting: true, cleanedUp: true };
  try {
    await options.cleanup(obj);
  } catch (err) {
    const clock = options.clock ?? systemClock;
    const deletedAt = Date.parse(obj.metadata?.deletionTimestamp ?? "");
    const elapsed = Number.isFinite(deletedAt) ? clock.now() - deletedAt : 0;
    if (elapsed < options.deadlineMs) throw err;
    const error = errorMessage(err);
    options.recorder?.record(
      obj,
      "Warning",
      "CleanupAbandoned",
      `cleanup for finalizer ${finalizer} still failing ${Math.round(elapsed / 1000)}s after deletion; ` +
        `removing the finalizer anyway: ${error}`,
    );
    await removeFinalizer(client, kind, obj, finalizer);
    return { deleting: true, cleanedUp: false, error };
  }
  await removeFinalizer(client, kind, obj, finalizer);
  return { deleting: true, cleanedUp: true };
}
