// Strategic merge patch as the apiserver applies it to built-in kinds: maps merge, lists
// replace unless their Go type says `patchStrategy: merge` (then objects merge by
// `patchMergeKey` and scalars union), plus the directives `$patch` (replace/delete/merge),
// `$retainKeys`, `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`.
import { badRequest } from "../errors.js";
import { deepEqual } from "../json.js";
import { fieldType, isPlainObject, type TypeNode } from "../type-schema.js";

const DELETE_FROM = "$deleteFromPrimitiveList/";
const ELEMENT_ORDER = "$setElementOrder/";

export function applyStrategicMergePatch(original: unknown, patch: unknown, type: TypeNode): unknown {
  if (!isPlainObject(patch)) throw badRequest("strategic merge patch must be a JSON object");
  return mergeMap(isPlainObject(original) ? original : {}, patch, type);
}

function mergeMap(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  type: TypeNode | undefined,
): Record<string, unknown> | undefined {
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  if (directive === "replace") return stripDirectives(patch) as Record<string, unknown>;
  if (directive !== undefined && directive !== "merge")
    throw badRequest(`Unknown patch type: ${String(directive)}`);

  const out: Record<string, unknown> = { ...original };
  const orders = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch))
    if (key.startsWith(ELEMENT_ORDER) && Array.isArray(value))
      orders.set(key.slice(ELEMENT_ORDER.length), value);
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith(ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value))
        out[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const childType = fieldType(type, key);
    const current = out[key];
    if (isPlainObject(value)) {
      const merged = mergeMap(isPlainObject(current) ? current : {}, value, childType);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(Array.isArray(current) ? current : [], value, childType, orders.get(key));
    } else {
      out[key] = value;
    }
  }
  // A `$setElementOrder` without a patch for its list only reorders it.
  for (const [field, order] of orders) {
    const list = out[field];
    if (!(field in patch) && Array.isArray(list))
      out[field] = mergeList(list, [], fieldType(type, field), order);
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  type: TypeNode | undefined,
  elementOrder?: unknown[],
): unknown[] {
  const strategy = type?.patchStrategy ?? "";
  if (!strategy.includes("merge") || strategy === "retainKeys") return stripDirectives(patch) as unknown[];
  if (patch.some((p) => isPlainObject(p) && p.$patch === "replace"))
    return stripDirectives(patch.filter((p) => !(isPlainObject(p) && p.$patch === "replace"))) as unknown[];

  const mergeKey = type?.patchMergeKey;
  const merged = mergeKey ? mergeByKey(original, patch, type, mergeKey) : unionOfScalars(original, patch);
  return normalizeElementOrder(merged, elementOrder ?? patch, original, mergeKey);
}

/** A merging list of scalars: the original's values, then the patch's new ones (deduplicated). */
function unionOfScalars(original: unknown[], patch: unknown[]): unknown[] {
  const out = [...original];
  for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
  return out;
}

function mergeByKey(
  original: unknown[],
  patch: unknown[],
  type: TypeNode | undefined,
  mergeKey: string,
): unknown[] {
  const out = [...original];
  for (const item of patch) {
    if (!isPlainObject(item))
      throw badRequest(`expected a map in list ${mergeKey}, got ${JSON.stringify(item)}`);
    if (!(mergeKey in item))
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    const idx = out.findIndex((o) => isPlainObject(o) && deepEqual(o[mergeKey], item[mergeKey]));
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    const base = idx >= 0 && isPlainObject(out[idx]) ? (out[idx] as Record<string, unknown>) : {};
    const merged = mergeMap(base, item, type?.items);
    if (merged === undefined) {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = merged;
    else out.push(merged);
  }
  return out;
}

/**
 * The order upstream's strategicpatch gives a merged list (normalizeElementOrder and
 * mergeSortedSlice): items named by the patch (or by its `$setElementOrder`) in that order,
 * with the server-only items, in their live order, slotted in before the first patch item
 * they preceded in the live list. An item new to the list sorts before server-only items.
 */
function normalizeElementOrder(
  merged: unknown[],
  order: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const keyOf = (v: unknown): unknown => (mergeKey && isPlainObject(v) ? v[mergeKey] : v);
  const indexIn = (list: unknown[], v: unknown): number =>
    list.findIndex((o) => deepEqual(keyOf(o), keyOf(v)));
  const byIndexIn = (list: unknown[]) => (a: unknown, b: unknown) => indexIn(list, a) - indexIn(list, b);
  const patchItems = merged.filter((v) => indexIn(order, v) >= 0).sort(byIndexIn(order));
  const serverOnly = merged.filter((v) => indexIn(order, v) < 0).sort(byIndexIn(serverOrder));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patchItems[j++]);
    else {
      const left = indexIn(serverOrder, serverOnly[i]);
      const right = indexIn(serverOrder, patchItems[j]);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith(DELETE_FROM) || k.startsWith(ELEMENT_ORDER))
      continue;
    out[k] = stripDirectives(v);
  }
  return out;
}
