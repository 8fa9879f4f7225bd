// Field ownership (metadata.managedFields): who set which field, through which operation.
// `recordUpdate` implements what the apiserver does on create/update/patch, `apply` what it
// does on a server-side apply, including conflict detection and pruning.
import { ApiError, badRequest } from "../errors.js";
import { deepEqual } from "../json.js";
import type { TypeNode } from "../type-schema.js";
import type { KubeObject, ManagedFieldsEntry } from "../types.js";
import { FieldSet, pathToString } from "./fieldset.js";
import { compareObjects, fieldsOf } from "./fields-of.js";
import { mergeApplied, prune } from "./merge.js";

export interface Manager {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** Appliers keep one entry whatever API version they use; updaters get one per version. */
function sameIdentity(a: Omit<Manager, "fields" | "time">, b: Omit<Manager, "fields" | "time">): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "") &&
    (a.operation === "Apply" || a.apiVersion === b.apiVersion)
  );
}

export function decodeManagedFields(entries: unknown): Manager[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw badRequest("metadata.managedFields must be a list");
  return entries.map((raw, i) => {
    const e = raw as Partial<ManagedFieldsEntry>;
    if (typeof e.manager !== "string" || (e.operation !== "Apply" && e.operation !== "Update"))
      throw badRequest(`metadata.managedFields[${i}]: needs manager and operation Apply or Update`);
    const m: Manager = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion ?? "",
      fields: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    if (e.time) m.time = e.time;
    if (e.subresource) m.subresource = e.subresource;
    return m;
  });
}

/** Encodes managers the way the apiserver stores them: empty ones dropped, Apply first, then by time. */
export function encodeManagedFields(managers: Manager[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => !m.fields.isEmpty())
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        cmp(p.time ?? "", q.time ?? "") ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? "", q.subresource ?? ""),
    )
    .map((m) => {
      const e: ManagedFieldsEntry = {
        manager: m.manager,
        operation: m.operation,
        apiVersion: m.apiVersion,
        ...(m.time ? { time: m.time } : {}),
        fieldsType: "FieldsV1",
        fieldsV1: m.fields.toFieldsV1(),
      };
      if (m.subresource) e.subresource = m.subresource;
      return e;
    });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface OperationContext {
  manager: string;
  apiVersion: string;
  subresource?: string;
  /** RFC 3339, second precision, as managedFields carry it. */
  now: string;
  /** Keeps the fields this endpoint may own (no status on the main resource, only status on /status). */
  restrict: (fields: FieldSet) => FieldSet;
  type: TypeNode;
}

/** Ownership after a create/update/non-apply patch from `before` to `after`. */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  managers: Manager[],
  ctx: OperationContext,
): Manager[] {
  const c = compareObjects(before ?? {}, after, ctx.type);
  const changed = ctx.restrict(c.added.union(c.modified));
  const removed = ctx.restrict(c.removed);
  const next = managers.map((m) => ({ ...m, fields: m.fields.difference(changed).difference(removed) }));
  if (!changed.isEmpty()) {
    const self = {
      manager: ctx.manager,
      operation: "Update" as const,
      apiVersion: ctx.apiVersion,
      ...sub(ctx),
    };
    const existing = next.find((m) => sameIdentity(m, self));
    if (existing) {
      existing.fields = existing.fields.union(changed);
      existing.time = ctx.now;
    } else next.push({ ...self, time: ctx.now, fields: changed });
  }
  return next.filter((m) => !m.fields.isEmpty());
}

function sub(ctx: OperationContext): { subresource?: string } {
  return ctx.subresource ? { subresource: ctx.subresource } : {};
}

export interface ApplyResult {
  object: KubeObject;
  managers: Manager[];
}

/**
 * A server-side apply of `config` by `ctx.manager` onto `live` (undefined when creating).
 * `reset` restores what this endpoint may not change (e.g. status on the main resource)
 * before ownership is computed. Throws a 409 listing the conflicts unless `force`.
 */
export function apply(
  live: KubeObject | undefined,
  config: KubeObject,
  managers: Manager[],
  ctx: OperationContext,
  force: boolean,
  reset: (candidate: KubeObject) => KubeObject,
): ApplyResult {
  const base = live ?? {};
  const self = { manager: ctx.manager, operation: "Apply" as const, apiVersion: ctx.apiVersion, ...sub(ctx) };
  const configFields = ctx.restrict(fieldsOf(config, ctx.type));
  const previous = managers.find((m) => sameIdentity(m, self));
  const lastApplied = previous?.fields ?? new FieldSet();

  let next: Manager[] = managers.filter((m) => m !== previous);
  const applier: Manager = {
    ...self,
    fields: configFields,
    ...(previous?.time ? { time: previous.time } : {}),
  };
  next.push(applier);

  const merged = mergeApplied(base, config, ctx.type) as KubeObject;
  const owned = next.reduce((acc, m) => acc.union(m.fields), new FieldSet());
  const pruned = reset(prune(merged, lastApplied, owned, ctx.type) as KubeObject);

  const c = compareObjects(base, pruned, ctx.type);
  const changed = ctx.restrict(c.added.union(c.modified));
  const removed = ctx.restrict(c.removed);
  const conflicts: { manager: Manager; paths: string[][] }[] = [];
  for (const m of next) {
    if (m === applier) continue;
    const overlap = m.fields.intersection(changed);
    if (!overlap.isEmpty()) conflicts.push({ manager: m, paths: overlap.paths() });
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  next = next
    .map((m) => (m === applier ? m : { ...m, fields: m.fields.difference(changed).difference(removed) }))
    .filter((m) => !m.fields.isEmpty());
  if (!deepEqual(stripMeta(base), stripMeta(pruned)) || !previous) applier.time = ctx.now;
  return { object: pruned, managers: next };
}

function stripMeta(o: KubeObject): KubeObject {
  const { metadata, ...rest } = o;
  if (!metadata) return rest;
  const { managedFields: _mf, resourceVersion: _rv, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

/** `"name"`, `"name" with subresource "status"`, `"name" using apps/v1`, as the apiserver prints managers. */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion}`;
  return s;
}

function conflictError(conflicts: { manager: Manager; paths: string[][] }[]): ApiError {
  const all = conflicts.flatMap((c) => c.paths.map((p) => ({ manager: c.manager, path: pathToString(p) })));
  let message: string;
  if (all.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(all[0]!.manager)}: ${all[0]!.path}`;
  } else {
    const lines: string[] = [];
    for (const c of [...conflicts].sort((a, b) => cmp(printManager(a.manager), printManager(b.manager)))) {
      lines.push(`conflicts with ${printManager(c.manager)}:`);
      for (const p of c.paths) lines.push(`- ${pathToString(p)}`);
    }
    message = `Apply failed with ${all.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, {
    causes: all.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${printManager(c.manager)}`,
      field: c.path,
    })),
  });
}
