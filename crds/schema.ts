// Schema builders that keep TypeBox output a *structural* Kubernetes schema.
// TypeBox's Record() emits patternProperties and Union() emits arbitrary anyOf, neither of
// which the apiserver accepts in a CRD, so maps and quantities go through these helpers
// instead. The helpers also carry the bounds and syntax checks shared by all three kinds.
import {
  Type,
  type TInteger,
  type TSchema,
  type TString,
  type Static,
  type TUnsafe,
  type SchemaOptions,
} from "@sinclair/typebox";

export interface CelRule {
  rule: string;
  message: string;
  /** JSONPath-ish path relative to the node, shown to the user in the rejection. */
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Attaches CEL `x-kubernetes-validations` to a schema node. */
export function withRules<T extends TSchema>(schema: T, ...rules: CelRule[]): T {
  const existing = (schema as { "x-kubernetes-validations"?: CelRule[] })["x-kubernetes-validations"] ?? [];
  return { ...schema, "x-kubernetes-validations": [...existing, ...rules] };
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

export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: "string", enum: [...values] });
}

/** The largest value of an int32 field of a child object (replicas, seconds, percentages). */
export const INT32_MAX = 2147483647;

/** An integer copied into an int32 field of a child object: the child would refuse more. */
export function Int32(options: SchemaOptions = {}): TInteger {
  return Type.Integer({ format: "int32", maximum: INT32_MAX, ...options });
}

/** RFC 1123 subdomain: the names of Secrets, ConfigMaps, PVCs and custom resources. */
export const DNS1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** RFC 1035 label: Service names, which must start with a letter. */
export const DNS1035_LABEL = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
/** A Kubernetes label value (ValidateLabelValue); the empty string is left to minLength. */
export const LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

/** The name of an object in the same namespace: a name no object could have is refused. */
export function ObjectName(description: string): TString {
  return Type.String({ minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN, description });
}

/** A key of a Secret or ConfigMap (ValidateConfigMapKey). */
export function DataKey(description: string): TString {
  return Type.String({ minLength: 1, maxLength: 253, pattern: "^[-._a-zA-Z0-9]+$", description });
}

export const LocalObjectReference = Type.Object(
  { name: ObjectName("Name of an object in the same namespace.") },
  { description: "Reference to an object in the same namespace." },
);

export const SecretKeyReference = Type.Object(
  {
    name: ObjectName("Secret name (same namespace)."),
    key: Type.Optional(DataKey("Key in the Secret. Default: `url`.")),
  },
  { description: "A key of a Secret in the same namespace; the value never appears in the CR." },
);

/**
 * A resource.Quantity that is not negative ("500m", "1Gi", 2). `512MB`, `8 Gi` or `-500m`
 * would be accepted by an open int-or-string and then refused in the child Deployment.
 */
export function Quantity(options: SchemaOptions = {}): TUnsafe<number | string> {
  return withRules(IntOrString({ maxLength: 64, ...options }), {
    rule: "type(self) == int ? self >= 0 : isQuantity(self) && !quantity(self).isLessThan(quantity('0'))",
    message: "must be a non-negative quantity such as 500m, 2 or 1Gi",
  });
}

/** A PodDisruptionBudget count: a non-negative int32 or a percentage from 0% to 100%. */
export function PodCount(options: SchemaOptions = {}): TUnsafe<number | string> {
  return withRules(IntOrString({ maxLength: 4, ...options }), {
    rule: "type(self) == int ? self >= 0 && self <= 2147483647 : self.matches('^(100|[1-9]?[0-9])%$')",
    message: "must be a non-negative number of pods or a percentage from 0% to 100%, such as 1 or 25%",
  });
}

/** An IPv4 or IPv6 CIDR such as 10.0.0.0/8, as NetworkPolicy ipBlock takes it. */
export function Cidr(options: SchemaOptions = {}): TString {
  return withRules(Type.String({ maxLength: 64, ...options }), {
    rule: "isCIDR(self)",
    message: "must be a CIDR such as 10.0.0.0/8 or fd00::/8",
  });
}

/** A resource name such as `cpu`, `memory` or `nvidia.com/gpu` (a qualified name). */
const ResourceMap = (description?: string) =>
  MapOf(Quantity(), { maxProperties: 16, ...(description !== undefined && { description }) });

export const ResourceRequirements = Type.Object(
  {
    requests: Type.Optional(ResourceMap("e.g. `cpu: 500m`, `memory: 1Gi`.")),
    limits: Type.Optional(ResourceMap()),
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
