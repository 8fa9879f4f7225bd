// CRDs of third-party APIs Vigil integrates with when they are installed, for tests of
// "only when the CRD exists" behaviour: `emulator.installCrd(verticalPodAutoscalerCrd)`.
// The schemas keep the fields Vigil sets typed and leave the rest open, so the emulator is
// never stricter than the real CRD.

/** The Vertical Pod Autoscaler's CRD (autoscaling.k8s.io/v1), as the VPA project installs it. */
export const verticalPodAutoscalerCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: {
    name: "verticalpodautoscalers.autoscaling.k8s.io",
    // *.k8s.io is a protected group: the apiserver refuses CRDs there without this annotation.
    annotations: { "api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/63797" },
  },
  spec: {
    group: "autoscaling.k8s.io",
    scope: "Namespaced",
    names: {
      kind: "VerticalPodAutoscaler",
      listKind: "VerticalPodAutoscalerList",
      plural: "verticalpodautoscalers",
      singular: "verticalpodautoscaler",
      shortNames: ["vpa"],
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            required: ["spec"],
            properties: {
              spec: {
                type: "object",
                required: ["targetRef"],
                properties: {
                  targetRef: {
                    type: "object",
                    required: ["kind", "name"],
                    properties: {
                      apiVersion: { type: "string" },
                      kind: { type: "string" },
                      name: { type: "string" },
                    },
                    "x-kubernetes-map-type": "atomic",
                  },
                  updatePolicy: {
                    type: "object",
                    properties: {
                      updateMode: {
                        type: "string",
                        enum: ["Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto"],
                      },
                      minReplicas: { type: "integer", format: "int32" },
                    },
                    "x-kubernetes-preserve-unknown-fields": true,
                  },
                  resourcePolicy: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  recommenders: {
                    type: "array",
                    items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  },
                },
              },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
  },
};
