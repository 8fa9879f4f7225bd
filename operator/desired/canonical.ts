// One canonical form for objects, used for hashing (revision, config hash) and for the YAML
// the operator writes (golden files, the Policy ConfigMap): the same object must always give
// the same bytes, whatever order its keys were built or read in.
import { createHash } from "node:crypto";

/** Keys that lead in Kubernetes objects and list items, in this order; the rest follow sorted. */
const LEADING_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace"];

function compareKeys(a: string, b: string): number {
  const ia = LEADING_KEYS.indexOf(a);
  const ib = LEADING_KEYS.indexOf(b);
  if (ia !== -1 || ib !== -1)
    return (ia === -1 ? LEADING_KEYS.length : ia) - (ib === -1 ? LEADING_KEYS.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A deep copy with object keys in canonical order and `undefined` members dropped. Array
 * order is kept: in Kubernetes objects it is meaningful (containers, env, tolerations).
 */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => canonicalize(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = canonicalize(member);
  }
  return out as T;
}

/** JSON of the canonical form: equal objects give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** First `length` hex characters of the sha256 of the canonical JSON. */
export function shortHash(value: unknown, length: number): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, length);
}
