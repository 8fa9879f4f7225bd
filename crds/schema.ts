// Schema builders that keep TypeBox output a *structural* Kubernetes schema.
// TypeBox's Record() emits patternProperties and Union() emits arbitrary anyOf, neither of
// which the apiserver accepts in a CRD, so maps, quantities and passthrough objects go
// through these helpers instead.
import { Type, type TSchema, type Static, type TUnsafe, type SchemaOptions } from "@sinclair/typebox";

export interface CelRule {
  rule: string;
  message: string;
  /** JSONPath-ish path relative to the node, shown to the user in the rejection. */
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Attaches CEL `x-kubernetes-validations` to a schema node. */
export function withRules<T extends TSchema>(schema: T, ...rules: CelRule[]): T {
  return { ...schema, "x-kubernetes-validations": rules };
}

/** `map[string]T`: additionalProperties, the only map shape a structural schema allows. */
export function MapOf<T extends TSchema>(
  value: T,
  options: SchemaOptions = {},
): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ ...options, type: "object", additionalProperties: value });
}

/** Kubernetes quantity / IntOrString (e.g. "500m", 2, "25%"). */
export function IntOrString(options: SchemaOptions = {}): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({
    ...options,
    "x-kubernetes-int-or-string": true,
    anyOf: [{ type: "integer" }, { type: "string" }],
  });
}

/** An upstream Kubernetes object passed through as-is (affinity, tolerations, HPA behavior). */
export function Passthrough<T = Record<string, unknown>>(options: SchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: "object", "x-kubernetes-preserve-unknown-fields": true });
}

export function PassthroughList<T = Record<string, unknown>>(options: SchemaOptions = {}): TUnsafe<T[]> {
  return Type.Unsafe<T[]>({
    ...options,
    type: "array",
    items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  });
}

export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: "string", enum: [...values] });
}

export const LocalObjectReference = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 253,
      description: "Name of an object in the same namespace.",
    }),
  },
  { description: "Reference to an object in the same namespace." },
);

export const SecretKeyReference = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: "Secret name (same namespace)." }),
    key: Type.Optional(Type.String({ minLength: 1, description: "Key in the Secret. Default: `url`." })),
  },
  { description: "A key of a Secret in the same namespace; the value never appears in the CR." },
);

export const ResourceRequirements = Type.Object(
  {
    requests: Type.Optional(MapOf(IntOrString(), { description: "e.g. `cpu: 500m`, `memory: 1Gi`." })),
    limits: Type.Optional(MapOf(IntOrString())),
  },
  { description: "Container resources, as in a Pod spec." },
);

/** metav1.Condition, keyed by type in a list-map so server-side apply merges per condition. */
export const Condition = Type.Object({
  type: Type.String({ maxLength: 316 }),
  status: StringEnum(["True", "False", "Unknown"] as const),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
  lastTransitionTime: Type.String({ format: "date-time" }),
  reason: Type.String({ maxLength: 1024, minLength: 1 }),
  message: Type.String({ maxLength: 32768 }),
});
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Unsafe<Condition[]>({
  type: "array",
  items: Condition,
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
  description: "Standard conditions (metav1.Condition), one per type.",
});

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Minimal object metadata as the operator and runtime read it. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}
