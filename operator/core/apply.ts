// Converging one child object: server-side apply with the operator's single field manager,
// but only when needed. A steady state must make zero writes, so the desired object is first
// compared with the live one (normally from the informer cache): nothing is sent when every
// desired field already has its value and we own no field that the desired object dropped.
// Objects that exist without our controller reference are not taken over silently.
import { isNotFound } from "./errors.js";
import type { CacheReader } from "./informer.js";
import { kindLabel, lookupKind, type ResourceKind } from "./kinds.js";
import type { KubeClient, KubeObject } from "./kubeclient.js";
import { containsFields, deepEqual } from "./objectdiff.js";
import { getControllerOf } from "./ownership.js";

export const FIELD_MANAGER = "vigil-operator";

export type NotOwnedReason = "OwnedByAnotherController" | "ExistsWithoutOwner";

export type ApplyResult<T> =
  | { outcome: "created" | "updated" | "unchanged"; object: T }
  | {
      outcome: "notOwned";
      object: T;
      /** CamelCase, ready for a condition reason. */
      reason: NotOwnedReason;
      message: string;
    };

export interface ApplyOptions<T> {
  /** Where the live object is looked up first; on a miss (or without a cache) it is read from the API. */
  cache?: CacheReader<T>;
  /** Resource of the object; looked up from apiVersion/kind when absent. */
  kind?: ResourceKind;
  /** Take over an existing object that has no controller reference. Default false. */
  adopt?: boolean;
  /** Take fields other managers own (we are the source of truth for what we apply). Default true. */
  force?: boolean;
  fieldManager?: string;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

/**
 * Creates or updates `desired` by server-side apply. `desired` must carry apiVersion, kind,
 * metadata.name (and namespace) and, for owned children, the controller ownerReference.
 */
export async function applyObject<T extends KubeObject>(
  client: KubeClient,
  desired: T,
  options: ApplyOptions<T> = {},
): Promise<ApplyResult<T>> {
  const { apiVersion, kind: kindName } = desired;
  const name = desired.metadata?.name;
  const namespace = desired.metadata?.namespace;
  if (!apiVersion || !kindName || !name)
    throw new Error("applyObject: apiVersion, kind and metadata.name are required");
  const kind = options.kind ?? lookupKind(apiVersion, kindName);
  if (!kind) throw new Error(`applyObject: no resource declared for ${apiVersion} ${kindName}`);
  const fieldManager = options.fieldManager ?? FIELD_MANAGER;

  const live = options.cache?.get(name, namespace) ?? (await readLive<T>(client, kind, name, namespace));
  if (live) {
    const refusal = refuseTakeover(kind, desired, live, options.adopt ?? false);
    if (refusal) return { outcome: "notOwned", object: live, ...refusal };
    if (isUpToDate(live, desired, fieldManager)) return { outcome: "unchanged", object: live };
  }
  const object = await client.apply<T>(kind, desired, { fieldManager, force: options.force ?? true });
  return { outcome: live ? "updated" : "created", object };
}

async function readLive<T extends KubeObject>(
  client: KubeClient,
  kind: ResourceKind,
  name: string,
  namespace: string | undefined,
): Promise<T | undefined> {
  try {
    return await client.get<T>(kind, name, namespace);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function refuseTakeover(
  kind: ResourceKind,
  desired: KubeObject,
  live: KubeObject,
  adopt: boolean,
): { reason: NotOwnedReason; message: string } | undefined {
  const wanted = getControllerOf(desired);
  if (!wanted) return undefined;
  const current = getControllerOf(live);
  const what = `${kindLabel(kind)} ${live.metadata?.namespace ? `${live.metadata.namespace}/` : ""}${live.metadata?.name}`;
  if (current && current.uid !== wanted.uid) {
    return {
      reason: "OwnedByAnotherController",
      message: `${what} exists and is controlled by ${current.kind} ${current.name}; not taking it over`,
    };
  }
  if (!current && !adopt) {
    return {
      reason: "ExistsWithoutOwner",
      message: `${what} exists and was not created by this ${wanted.kind}; delete or rename it to let the operator manage it`,
    };
  }
  return undefined;
}

/** True when applying `desired` would change nothing. */
export function isUpToDate(
  live: KubeObject,
  desired: KubeObject,
  fieldManager: string = FIELD_MANAGER,
): boolean {
  const { status: _status, ...desiredWithoutStatus } = desired;
  if (!containsFields(live, desiredWithoutStatus)) return false;
  // A field we applied before but no longer want is removed by applying without it; a pure
  // "live contains desired" check would never notice it is still there.
  const managed = (live.metadata?.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
  const ours = managed.filter(appliedBy(fieldManager));
  return ours.every((entry) => !ownsFieldOutside(entry.fieldsV1 ?? {}, desiredWithoutStatus));
}

/** The managedFields entry of what `fieldManager` applied to the object itself (not a subresource). */
const appliedBy = (fieldManager: string) => (entry: ManagedFieldsEntry) =>
  entry.manager === fieldManager && entry.operation === "Apply" && !entry.subresource;

/**
 * Drops, in place, the managedFields entries isUpToDate never reads: other managers' (the
 * controller-manager's status, a kubelet's, a user's), and ours from updates or subresources.
 * On a real cluster these are much of a cached object's size (a pod's spec, field by field),
 * and the informers hold every object of their kinds. In place because client-node's ListWatch
 * keeps the same object in its own cache.
 */
export function keepOwnAppliedFields(obj: KubeObject, fieldManager: string = FIELD_MANAGER): void {
  const managed = obj.metadata?.managedFields as ManagedFieldsEntry[] | undefined;
  if (!managed) return;
  const ours = managed.filter(appliedBy(fieldManager));
  if (ours.length !== managed.length) obj.metadata!.managedFields = ours as never;
}

/**
 * Walks a managedFields `fieldsV1` set and reports whether it names a field that `value`
 * does not set. `f:` is a field, `k:` a list element by its key fields, `v:` a set member,
 * `i:` a list index, `.` the node itself.
 */
export function ownsFieldOutside(fields: Record<string, unknown>, value: unknown): boolean {
  for (const [path, sub] of Object.entries(fields)) {
    if (path === ".") continue;
    const children = (sub ?? {}) as Record<string, unknown>;
    let child: unknown;
    if (path.startsWith("f:")) {
      child = isRecord(value) ? value[path.slice(2)] : undefined;
    } else if (path.startsWith("k:")) {
      const key = parseJson(path.slice(2));
      child =
        Array.isArray(value) && isRecord(key) ? value.find((item) => matchesListKey(item, key)) : undefined;
    } else if (path.startsWith("v:")) {
      const member = parseJson(path.slice(2));
      child = Array.isArray(value) && value.some((item) => deepEqual(item, member)) ? member : undefined;
    } else if (path.startsWith("i:")) {
      child = Array.isArray(value) ? value[Number(path.slice(2))] : undefined;
    } else {
      continue;
    }
    if (child === undefined) return true;
    if (ownsFieldOutside(children, child)) return true;
  }
  return false;
}

/**
 * A list-map key such as {"containerPort":8080,"protocol":"TCP"}: the desired element may
 * omit a key field the apiserver defaulted (protocol), so only the fields it sets must match.
 */
function matchesListKey(item: unknown, key: Record<string, unknown>): boolean {
  if (!isRecord(item)) return false;
  const present = Object.entries(key).filter(([field]) => item[field] !== undefined);
  return present.length > 0 && present.every(([field, v]) => deepEqual(item[field], v));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
