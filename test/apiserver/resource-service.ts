// The apiserver's request pipeline for one resource, independent of HTTP: decode, check
// namespace and preconditions, apply the registry strategy, admit (defaults, pruning,
// validation), track field ownership, and persist unless nothing changed. The HTTP layer,
// the controller simulator and the built-in controllers all write through here.
import { parseManifest as parseYaml } from "../../crds/kubectl-yaml.js";
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  notFound,
  STALE_OBJECT_MESSAGE,
  unsupportedMediaType,
  unsupportedRouteMediaType,
} from "./errors.js";
import { applyBuiltInDefaults } from "./defaults.js";
import { deepEqual } from "./json.js";
import { applyJsonPatch, parseJsonPatch } from "./patch/json-patch.js";
import { applyMergePatch } from "./patch/merge-patch.js";
import { applyStrategicMergePatch } from "./patch/strategic-merge-patch.js";
import type { ResourceRegistry } from "./registry.js";
import { apiVersionOf, type ResourceType } from "./resource-type.js";
import { matchesFields, matchesLabels, type FieldRequirement, type LabelSelector } from "./selectors.js";
import {
  apply,
  decodeManagedFields,
  encodeManagedFields,
  recordUpdate,
  type Manager,
  type OperationContext,
} from "./ssa/managed-fields.js";
import { objectKey, ResourceVersionTooOld, type ObjectStore } from "./store.js";
import { nowRfc3339, present, type ServerFields } from "./strategy.js";
import { canonicalize, canonicalizeTimes } from "./canonical.js";
import { isPlainObject } from "./type-schema.js";
import type { KubeObject } from "./types.js";
import { pruneAndDefault, strictUnknownFields, validateForWrite } from "./validation.js";

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

export interface WriteOptions {
  /** Field manager recorded in managedFields. */
  manager: string;
  /** Whether the client named the manager (server-side apply requires it). */
  managerGiven?: boolean;
  dryRun?: boolean;
  fieldValidation?: "Ignore" | "Warn" | "Strict";
  subresource?: string;
}

export interface WriteResult {
  object: KubeObject;
  /** 200, or 201 when the write created the object. */
  code: number;
  warnings: string[];
}

export interface ListOptions {
  labels: LabelSelector;
  fields: FieldRequirement[];
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

interface ContinueToken {
  v: "meta.k8s.io/v1";
  rv: number;
  start: string;
}

const GENERATE_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

export class ResourceService {
  constructor(
    readonly registry: ResourceRegistry,
    readonly store: ObjectStore,
    private readonly serverFields: ServerFields,
  ) {}

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(type.storageKey, scope(type, namespace), name);
    if (!obj) throw notFound(type.plural, type.group, name);
    return present(type, obj);
  }

