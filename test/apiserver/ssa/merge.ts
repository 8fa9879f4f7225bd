// Server-side apply's two object operations: merging an applied configuration into the live
// object (associative lists by key, sets by value, atomic values replaced) and pruning the
// fields a manager applied last time, no longer applies, and nobody else owns.
import { fieldType, isAtomicMap, isPlainObject, listKind, type TypeNode } from "../type-schema.js";
import { field, type FieldSet } from "./fieldset.js";
import { listElement } from "./fields-of.js";

export function mergeApplied(
  live: unknown,
  config: unknown,
  type: TypeNode | undefined,
  path: string[] = [],
): unknown {
  if (config === undefined) return live;
  if (isPlainObject(config)) {
    if (isAtomicMap(type) || !isPlainObject(live)) return structuredClone(config);
    const out: Record<string, unknown> = { ...live };
    for (const [k, v] of Object.entries(config))
      out[k] = mergeApplied(live[k], v, fieldType(type, k), [...path, field(k)]);
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live) && type && listKind(type) !== "atomic")
    return mergeList(live, config, type, path);
  return structuredClone(config);
}

/**
 * structured-merge-diff's list merge: items both sides share follow the applied order, items
 * only in the live list keep their place relative to them, new items go where the applied
 * configuration puts them.
 */
function mergeList(live: unknown[], config: unknown[], type: TypeNode, path: string[]): unknown[] {
  const lhs = live.map((item) => ({ el: listElement(type, item, path), item }));
  const rhs = config.map((item) => ({ el: listElement(type, item, path), item }));
  const lhsByEl = new Map(lhs.map((x) => [x.el, x.item]));
  const rhsByEl = new Map(rhs.map((x) => [x.el, x.item]));
  const shared = rhs.filter((x) => lhsByEl.has(x.el)).map((x) => x.el);
  let nextShared = shared.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (el: string): unknown =>
    listKind(type) === "set"
      ? (rhsByEl.get(el) ?? lhsByEl.get(el))
      : mergeApplied(lhsByEl.get(el), rhsByEl.get(el), type.items, [...path, el]);
  let l = 0;
  let r = 0;
  while (l < lhs.length || r < rhs.length) {
    if (l < lhs.length && r < rhs.length) {
      const el = lhs[l]!.el;
      if (el === rhs[r]!.el) {
        merged.add(el);
        out.push(mergeItem(el));
        l++;
        r++;
        nextShared = shared.shift();
        continue;
      }
      if (rhsByEl.has(el) && nextShared !== undefined && nextShared !== el) {
        l++;
        continue;
      }
    }
    if (l < lhs.length) {
      const el = lhs[l]!.el;
      if (!rhsByEl.has(el)) {
        out.push(lhs[l]!.item);
        l++;
        continue;
      }
      if (merged.has(el)) {
        l++;
        continue;
      }
    }
    if (r < rhs.length) {
      const el = rhs[r]!.el;
      merged.add(el);
      out.push(mergeItem(el));
      r++;
      if (nextShared === el) nextShared = shared.shift();
    }
  }
  return out;
}

/**
 * Removes from `value` every path of `last` (what the manager applied before) that no manager
 * owns now (`owned`, including the manager's new configuration). Maps and lists emptied by
 * the removal go too.
 */
export function prune(
  value: unknown,
  last: FieldSet,
  owned: FieldSet | undefined,
  type: TypeNode | undefined,
): unknown {
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [el, lastChild] of last.children) {
      if (!el.startsWith("f:")) continue;
      const name = el.slice(2);
      if (!(name in out)) continue;
      const ownedChild = owned?.child(el);
      if (lastChild.member && (!ownedChild || ownedChild.isEmpty())) {
        delete out[name];
        continue;
      }
      const before = out[name];
      const after = prune(before, lastChild, ownedChild, fieldType(type, name));
      if (becameEmpty(before, after)) delete out[name];
      else out[name] = after;
    }
    return out;
  }
  if (Array.isArray(value) && type && listKind(type) !== "atomic") {
    const out: unknown[] = [];
    for (const item of value) {
      const el = listElement(type, item, []);
      const lastChild = last.child(el);
      if (!lastChild) {
        out.push(item);
        continue;
      }
      const ownedChild = owned?.child(el);
      if (lastChild.member && (!ownedChild || ownedChild.isEmpty())) continue;
      out.push(listKind(type) === "map" ? prune(item, lastChild, ownedChild, type.items) : item);
    }
    return out;
  }
  return value;
}

function becameEmpty(before: unknown, after: unknown): boolean {
  const size = (v: unknown): number =>
    Array.isArray(v) ? v.length : isPlainObject(v) ? Object.keys(v).length : -1;
  return size(after) === 0 && size(before) > 0;
}
