// Label selectors (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`) and field selectors
// (`=`, `==`, `!=` on the fields a resource supports), parsed from query strings the way
// the apiserver does, with its error messages for bad input.
import { badRequest } from "./errors.js";
import type { ResourceType } from "./resource-type.js";
import type { KubeObject } from "./types.js";

type Requirement =
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: "=" | "!="; values: [string] };

export type LabelSelector = Requirement[];

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, whole: string): void {
  if (!LABEL_KEY.test(key) || key.length > 317)
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${whole}"`);
}

function checkValue(value: string, whole: string): void {
  if (!LABEL_VALUE.test(value) || value.length > 63)
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${whole}"`);
}

export function parseLabelSelector(selector: string | null): LabelSelector {
  if (!selector) return [];
  const reqs: Requirement[] = [];
  for (const term of splitTopLevel(selector)) {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      checkKey(m[1]!, selector);
      values.forEach((v) => checkValue(v, selector));
      reqs.push({ key: m[1]!, op: m[2] as "in" | "notin", values });
    } else if ((m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      checkKey(m[1]!, selector);
      checkValue(m[3]!, selector);
      reqs.push({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] });
    } else if ((m = term.match(/^!\s*(\S+)$/))) {
      checkKey(m[1]!, selector);
      reqs.push({ key: m[1]!, op: "!exists" });
    } else if (/^\S+$/.test(term)) {
      checkKey(term, selector);
      reqs.push({ key: term, op: "exists" });
    } else {
      throw badRequest(
        `unable to parse requirement: found '${term}', expected: ',', '!=', '=', 'in', 'notin'`,
      );
    }
  }
  return reqs;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.every((r) => {
    const v = labels?.[r.key];
    switch (r.op) {
      case "exists":
        return v !== undefined;
      case "!exists":
        return v === undefined;
      case "=":
        return v === r.values[0];
      case "!=":
        return v !== r.values[0];
      case "in":
        return v !== undefined && r.values.includes(v);
      case "notin":
        return v === undefined || !r.values.includes(v);
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

export function parseFieldSelector(selector: string | null, type: ResourceType): FieldRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((term) => {
    const m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    if (field !== "metadata.name" && field !== "metadata.namespace" && !(field in type.fieldSelectors))
      throw badRequest(
        `"${field}" is not a known field selector: only ${["metadata.name", "metadata.namespace", ...Object.keys(type.fieldSelectors)].map((f) => `"${f}"`).join(", ")}`,
      );
    return { field, op: m[2] === "!=" ? "!=" : "=", value: m[3]!.trim() };
  });
}

function fieldValue(obj: KubeObject, field: string, type: ResourceType): string {
  if (field === "metadata.name") return obj.metadata?.name ?? "";
  if (field === "metadata.namespace") return obj.metadata?.namespace ?? "";
  return type.fieldSelectors[field]?.(obj) ?? "";
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject, type: ResourceType): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field, type) === r.value) === (r.op === "="));
}

/** A LabelSelector object (matchLabels/matchExpressions) as the string form `/scale` reports. */
export function labelSelectorToString(sel: unknown): string {
  if (typeof sel !== "object" || sel === null) return "";
  const s = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const parts = Object.entries(s.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
