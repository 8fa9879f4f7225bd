// Turns a request into what it addresses, like the apiserver's RequestInfoFactory:
// `/api/v1/namespaces/ns/configmaps/name`, `/apis/apps/v1/deployments`,
// `/api/v1/namespaces/ns/status`, legacy `/watch/` paths, and discovery paths.
import type { Verb } from "./types.js";

export interface ResourceRequest {
  kind: "resource";
  verb: Verb;
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface DiscoveryRequest {
  kind: "discovery";
  /** `/api`, `/apis`, `/api/v1`, `/apis/<group>`, `/apis/<group>/<version>`, `/version`, health. */
  target: "api" | "apis" | "group" | "groupVersion" | "version" | "health";
  group?: string;
  version?: string;
}

export type RequestInfo = ResourceRequest | DiscoveryRequest | { kind: "unknown" };

/** Subresources of a namespace: `/api/v1/namespaces/<name>/status` addresses the namespace itself. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function parseRequest(method: string, url: URL): RequestInfo {
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { kind: "unknown" };
  if (parts[0] === "version" && parts.length === 1) return { kind: "discovery", target: "version" };
  if (["healthz", "livez", "readyz"].includes(parts[0]!)) return { kind: "discovery", target: "health" };

  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api") {
    if (parts.length === 1) return { kind: "discovery", target: "api" };
    group = "";
    version = parts[1]!;
    rest = parts.slice(2);
    if (rest.length === 0) return { kind: "discovery", target: "groupVersion", group, version };
  } else if (parts[0] === "apis") {
    if (parts.length === 1) return { kind: "discovery", target: "apis" };
    if (parts.length === 2) return { kind: "discovery", target: "group", group: parts[1]! };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
    if (rest.length === 0) return { kind: "discovery", target: "groupVersion", group, version };
  } else return { kind: "unknown" };

  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (!resource) return { kind: "unknown" };
  // `/api/v1/namespaces/x` and `/api/v1/namespaces/x/status` name the namespace object itself.
  const isNamespaceObject = resource === "namespaces" && rest.length >= 2;
  const info: ResourceRequest = {
    kind: "resource",
    verb: verbOf(method, name !== undefined, watchPath || (name === undefined && isWatch(url))),
    group,
    version,
    resource,
  };
  if (isNamespaceObject) {
    info.name = rest[1]!;
    if (rest[2]) info.subresource = rest[2];
  } else {
    if (namespace !== undefined) info.namespace = namespace;
    if (name !== undefined) info.name = name;
    if (subresource !== undefined) info.subresource = subresource;
  }
  if (rest.length > 3) return { kind: "unknown" };
  return info;
}

function isWatch(url: URL): boolean {
  const w = url.searchParams.get("watch");
  return w === "true" || w === "1";
}

function verbOf(method: string, hasName: boolean, watch: boolean): Verb {
  switch (method) {
    case "GET":
      if (watch) return "watch";
      return hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return "get";
  }
}
