// Objects the contract tests create: a small test CRD (installed through the API, so it works
// on a real cluster too) and minimal valid built-in objects.
import type { KubeConfig, V1Deployment } from "@kubernetes/client-node";
import { ApiextensionsV1Api } from "@kubernetes/client-node";
import { raw, waitFor } from "./harness.js";

export const WIDGET_GROUP = "contract.vigil.dev";
export const WIDGET_VERSION = "v1";
export const WIDGETS = "widgets";
export const WIDGET_API_VERSION = `${WIDGET_GROUP}/${WIDGET_VERSION}`;

/** A namespaced CRD with status and scale subresources, a list-map, a set, defaults and a CEL rule. */
export const widgetCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${WIDGETS}.${WIDGET_GROUP}` },
  spec: {
    group: WIDGET_GROUP,
    scope: "Namespaced",
    names: { kind: "Widget", listKind: "WidgetList", plural: WIDGETS, singular: "widget" },
    versions: [
      {
        name: WIDGET_VERSION,
        served: true,
        storage: true,
        subresources: {
          status: {},
          scale: {
            specReplicasPath: ".spec.replicas",
            statusReplicasPath: ".status.replicas",
            labelSelectorPath: ".status.selector",
          },
        },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "integer", minimum: 1, maximum: 10 },
                  replicas: { type: "integer" },
                  color: { type: "string", enum: ["red", "green", "blue"] },
                  mode: { type: "string", default: "normal" },
                  tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
                  ports: {
                    type: "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    items: {
                      type: "object",
                      required: ["name"],
                      properties: { name: { type: "string" }, port: { type: "integer" } },
                    },
                  },
                  args: { type: "array", items: { type: "string" } },
                  settings: { type: "object", additionalProperties: { type: "string" } },
                  min: { type: "integer" },
                  max: { type: "integer" },
                },
                "x-kubernetes-validations": [
                  {
                    rule: "!has(self.min) || !has(self.max) || self.min <= self.max",
                    message: "min must be <= max",
                    fieldPath: ".min",
                  },
                ],
              },
              status: {
                type: "object",
                properties: {
                  replicas: { type: "integer" },
                  selector: { type: "string" },
                  phase: { type: "string" },
                  observedGeneration: { type: "integer" },
                  conditions: {
                    type: "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["type"],
                    items: {
                      type: "object",
                      required: ["type", "status"],
                      properties: {
                        type: { type: "string" },
                        status: { type: "string" },
                        reason: { type: "string" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** Installs the Widget CRD through the API and waits until it is Established. */
export async function installWidgetCrd(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  // Raw JSON: the typed client would drop the wire-named x-kubernetes-* keys of a plain object.
  const res = await raw(kc, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCrd);
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`creating the Widget CRD: ${res.status} ${res.text}`);
  await waitFor("the Widget CRD to be established", async () => {
    const crd = await ext.readCustomResourceDefinition({ name: widgetCrd.metadata.name });
    return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
  });
}

export function widget(name: string, spec: Record<string, unknown> = { size: 1 }): Record<string, unknown> {
  return { apiVersion: WIDGET_API_VERSION, kind: "Widget", metadata: { name }, spec };
}

export function deployment(name: string, image = "registry.example/app:1.0"): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image,
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
              ],
              ports: [{ containerPort: 8080, name: "http" }],
            },
          ],
          volumes: [{ name: "cfg", configMap: { name: "cfg" } }],
        },
      },
    },
  };
}
