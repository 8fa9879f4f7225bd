// What the emulator knows about one served resource (one group/version/plural).
import type { TypeNode } from "./type-schema.js";

export interface ScaleSubresource {
  /** JSON path like `.spec.replicas`, as in a CRD's `subresources.scale`. */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Path of a string selector (CRDs), or `.spec.selector` for a built-in LabelSelector. */
  labelSelectorPath?: string;
}

/**
 * How `metadata.generation` moves: not at all (`none`), on spec changes (`spec`), on spec or
 * annotation changes (`spec+annotations`, Deployments), or on any change outside metadata and
 * status (`non-metadata`, custom resources and CRDs).
 */
export type GenerationPolicy = "none" | "spec" | "spec+annotations" | "non-metadata";

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  hasStatus: boolean;
  scale?: ScaleSubresource;
  generation: GenerationPolicy;
  /** Merge semantics (list keys, atomic maps) for patches and server-side apply. */
  type: TypeNode;
  /** Custom resources: the version's openAPIV3Schema (validation and pruning). */
  schema?: Record<string, unknown>;
  /** Custom resources: the CRD that defines them. */
  crdName?: string;
  /** Objects are shared by all versions of a group/plural; this is that key. */
  storageKey: string;
  /** Strategic merge patch exists only for built-in kinds. */
  strategicMergePatch: boolean;
  /** DELETE answers with the object instead of a Status (custom resources, namespaces). */
  returnDeletedObject: boolean;
  /** Default propagation when a DELETE names none (batch/v1 Jobs orphan for compatibility). */
  defaultPropagation: "Background" | "Orphan";
  /** Field selector keys besides metadata.name/metadata.namespace, with how to read them. */
  fieldSelectors: Record<string, (obj: Record<string, unknown>) => string | undefined>;
  /** Names must be DNS labels (63 chars, no dots) rather than DNS subdomains. */
  dnsLabelNames: boolean;
}

export function apiVersionOf(t: Pick<ResourceType, "group" | "version">): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}
