// The /scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets
// and custom resources whose CRD declares `subresources.scale`.
import { ApiError, badRequest, conflict, STALE_OBJECT_MESSAGE, unsupportedMediaType } from "./errors.js";
import { applyJsonPatch, parseJsonPatch } from "./patch/json-patch.js";
import { applyMergePatch } from "./patch/merge-patch.js";
import type { ResourceService, WriteOptions, WriteResult } from "./resource-service.js";
import { PATCH_TYPES } from "./resource-service.js";
import type { ResourceType, ScaleSubresource } from "./resource-type.js";
import { labelSelectorToString } from "./selectors.js";
import { isPlainObject } from "./type-schema.js";
import type { KubeObject } from "./types.js";

function segments(path: string): string[] {
  return path.replace(/^\./, "").split(".");
}

function read(obj: unknown, path: string): unknown {
  return segments(path).reduce<unknown>((cur, p) => (isPlainObject(cur) ? cur[p] : undefined), obj);
}

function write(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function spec(type: ResourceType): ScaleSubresource {
  if (!type.scale)
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  return type.scale;
}

export function toScale(type: ResourceType, obj: KubeObject): KubeObject {
  const s = spec(type);
  const selector = s.labelSelectorPath ? read(obj, s.labelSelectorPath) : undefined;
  const meta = obj.metadata ?? {};
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: Number(read(obj, s.specReplicasPath) ?? 0) },
    status: {
      replicas: Number(read(obj, s.statusReplicasPath) ?? 0),
      ...(selector === undefined
        ? {}
        : { selector: typeof selector === "string" ? selector : labelSelectorToString(selector) }),
    },
  };
}

export function getScale(
  service: ResourceService,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
): KubeObject {
  spec(type);
  return toScale(type, service.get(type, namespace, name));
}

export function updateScale(
  service: ResourceService,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  body: unknown,
  opts: WriteOptions,
): WriteResult {
  const s = spec(type);
  if (!isPlainObject(body)) throw badRequest("the request body must be a Scale object");
  const scale = body as KubeObject;
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
    throw new ApiError(
      422,
      "Invalid",
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  const obj = service.get(type, namespace, name);
  const rv = scale.metadata?.resourceVersion;
  if (rv && rv !== obj.metadata?.resourceVersion)
    throw conflict(type.plural, type.group, name, STALE_OBJECT_MESSAGE);
  write(obj, s.specReplicasPath, replicas);
  const result = service.update(type, namespace, name, obj, { ...opts, subresource: undefined });
  return { ...result, object: toScale(type, result.object) };
}

export function patchScale(
  service: ResourceService,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  contentType: string,
  rawBody: string,
  opts: WriteOptions,
): WriteResult {
  const current = getScale(service, type, namespace, name);
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  let patched: unknown;
  if (contentType === PATCH_TYPES.json) patched = applyJsonPatch(current, parseJsonPatch(body));
  else if (contentType === PATCH_TYPES.merge || contentType === PATCH_TYPES.strategic)
    patched = applyMergePatch(current, body);
  else throw unsupportedMediaType(contentType, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic]);
  return updateScale(service, type, namespace, name, patched, opts);
}
