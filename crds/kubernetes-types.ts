// Upstream Kubernetes types embedded in Vigil's specs, typed from the generated structural
// schemas (hack/upstream-schemas.ts), never hand-written: a misspelt field such as
// `nodeAfinity` is an unknown field at admission instead of being kept and ignored.
import type {
  V1Affinity,
  V1LabelSelector,
  V1Toleration,
  V2HorizontalPodAutoscalerBehavior,
} from "@kubernetes/client-node";
import { Type, type SchemaOptions, type TUnsafe } from "@sinclair/typebox";
import generated from "./generated/kubernetes-schemas.json" with { type: "json" };

type Schema = Record<string, unknown>;
const schemas = generated.schemas as Record<keyof typeof generated.schemas, Schema>;

function upstream<T>(schema: Schema, options: SchemaOptions): TUnsafe<T> {
  return Type.Unsafe<T>({ ...structuredClone(schema), ...options });
}

/** The values the kubelet and scheduler act on; upstream's schema only documents them. */
function withEnums(schema: Schema, enums: Record<string, readonly string[]>): Schema {
  const properties = { ...(schema.properties as Record<string, Schema>) };
  for (const [field, values] of Object.entries(enums))
    properties[field] = { ...properties[field], enum: [...values] };
  return { ...schema, properties };
}

export const TOLERATION_OPERATORS = ["Exists", "Equal"] as const;
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

export const Affinity = (options: SchemaOptions = {}) => upstream<V1Affinity>(schemas.Affinity, options);

export const Toleration = (options: SchemaOptions = {}) =>
  upstream<V1Toleration>(
    withEnums(schemas.Toleration, { operator: TOLERATION_OPERATORS, effect: TAINT_EFFECTS }),
    options,
  );

export const LabelSelector = (options: SchemaOptions = {}) =>
  upstream<V1LabelSelector>(schemas.LabelSelector, options);

export const HorizontalPodAutoscalerBehavior = (options: SchemaOptions = {}) =>
  upstream<V2HorizontalPodAutoscalerBehavior>(schemas.HorizontalPodAutoscalerBehavior, options);
