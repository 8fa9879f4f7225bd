// Objects as the apiserver re-serializes them from Go types: metav1.Time fields in RFC 3339
// seconds ("2024-05-01T10:00:00Z"), metav1.MicroTime fields in microseconds, and `omitempty`
// lists and maps gone when empty. Clients that send JavaScript dates ("…:00.123Z") or
// `finalizers: []` get the canonical form back, as from a real cluster. Custom resource
// content is left alone (only its ObjectMeta is a Go type).
import { isPlainObject } from "./type-schema.js";
import type { KubeObject } from "./types.js";

const TIME_FIELDS = new Set([
  "creationTimestamp",
  "deletionTimestamp",
  "time",
  "lastTransitionTime",
  "lastUpdateTime",
  "lastProbeTime",
  "lastHeartbeatTime",
  "startTime",
  "completionTime",
  "lastScheduleTime",
  "lastSuccessfulTime",
  "lastScaleTime",
  "firstTimestamp",
  "lastTimestamp",
  "deprecatedFirstTimestamp",
  "deprecatedLastTimestamp",
  "startedAt",
  "finishedAt",
]);

const MICRO_TIME_FIELDS = new Set(["renewTime", "acquireTime", "eventTime", "lastObservedTime"]);

function canonical(value: string, micro: boolean): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  const iso = new Date(ms).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, "Z");
  const fraction = /\.(\d+)(Z|[+-]\d\d:\d\d)$/.exec(value)?.[1] ?? "";
  return iso.replace(/\.\d{3}Z$/, `.${(fraction + "000000").slice(0, 6)}Z`);
}

function walk(value: unknown): void {
  if (Array.isArray(value)) value.forEach(walk);
  else if (isPlainObject(value))
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" && TIME_FIELDS.has(k)) value[k] = canonical(v, false);
      else if (typeof v === "string" && MICRO_TIME_FIELDS.has(k)) value[k] = canonical(v, true);
      else walk(v);
    }
}

/** Map-typed fields of built-in kinds that disappear when empty. */
const OMIT_EMPTY_MAPS = new Set([
  "labels",
  "annotations",
  "data",
  "binaryData",
  "stringData",
  "matchLabels",
  "nodeSelector",
]);

function dropEmpty(value: unknown, builtIn: boolean): void {
  if (Array.isArray(value)) value.forEach((v) => dropEmpty(v, builtIn));
  else if (isPlainObject(value))
    for (const [k, v] of Object.entries(value)) {
      dropEmpty(v, builtIn);
      if (Array.isArray(v) && v.length === 0) delete value[k];
      else if (isPlainObject(v) && Object.keys(v).length === 0 && OMIT_EMPTY_MAPS.has(k)) delete value[k];
    }
}

/** Canonical times only (an applied configuration keeps its empty lists: they carry ownership). */
export function canonicalizeTimes(obj: KubeObject, builtIn: boolean): void {
  const target = builtIn ? obj : obj.metadata;
  if (target) walk(target);
}

/** Canonical times and no empty omitempty fields: everywhere for built-in kinds, in metadata for custom resources. */
export function canonicalize(obj: KubeObject, builtIn: boolean): void {
  const target = builtIn ? obj : obj.metadata;
  if (!target) return;
  walk(target);
  dropEmpty(target, builtIn);
}
