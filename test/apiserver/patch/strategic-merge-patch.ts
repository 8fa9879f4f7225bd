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
  const orders: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys") continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value))
        out[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    if (key.startsWith(ELEMENT_ORDER)) {
      if (Array.isArray(value)) orders.push([key.slice(ELEMENT_ORDER.length), value]);
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
      out[key] = mergeList(Array.isArray(current) ? current : [], value, childType);
    } else {
      out[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = applyOrder(list, order, fieldType(type, field)?.patchMergeKey);
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(original: unknown[], patch: unknown[], type: TypeNode | undefined): unknown[] {
  const strategy = type?.patchStrategy ?? "";
  if (!strategy.includes("merge") || strategy === "retainKeys") return stripDirectives(patch) as unknown[];
  if (patch.some((p) => isPlainObject(p) && p.$patch === "replace"))
    return stripDirectives(patch.filter((p) => !(isPlainObject(p) && p.$patch === "replace"))) as unknown[];

  const mergeKey = type?.patchMergeKey;
  if (!mergeKey) {
    // A merging list of scalars: union, keeping the original order and appending new values.
    const out = [...original];
    for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
    return out;
  }
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

/** `$setElementOrder`: listed items first, in the given order; the rest keep their relative order. */
function applyOrder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (v: unknown): unknown => (mergeKey && isPlainObject(v) ? v[mergeKey] : v);
  const rank = (v: unknown): number => {
    const i = order.findIndex((o) => deepEqual(keyOf(o), keyOf(v)));
    return i < 0 ? order.length : i;
  };
  return list
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map(({ v }) => v);
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
