// The three kinds as CustomResourceDefinitions. This file is the one source for the CRD
// YAML (`npm run gen`), the emulator's registrations and the validation used in tests.
import { Type, type TSchema } from "@sinclair/typebox";
import { ModelDeploymentSpec, ModelDeploymentStatus } from "./modeldeployment.js";
import { ModerationServiceSpec, ModerationServiceStatus } from "./moderationservice.js";
import { PolicySpec, PolicyStatus } from "./policy.js";
import { DNS1035_LABEL } from "./schema.js";

export const GROUP = "moderation.vigil.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  description: string;
  spec: TSchema;
  status: TSchema;
  printerColumns: PrinterColumn[];
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
  /**
   * A stricter metadata.name than the DNS-1123 subdomain every custom resource has (name and
   * generateName are the only metadata fields a CRD schema may constrain).
   */
  name?: TSchema;
}

const condition = (type: string) => `.status.conditions[?(@.type=="${type}")]`;
const AGE: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

export const MODERATION_SERVICE: KindDefinition = {
  kind: "ModerationService",
  plural: "moderationservices",
  singular: "moderationservice",
  shortNames: ["modsvc"],
  categories: ["vigil", "all"],
  description:
    "A stable, autoscaled content-moderation endpoint serving the active revision of a ModelDeployment under a Policy.",
  spec: ModerationServiceSpec,
  status: ModerationServiceStatus,
  // operator/desired/names.ts: the name is the Service's name and a label value.
  name: Type.String({
    maxLength: 63,
    pattern: DNS1035_LABEL,
    description: "A DNS-1035 label: it names the Service and is a label value.",
  }),
  printerColumns: [
    { name: "Ready", type: "string", jsonPath: `${condition("Ready")}.status` },
    { name: "Model", type: "string", jsonPath: ".spec.modelRef.name" },
    { name: "Version", type: "string", jsonPath: ".status.activeRevision.modelVersion" },
    { name: "Phase", type: "string", jsonPath: ".status.rollout.phase" },
    { name: "Replicas", type: "integer", jsonPath: ".status.readyReplicas" },
    { name: "Policy", type: "string", jsonPath: ".spec.policyRef.name", priority: 1 },
    { name: "Endpoint", type: "string", jsonPath: ".status.endpoint", priority: 1 },
    { name: "Reason", type: "string", jsonPath: `${condition("Ready")}.reason`, priority: 1 },
    AGE,
  ],
  scale: {
    specReplicasPath: ".spec.replicas",
    statusReplicasPath: ".status.replicas",
    labelSelectorPath: ".status.selector",
  },
};

export const MODEL_DEPLOYMENT: KindDefinition = {
  kind: "ModelDeployment",
  plural: "modeldeployments",
  singular: "modeldeployment",
  shortNames: ["moddep"],
  categories: ["vigil", "all"],
  description: "An ONNX model, the hardware it runs on and how a new version is rolled out (blue-green).",
  spec: ModelDeploymentSpec,
  status: ModelDeploymentStatus,
  printerColumns: [
    { name: "Model", type: "string", jsonPath: ".spec.model.name" },
    { name: "Version", type: "string", jsonPath: ".spec.model.version" },
    { name: "Active", type: "string", jsonPath: ".status.activeRevision.version" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Ready", type: "string", jsonPath: `${condition("Ready")}.status` },
    { name: "Reason", type: "string", jsonPath: `${condition("Degraded")}.reason`, priority: 1 },
    AGE,
  ],
};

export const POLICY: KindDefinition = {
  kind: "Policy",
  plural: "policies",
  singular: "policy",
  shortNames: ["modpol"],
  categories: ["vigil"],
  description:
    "Per-category thresholds, term lists and language overrides that turn model scores into actions.",
  spec: PolicySpec,
  status: PolicyStatus,
  printerColumns: [
    { name: "Valid", type: "string", jsonPath: `${condition("Valid")}.status` },
    { name: "Applied", type: "string", jsonPath: `${condition("Applied")}.status` },
    { name: "Default", type: "string", jsonPath: ".spec.defaultAction" },
    AGE,
  ],
};

export const KINDS = [MODERATION_SERVICE, MODEL_DEPLOYMENT, POLICY] as const;

/** The openAPIV3Schema of a kind: apiVersion/kind/metadata plus spec (required) and status. */
export function openAPIV3Schema(def: KindDefinition): Record<string, unknown> {
  const root = Type.Object(
    {
      apiVersion: Type.Optional(Type.String()),
      kind: Type.Optional(Type.String()),
      metadata: Type.Optional(
        Type.Unsafe(def.name ? { type: "object", properties: { name: def.name } } : { type: "object" }),
      ),
      spec: def.spec,
      status: Type.Optional(def.status),
    },
    { description: def.description },
  );
  return toPlainJson(root) as Record<string, unknown>;
}

export function buildCustomResourceDefinition(def: KindDefinition): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
      },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: openAPIV3Schema(def) },
          subresources: { status: {}, ...(def.scale ? { scale: def.scale } : {}) },
          additionalPrinterColumns: def.printerColumns,
        },
      ],
    },
  };
}

/** Drops TypeBox's symbol keys and undefined values so the output is plain, stable JSON. */
function toPlainJson(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}