  list(type: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult {
    let rv = this.store.resourceVersion;
    let start = "";
    let all: KubeObject[];
    if (opts.continueToken) {
      const token = decodeContinue(opts.continueToken);
      rv = token.rv;
      start = token.start;
      try {
        all = this.store.listAt(type.storageKey, rv, scope(type, namespace));
      } catch (err) {
        if (!(err instanceof ResourceVersionTooOld)) throw err;
        throw expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
        );
      }
    } else {
      all = this.store.list(type.storageKey, scope(type, namespace));
    }
    const matching = all
      .filter((o) => objectKey(o.metadata?.namespace, o.metadata?.name ?? "") > start)
      .filter((o) => matchesLabels(opts.labels, o.metadata?.labels) && matchesFields(opts.fields, o, type));
    const result: ListResult = { items: matching, resourceVersion: String(rv) };
    if (opts.limit && opts.limit > 0 && matching.length > opts.limit) {
      result.items = matching.slice(0, opts.limit);
      const last = result.items[result.items.length - 1]!;
      result.continueToken = encodeContinue({
        v: "meta.k8s.io/v1",
        rv,
        start: objectKey(last.metadata?.namespace, last.metadata?.name ?? ""),
      });
      if (opts.labels.length === 0 && opts.fields.length === 0)
        result.remainingItemCount = matching.length - opts.limit;
    }
    result.items = result.items.map((o) => present(type, o));
    return result;
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions): WriteResult {
    if (opts.subresource)
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `POST is not supported on ${type.plural}/${opts.subresource}`,
      );
    const obj = this.decode(type, body, namespace);
    const meta = obj.metadata!;
    if (meta.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name)
      throw invalid(type.kind, type.group, "", [
        {
          field: "metadata.name",
          message: "Required value: name or generateName is required",
          reason: "FieldValueRequired",
        },
      ]);
    this.checkNamespace(type, meta.namespace, true, meta.name);
    const managers =
      meta.managedFields && meta.managedFields.length > 0 ? decodeManagedFields(meta.managedFields) : [];
    this.serverFields.prepareForCreate(type, obj);
    const warnings = this.admit(type, obj, undefined, opts);
    if (this.store.get(type.storageKey, meta.namespace, meta.name))
      throw alreadyExists(type.plural, type.group, meta.name);
    meta.managedFields = encodeManagedFields(
      recordUpdate(undefined, withoutManagedFields(obj), managers, this.ctx(type, opts)),
    );
    return { object: this.persist(type, undefined, obj, opts), code: 201, warnings };
  }

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): WriteResult {
    const candidate = this.decode(type, body, namespace);
    if (candidate.metadata!.name !== name)
      throw badRequest(
        `the name of the object (${candidate.metadata!.name ?? ""}) does not match the name on the URL (${name})`,
      );
    const old = this.existing(type, namespace, name, opts.subresource);
    return this.updateFrom(type, old, candidate, opts);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    rawBody: string,
    opts: WriteOptions & { force?: boolean },
  ): WriteResult {
    if (contentType === PATCH_TYPES.apply) return this.apply(type, namespace, name, rawBody, opts);
    // Not a patch type at all: no route consumes it, and go-restful answers in its own words.
    if (!(Object.values(PATCH_TYPES) as string[]).includes(contentType)) throw unsupportedRouteMediaType();
    if (!acceptedPatchTypes(type).includes(contentType))
      throw unsupportedMediaType(contentType, acceptedPatchTypes(type));
    if (opts.force !== undefined)
      throw invalid("PatchOptions", "meta.k8s.io", "", [
        {
          field: "force",
          message: "Forbidden: may not be specified for non-apply patch",
          reason: "FieldValueForbidden",
        },
      ]);
    const body = parseJson(rawBody);
    const old = this.existing(type, namespace, name, opts.subresource);
    const current = present(type, old);
    let patched: unknown;
    if (contentType === PATCH_TYPES.json) patched = applyJsonPatch(current, parseJsonPatch(body));
    else if (contentType === PATCH_TYPES.merge) patched = applyMergePatch(current, body);
    else patched = applyStrategicMergePatch(current, body, type.type);
    if (!isPlainObject(patched)) throw new ApiError(422, "Invalid", "the patch did not result in an object");
    const candidate = patched as KubeObject;
    canonicalize(candidate, !type.crdName);
    if (candidate.metadata?.name !== name)
      throw badRequest(
        `the name of the object (${candidate.metadata?.name ?? ""}) does not match the name on the URL (${name})`,
      );
    return this.updateFrom(type, old, candidate, opts);
  }

  /** Server-side apply (`application/apply-patch+yaml`), creating the object when it does not exist. */
  private apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    rawBody: string,
    opts: WriteOptions & { force?: boolean },
  ): WriteResult {
    if (!opts.managerGiven)
      throw invalid("PatchOptions", "meta.k8s.io", "", [
        {
          field: "fieldManager",
          message: "Required value: is required for apply patch",
          reason: "FieldValueRequired",
        },
      ]);
    let parsed: unknown;
    try {
      parsed = parseYaml(rawBody);
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (!isPlainObject(parsed)) throw badRequest("apply patch must be an object");
    const config = parsed as KubeObject;
    if (!config.apiVersion || !config.kind)
      throw badRequest(`Object 'Kind' is missing in '${rawBody.slice(0, 200)}'`);
    this.checkTypeMeta(type, config);
    canonicalizeTimes(config, !type.crdName);
    const meta = (config.metadata ??= {});
    if (meta.name === undefined) meta.name = name;
    if (meta.name !== name)
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    this.checkNamespaceMatch(type, config, namespace);
    if (meta.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
    const ctx = this.ctx(type, opts);
    const force = opts.force === true;
    const old = this.store.get(type.storageKey, scope(type, namespace), name);
    if (!old) {
      if (opts.subresource) throw notFound(type.plural, type.group, name);
      this.checkNamespace(type, namespace, true, name);
      const result = apply(undefined, config, [], ctx, force, (o) => o);
      const obj = result.object;
      obj.metadata = { ...obj.metadata, name, ...(type.namespaced ? { namespace } : {}) };
      this.serverFields.prepareForCreate(type, obj);
      const warnings = this.admit(type, obj, undefined, opts);
      obj.metadata!.managedFields = encodeManagedFields(result.managers);
      return { object: this.persist(type, undefined, obj, opts), code: 201, warnings };
    }
    const live = withoutManagedFields(old);
    const result = apply(
      live,
      config,
      decodeManagedFields(old.metadata?.managedFields),
      ctx,
      force,
      (candidate) => this.serverFields.prepareForUpdate(type, old, candidate, opts.subresource),
    );
    const next = result.object;
    const warnings = this.admit(type, next, old, opts);
    next.metadata = { ...next.metadata, managedFields: encodeManagedFields(result.managers) };
    return { object: this.persist(type, old, next, opts), code: 200, warnings };
  }

  /** The update pipeline shared by PUT and non-apply PATCH. */
  private updateFrom(
    type: ResourceType,
    old: KubeObject,
    candidate: KubeObject,
    opts: WriteOptions,
  ): WriteResult {
    this.checkNamespaceMatch(type, candidate, old.metadata?.namespace);
    const rv = candidate.metadata?.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata?.resourceVersion)
      throw conflict(type.plural, type.group, old.metadata?.name ?? "", STALE_OBJECT_MESSAGE);
    const uid = candidate.metadata?.uid;
    if (uid && uid !== old.metadata?.uid)
      throw conflict(
        type.plural,
        type.group,
        old.metadata?.name ?? "",
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata?.uid ?? ""}`,
      );
    const managers = this.managersFor(old, candidate);
    const next = this.serverFields.prepareForUpdate(type, old, candidate, opts.subresource);
    const warnings = this.admit(type, next, old, opts);
    const tracked = recordUpdate(
      withoutManagedFields(old),
      withoutManagedFields(next),
      managers,
      this.ctx(type, opts),
    );
    next.metadata = { ...next.metadata, managedFields: encodeManagedFields(tracked) };
    return { object: this.persist(type, old, next, opts), code: 200, warnings };
  }

  /**
   * Starting ownership for an update: the live object's, unless the request sets
   * managedFields itself (`[{}]` clears them, as documented upstream).
   */
  private managersFor(old: KubeObject, candidate: KubeObject): Manager[] {
    const given = candidate.metadata?.managedFields;
    if (!given || given.length === 0 || deepEqual(given, old.metadata?.managedFields))
      return decodeManagedFields(old.metadata?.managedFields);
    if (given.length === 1 && Object.keys(given[0]!).length === 0) return [];
    return decodeManagedFields(given);
  }

  /**
   * Stores `next` unless it equals `old` (a no-op write keeps the resourceVersion and sends no
   * watch event); a deleting object whose last finalizer went away is removed instead.
   */
  persist(
    type: ResourceType,
    old: KubeObject | undefined,
    next: KubeObject,
    opts: Pick<WriteOptions, "dryRun">,
  ): KubeObject {
    if (old) next.metadata = { ...next.metadata, resourceVersion: old.metadata?.resourceVersion ?? "" };
    else if (next.metadata) delete next.metadata.resourceVersion;
    if (old && deepEqual(stripTypeMeta(old), stripTypeMeta(next))) return present(type, old);
    if (opts.dryRun) return present(type, next);
    if (old?.metadata?.deletionTimestamp && !hasFinalizers(next)) {
      const gone = this.store.remove(type.storageKey, next.metadata?.namespace, next.metadata?.name ?? "");
      return present(type, gone ?? next);
    }
    return present(type, this.store.put(type.storageKey, next));
  }

  /** Defaults, pruning and validation; returns warnings for the response. */
  private admit(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject | undefined,
    opts: WriteOptions,
  ): string[] {
    const warnings: string[] = [];
    if (type.schema) {
      const pruned = pruneAndDefault(obj, type.type);
      if (pruned.length > 0 && opts.fieldValidation === "Strict") throw strictUnknownFields(pruned);
      if (opts.fieldValidation !== "Ignore")
        for (const p of pruned) warnings.push(`unknown field "${p.slice(1)}"`);
    } else {
      dropNulls(obj);
      applyBuiltInDefaults(type.group, type.kind, obj);
    }
    canonicalize(obj, !type.crdName);
    if (type.group === "apiextensions.k8s.io" && type.kind === "CustomResourceDefinition")
      checkCrdName(type, obj);
    validateForWrite(type, obj, old);
    return warnings;
  }

  private ctx(type: ResourceType, opts: WriteOptions): OperationContext {
    const ctx: OperationContext = {
      manager: opts.manager,
      apiVersion: apiVersionOf(type),
      now: nowRfc3339(),
      restrict: (fields) =>
        opts.subresource === "status"
          ? fields.onlyUnder("f:status")
          : opts.subresource === "finalize"
            ? fields.onlyUnder("f:spec")
            : type.hasStatus
              ? fields.withoutPrefixes([["f:status"]])
              : fields,
      type: type.type,
    };
    if (opts.subresource) ctx.subresource = opts.subresource;
    return ctx;
  }

  /** A request body as an object of this type, with metadata and the URL's namespace. */
  private decode(type: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
    if (!isPlainObject(body)) throw badRequest("the request body must be a JSON or YAML object");
    const obj = structuredClone(body) as KubeObject;
    this.checkTypeMeta(type, obj);
    canonicalize(obj, !type.crdName);
    if (!isPlainObject(obj.metadata)) obj.metadata = {};
    this.checkNamespaceMatch(type, obj, namespace);
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    return obj;
  }

  private checkTypeMeta(type: ResourceType, obj: KubeObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(type))
      throw badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    if (obj.kind !== undefined && obj.kind !== type.kind)
      throw badRequest(
        `the kind in the data (${String(obj.kind)}) does not match the expected kind (${type.kind})`,
      );
  }

  private checkNamespaceMatch(type: ResourceType, obj: KubeObject, namespace: string | undefined): void {
    const meta = (obj.metadata ??= {});
    if (!type.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace && namespace && meta.namespace !== namespace)
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    if (namespace) meta.namespace = namespace;
    if (!meta.namespace)
      throw badRequest("the server could not find the requested resource: a namespace is required");
  }

  /** Namespaced writes need an existing namespace, and creates one that is not terminating. */
  private checkNamespace(
    type: ResourceType,
    namespace: string | undefined,
    creating: boolean,
    name: string,
  ): void {
    if (!type.namespaced || !namespace) return;
    const ns = this.store.get("/namespaces", undefined, namespace);
    if (!ns) throw notFound("namespaces", "", namespace);
    if (creating && ns.metadata?.deletionTimestamp) {
      const err = forbidden(
        type.plural,
        type.group,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
      err.details!.causes = [
        {
          reason: "NamespaceTerminating",
          message: `namespace ${namespace} is being terminated`,
          field: "metadata.namespace",
        },
      ];
      throw err;
    }
  }

  private existing(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    subresource?: string,
  ): KubeObject {
    if (subresource && !allowedSubresource(type, subresource))
      throw notFound(`${type.plural}/${subresource}`, type.group, name);
    const old = this.store.get(type.storageKey, scope(type, namespace), name);
    if (!old) throw notFound(type.plural, type.group, name);
    return old;
  }
}

function allowedSubresource(type: ResourceType, subresource: string): boolean {
  if (subresource === "status") return type.hasStatus;
  if (subresource === "finalize") return type.group === "" && type.kind === "Namespace";
  return false;
}

export function acceptedPatchTypes(type: ResourceType): string[] {
  return type.strategicMergePatch
    ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply]
    : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
}

function scope(type: ResourceType, namespace: string | undefined): string | undefined {
  return type.namespaced ? namespace : undefined;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

function randomSuffix(): string {
  let s = "";
  for (let i = 0; i < 5; i++)
    s += GENERATE_NAME_CHARS[Math.floor(Math.random() * GENERATE_NAME_CHARS.length)];
  return s;
}

export function hasFinalizers(obj: KubeObject): boolean {
  const specFinalizers =
    isPlainObject(obj.spec) && Array.isArray(obj.spec.finalizers) && obj.kind === "Namespace"
      ? obj.spec.finalizers
      : [];
  return (obj.metadata?.finalizers ?? []).length > 0 || specFinalizers.length > 0;
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  if (copy.metadata) delete copy.metadata.managedFields;
  return copy;
}

function stripTypeMeta(obj: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Built-in kinds are Go structs: a JSON null is the same as an absent field. */
function dropNulls(value: unknown): void {
  if (Array.isArray(value)) value.forEach(dropNulls);
  else if (isPlainObject(value))
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else dropNulls(v);
    }
}

function checkCrdName(type: ResourceType, crd: KubeObject): void {
  const spec = (crd.spec ?? {}) as {
    group?: string;
    names?: { plural?: string; kind?: string };
    versions?: unknown[];
  };
  const errors: { field: string; message: string; reason: string }[] = [];
  if (!spec.group)
    errors.push({ field: "spec.group", message: "Required value", reason: "FieldValueRequired" });
  if (!spec.names?.plural)
    errors.push({ field: "spec.names.plural", message: "Required value", reason: "FieldValueRequired" });
  if (!spec.names?.kind)
    errors.push({ field: "spec.names.kind", message: "Required value", reason: "FieldValueRequired" });
  if (!Array.isArray(spec.versions) || spec.versions.length === 0)
    errors.push({ field: "spec.versions", message: "Required value", reason: "FieldValueRequired" });
  const expected = `${spec.names?.plural ?? ""}.${spec.group ?? ""}`;
  if (crd.metadata?.name !== expected)
    errors.push({
      field: "metadata.name",
      message: `Invalid value: "${crd.metadata?.name ?? ""}": must be spec.names.plural+"."+spec.group`,
      reason: "FieldValueInvalid",
    });
  if (isProtectedGroup(spec.group ?? "") && !crd.metadata?.annotations?.[API_APPROVED])
    errors.push({
      field: `metadata.annotations[${API_APPROVED}]`,
      message: `Required value: protected groups must have approval annotation "${API_APPROVED}", see https://github.com/kubernetes/enhancements/pull/1111`,
      reason: "FieldValueRequired",
    });
  if (errors.length > 0) throw invalid(type.kind, type.group, crd.metadata?.name ?? "", errors);
}

const API_APPROVED = "api-approved.kubernetes.io";

/** Groups the Kubernetes project owns; a CRD there needs an API review (KEP-1111). */
function isProtectedGroup(group: string): boolean {
  return ["k8s.io", "kubernetes.io"].some((g) => group === g || group.endsWith(`.${g}`));
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeContinue(raw: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(raw, "base64url").toString()) as ContinueToken;
    if (token.v !== "meta.k8s.io/v1" || typeof token.rv !== "number" || typeof token.start !== "string")
      throw new Error();
    return token;
  } catch {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
}
