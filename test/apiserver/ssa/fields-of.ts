// Which fields an object sets (what an applier owns) and which fields changed between two
// versions of an object (what an updater takes over), following structured-merge-diff:
// scalars, atomic maps/lists and list items are members; granular maps are only members
// when empty, or when an update adds them.
import { deepEqual } from "../json.js";
import { ApiError } from "../errors.js";
import {
  fieldType,
  isAtomicMap,
  isPlainObject,
  listItemKey,
  listKind,
  type TypeNode,
} from "../type-schema.js";
import { FieldSet, field, keyElement, valueElement } from "./fieldset.js";

/** Fields the apiserver never lets anyone own (identity and server-set metadata). */
export const STRIPPED_PATHS: string[][] = [
  ["f:apiVersion"],
  ["f:kind"],
  ["f:metadata"],
  ["f:metadata", "f:name"],
  ["f:metadata", "f:namespace"],
  ["f:metadata", "f:generateName"],
  ["f:metadata", "f:creationTimestamp"],
  ["f:metadata", "f:selfLink"],
  ["f:metadata", "f:uid"],
  ["f:metadata", "f:generation"],
  ["f:metadata", "f:managedFields"],
  ["f:metadata", "f:resourceVersion"],
  ["f:metadata", "f:deletionTimestamp"],
  ["f:metadata", "f:deletionGracePeriodSeconds"],
];

const STRIP_SET = (() => {
  const s = new FieldSet();
  for (const p of STRIPPED_PATHS) s.insert(p);
  return s;
})();

export function stripServerFields(set: FieldSet): FieldSet {
  return set.difference(STRIP_SET);
}

function invalidKey(path: string[], item: unknown, node: TypeNode): ApiError {
  return new ApiError(
    422,
    "Invalid",
    `.${path.map((p) => p.slice(2)).join(".")}: associative list with keys has an element that omits key field ` +
      `${JSON.stringify((node.listMapKeys ?? []).find((k) => !isPlainObject(item) || item[k] === undefined) ?? "")}` +
      ` (and doesn't have default value)`,
  );
}

/** The item's path element in an associative or set list. */
export function listElement(node: TypeNode, item: unknown, path: string[]): string {
  if (listKind(node) === "set") return valueElement(item);
  const key = listItemKey(node, item);
  if (!key) throw invalidKey(path, item, node);
  return keyElement(key);
}

/** The set of fields `value` specifies (structured-merge-diff's ToFieldSet). */
export function fieldsOf(value: unknown, type: TypeNode | undefined): FieldSet {
  const set = new FieldSet();
  walk(value, type, [], set);
  return stripServerFields(set);
}

function walk(value: unknown, type: TypeNode | undefined, path: string[], set: FieldSet): void {
  if (isPlainObject(value)) {
    if (path.length > 0 && (isAtomicMap(type) || Object.keys(value).length === 0)) {
      set.insert(path);
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, fieldType(type, k), [...path, field(k)], set);
    return;
  }
  if (Array.isArray(value) && type && listKind(type) !== "atomic") {
    for (const item of value) {
      const p = [...path, listElement(type, item, path)];
      set.insert(p);
      if (listKind(type) === "map" && isPlainObject(item) && !isAtomicMap(type.items))
        for (const [k, v] of Object.entries(item)) walk(v, fieldType(type.items, k), [...p, field(k)], set);
    }
    return;
  }
  set.insert(path);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `before` to `after` (structured-merge-diff's Compare). */
export function compareObjects(before: unknown, after: unknown, type: TypeNode | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compare(before, after, type, [], c);
  return {
    added: stripServerFields(c.added),
    modified: stripServerFields(c.modified),
    removed: stripServerFields(c.removed),
  };
}

function isGranularMap(v: unknown, type: TypeNode | undefined): v is Record<string, unknown> {
  return isPlainObject(v) && !isAtomicMap(type);
}

function isGranularList(v: unknown, type: TypeNode | undefined): v is unknown[] {
  return Array.isArray(v) && !!type && listKind(type) !== "atomic";
}

function compare(a: unknown, b: unknown, type: TypeNode | undefined, path: string[], c: Comparison): void {
  if (a === undefined && b === undefined) return;
  const mapA = a === undefined || isGranularMap(a, type);
  const mapB = b === undefined || isGranularMap(b, type);
  if (mapA && mapB && (isPlainObject(a) || isPlainObject(b))) {
    markPresence(a, b, path, c);
    const ao = (a ?? {}) as Record<string, unknown>;
    const bo = (b ?? {}) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)]))
      compare(ao[k], bo[k], fieldType(type, k), [...path, field(k)], c);
    return;
  }
  const listA = a === undefined || isGranularList(a, type);
  const listB = b === undefined || isGranularList(b, type);
  if (type && listA && listB && (Array.isArray(a) || Array.isArray(b))) {
    markPresence(a, b, path, c);
    const index = (list: unknown): Map<string, unknown> =>
      new Map(((list ?? []) as unknown[]).map((item) => [listElement(type, item, path), item]));
    const ia = index(a);
    const ib = index(b);
    for (const el of new Set([...ia.keys(), ...ib.keys()])) {
      const p = [...path, el];
      const itemA = ia.get(el);
      const itemB = ib.get(el);
      if (itemA === undefined) c.added.insert(p);
      else if (itemB === undefined) c.removed.insert(p);
      if (listKind(type) === "map" && !isAtomicMap(type.items)) {
        const oa = isPlainObject(itemA) ? itemA : {};
        const ob = isPlainObject(itemB) ? itemB : {};
        for (const k of new Set([...Object.keys(oa), ...Object.keys(ob)]))
          compare(
            itemA === undefined ? undefined : oa[k],
            itemB === undefined ? undefined : ob[k],
            fieldType(type.items, k),
            [...p, field(k)],
            c,
          );
      } else if (itemA !== undefined && itemB !== undefined && !deepEqual(itemA, itemB)) {
        c.modified.insert(p);
      }
    }
    return;
  }
  if (a === undefined) c.added.insert(path);
  else if (b === undefined) c.removed.insert(path);
  else if (!deepEqual(a, b)) c.modified.insert(path);
}

function markPresence(a: unknown, b: unknown, path: string[], c: Comparison): void {
  if (path.length === 0) return;
  if (a === undefined) c.added.insert(path);
  else if (b === undefined) c.removed.insert(path);
}
