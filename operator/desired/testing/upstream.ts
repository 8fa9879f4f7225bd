// Test support: checks a built object against the upstream Kubernetes schemas, so a typo in a
// field name or a wrong type fails a test instead of a cluster.
// - kubernetes-models (and @kubernetes-models/autoscaler for the VPA) validates types,
//   required fields, enums and formats, but admits unknown fields;
// - so unknown fields are found separately by walking the object along client-node's model
//   metadata (the wire names, `baseName`, of every field of every built-in type).
import * as k8s from "@kubernetes/client-node";
import { VerticalPodAutoscaler } from "@kubernetes-models/autoscaler/autoscaling.k8s.io/v1/VerticalPodAutoscaler";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";

interface Validatable {
  validate(): void;
}

interface KindSchema {
  model: new (data: never) => Validatable;
  /** client-node model class name for the unknown-field walk; absent for CRD kinds. */
  clientType?: string;
}

const KINDS: Record<string, KindSchema> = {
  "v1/ServiceAccount": { model: ServiceAccount, clientType: "V1ServiceAccount" },
  "v1/ConfigMap": { model: ConfigMap, clientType: "V1ConfigMap" },
  "v1/Service": { model: Service, clientType: "V1Service" },
  "apps/v1/Deployment": { model: Deployment, clientType: "V1Deployment" },
  "policy/v1/PodDisruptionBudget": { model: PodDisruptionBudget, clientType: "V1PodDisruptionBudget" },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    model: HorizontalPodAutoscaler,
    clientType: "V2HorizontalPodAutoscaler",
  },
  "networking.k8s.io/v1/NetworkPolicy": { model: NetworkPolicy, clientType: "V1NetworkPolicy" },
  "batch/v1/CronJob": { model: CronJob, clientType: "V1CronJob" },
  "batch/v1/Job": { model: Job, clientType: "V1Job" },
  // Not a client-node type: field names are checked at compile time through the
  // IVerticalPodAutoscaler type the builder returns.
  "autoscaling.k8s.io/v1/VerticalPodAutoscaler": { model: VerticalPodAutoscaler },
};

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
}

type ModelClass = { getAttributeTypeMap(): AttributeType[] };

function modelClass(type: string): ModelClass | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[type];
  return typeof candidate === "function" && "getAttributeTypeMap" in candidate
    ? (candidate as ModelClass)
    : undefined;
}

/** Paths of fields in `value` that the client-node type `type` does not have. */
export function unknownFields(value: unknown, type: string, path = ""): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    return Array.isArray(value)
      ? value.flatMap((item, i) => unknownFields(item, array[1]!, `${path}[${i}]`))
      : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
      unknownFields(item, map[1]!, `${path}[${key}]`),
    );
  }
  const model = modelClass(type);
  if (!model || typeof value !== "object") return [];
  const attributes = model.getAttributeTypeMap();
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const attribute = attributes.find((a) => a.baseName === key);
    const here = path ? `${path}.${key}` : key;
    return attribute ? unknownFields(item, attribute.type, here) : [here];
  });
}

/** Throws with every problem found when `object` is not a valid instance of its upstream kind. */
export function validateUpstream(object: { apiVersion?: string; kind?: string }): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const schema = KINDS[key];
  if (!schema) throw new Error(`no upstream schema registered for ${key}`);
  const problems: string[] = [];
  try {
    new schema.model(object as never).validate();
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (schema.clientType) {
    problems.push(...unknownFields(object, schema.clientType).map((field) => `unknown field ${field}`));
  }
  if (problems.length > 0) throw new Error(`${key}: ${problems.join("; ")}`);
}
