// The structural type information that merge strategies need: which maps are granular or
// atomic, which lists are atomic, sets or maps (and by which keys), and how strategic merge
// patch treats a list. Built-in kinds get it from built-in-types.ts; custom resources from
// their CRD's openAPIV3Schema. Where a type says nothing the apiserver's "deduced" rules apply:
// maps are granular, lists are atomic.

export interface TypeNode {
  /** Declared fields of a struct-like object. */
  fields?: Record<string, TypeNode>;
  /** Type of the values of a map (OpenAPI additionalProperties). */
  values?: TypeNode;
  /** Type of list items. */
  items?: TypeNode;
  /** `atomic` maps are owned and replaced as one value by server-side apply. */
  mapType?: "granular" | "atomic";
  /** Server-side apply list semantics (`x-kubernetes-list-type`); unset means atomic. */
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
  /** Values a list-map key takes when an item omits it (e.g. `protocol: TCP` for ports). */
  listMapKeyDefaults?: Record<string, unknown>;
  /** Strategic merge patch: `merge` lists merge (by `patchMergeKey` for objects), otherwise they are replaced. */
  patchStrategy?: "merge" | "retainKeys" | "merge,retainKeys";
  patchMergeKey?: string;
  /** CRD `x-kubernetes-preserve-unknown-fields`: keep fields the schema does not declare. */
  preserveUnknownFields?: boolean;
  /** CRD schemas only: the node is fully typed, so undeclared fields are pruned. */
  structural?: boolean;
  /** CRD `nullable: true`; otherwise a null value is dropped like the apiserver does. */
  nullable?: boolean;
  /** CRD `default` for this node, applied when the field is absent. */
  default?: unknown;
  /** CRD `x-kubernetes-embedded-resource`: the value is an object with its own apiVersion/kind/metadata. */
  embeddedResource?: boolean;
  /** CRD `x-kubernetes-int-or-string`. */
  intOrString?: boolean;
}

/** The type of `key` inside a map-valued node, or undefined (deduced) when unknown. */
export function fieldType(node: TypeNode | undefined, key: string): TypeNode | undefined {
  if (!node) return undefined;
  return node.fields?.[key] ?? node.values;
}

export function isAtomicMap(node: TypeNode | undefined): boolean {
  return node?.mapType === "atomic";
}

export function listKind(node: TypeNode | undefined): "atomic" | "set" | "map" {
  return node?.listType ?? "atomic";
}

/** The key fields of one associative-list item, with defaults filled in, or undefined when one is missing. */
export function listItemKey(node: TypeNode, item: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(item)) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of node.listMapKeys ?? []) {
    const v = item[k] ?? node.listMapKeyDefaults?.[k];
    if (v === undefined || v === null) return undefined;
    key[k] = v;
  }
  return key;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  nullable?: boolean;
  default?: unknown;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "granular" | "atomic";
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  allOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
}

/** A CRD version's openAPIV3Schema as a TypeNode, with ObjectMeta's semantics under `metadata`. */
export function typeFromOpenApi(schema: unknown, objectMeta: TypeNode): TypeNode {
  const root = convert(schema as OpenApiSchema);
  root.fields = { ...root.fields, metadata: objectMeta };
  return root;
}

function convert(s: OpenApiSchema | undefined): TypeNode {
  if (!s) return {};
  const node: TypeNode = { structural: true };
  if (s.properties) {
    node.fields = {};
    for (const [k, v] of Object.entries(s.properties)) node.fields[k] = convert(v);
  }
  if (typeof s.additionalProperties === "object") node.values = convert(s.additionalProperties);
  else if (s.additionalProperties === true) node.preserveUnknownFields = true;
  if (s.items) node.items = convert(s.items);
  if (s["x-kubernetes-list-type"]) node.listType = s["x-kubernetes-list-type"];
  if (s["x-kubernetes-list-map-keys"]) node.listMapKeys = s["x-kubernetes-list-map-keys"];
  if (s["x-kubernetes-map-type"]) node.mapType = s["x-kubernetes-map-type"];
  if (s["x-kubernetes-preserve-unknown-fields"]) node.preserveUnknownFields = true;
  if (s["x-kubernetes-embedded-resource"]) node.embeddedResource = true;
  if (s["x-kubernetes-int-or-string"]) node.intOrString = true;
  if (s.nullable) node.nullable = true;
  if (s.default !== undefined) node.default = s.default;
  if (node.listType === "map" && node.items?.fields) {
    // Key fields with a schema default count as present when an item omits them.
    for (const k of node.listMapKeys ?? []) {
      const d = node.items.fields[k]?.default;
      if (d !== undefined) node.listMapKeyDefaults = { ...node.listMapKeyDefaults, [k]: d };
    }
  }
  return node;
}
