// Which resources the emulator serves: the built-in kinds plus one entry per served version
// of every established CustomResourceDefinition.
import { objectMeta } from "./built-in-types.js";
import { builtInResourceTypes } from "./built-in-kinds.js";
import type { ResourceType, ScaleSubresource } from "./resource-type.js";
import { typeFromOpenApi } from "./type-schema.js";
import type { KubeObject } from "./types.js";

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: object; scale?: ScaleSubresource };
}

export interface CrdSpec {
  group: string;
  scope: "Namespaced" | "Cluster";
  names: {
    kind: string;
    plural: string;
    singular?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

export class ResourceRegistry {
  private readonly types: ResourceType[] = builtInResourceTypes();

  all(): readonly ResourceType[] {
    return this.types;
  }

  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Any served version of a group/kind (owner references name a version that may not be served). */
  anyVersionOfKind(group: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.kind === kind);
  }

  /** Every version of the resource stored under `storageKey`. */
  versionsOf(storageKey: string): ResourceType[] {
    return this.types.filter((t) => t.storageKey === storageKey);
  }

  /** Served group versions, in the order discovery lists them (core first, then by group). */
  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }

  /** Serves the custom resources a CRD defines (replacing what an earlier revision defined). */
  registerCrd(crd: KubeObject): void {
    const name = crd.metadata?.name ?? "";
    this.unregisterCrd(name);
    const spec = crd.spec as CrdSpec;
    for (const v of spec.versions) {
      if (v.served === false) continue;
      const schema = v.schema?.openAPIV3Schema;
      this.types.push({
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        listKind: spec.names.listKind ?? `${spec.names.kind}List`,
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        shortNames: spec.names.shortNames ?? [],
        categories: spec.names.categories ?? [],
        namespaced: spec.scope === "Namespaced",
        hasStatus: v.subresources?.status !== undefined,
        ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
        generation: "non-metadata",
        type: typeFromOpenApi(schema, objectMeta),
        ...(schema ? { schema } : {}),
        crdName: name,
        storageKey: `${spec.group}/${spec.names.plural}`,
        strategicMergePatch: false,
        returnDeletedObject: true,
        defaultPropagation: "Background",
        fieldSelectors: {},
        dnsLabelNames: false,
      });
    }
  }

  unregisterCrd(name: string): void {
    for (let i = this.types.length - 1; i >= 0; i--)
      if (this.types[i]!.crdName === name) this.types.splice(i, 1);
  }
}
