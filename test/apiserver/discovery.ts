// Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>`, `/apis/<g>/<v>`, `/version`)
// built from the registry, in the shapes client libraries and kubectl parse.
import { noSuchGroup, noSuchResource } from "./errors.js";
import type { ResourceRegistry } from "./registry.js";
import type { ResourceType } from "./resource-type.js";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function apiVersions(serverAddress: string): object {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDocument(group: string, versions: string[]): object {
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: ResourceRegistry): object {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry
      .groupVersions()
      .filter((g) => g.group !== "")
      .map((g) => groupDocument(g.group, g.versions)),
  };
}

export function apiGroup(registry: ResourceRegistry, group: string): object {
  const g = registry.groupVersions().find((x) => x.group === group);
  if (!g) throw noSuchGroup();
  return { kind: "APIGroup", apiVersion: "v1", ...groupDocument(g.group, g.versions) };
}

function resourceEntries(t: ResourceType): object[] {
  const main: Record<string, unknown> = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
  };
  if (t.shortNames.length > 0) main.shortNames = t.shortNames;
  if (t.categories.length > 0) main.categories = t.categories;
  const entries: object[] = [main];
  if (t.hasStatus)
    entries.push({
      name: `${t.plural}/status`,
      singularName: "",
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ["get", "patch", "update"],
    });
  if (t.scale)
    entries.push({
      name: `${t.plural}/scale`,
      singularName: "",
      namespaced: t.namespaced,
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: ["get", "patch", "update"],
    });
  return entries;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): object {
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0)
    throw registry.groupVersions().some((g) => g.group === group) ? noSuchResource() : noSuchGroup();
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

export function versionInfo(): object {
  return {
    major: "1",
    minor: "31",
    gitVersion: "v1.31.0-vigil-emulator",
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "2024-01-01T00:00:00Z",
    goVersion: "n/a",
    compiler: "n/a",
    platform: "linux/amd64",
  };
}
