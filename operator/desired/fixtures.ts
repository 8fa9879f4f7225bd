// Inputs for the builder tests and golden files: a minimal, a full-featured and a GPU
// ModerationService with their ModelDeployment and Policy. Each call returns fresh objects,
// so a test may edit its copy. The custom resources are valid against the CRD schemas (a
// test checks that), so builders are only ever exercised with input the API server admits.
import type { ModelDeployment, ModerationService, Policy } from "../../crds/index.js";
import type { DesiredInput } from "./input.js";

const API_VERSION = "moderation.vigil.dev/v1alpha1";
const NAMESPACE = "trust";
export const RUNTIME_IMAGE = "ghcr.io/vigil-dev/vigil-runtime:0.1.0";
const SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

export function policyFixture(): Policy {
  return {
    apiVersion: API_VERSION,
    kind: "Policy",
    metadata: {
      name: "comments",
      namespace: NAMESPACE,
      uid: "0b6f5c1e-1d51-4f6e-9a44-3d8f2b7c9e01",
      generation: 7,
    },
    spec: {
      defaultAction: "allow",
      categories: {
        toxicity: { flag: 0.5, review: 0.7, block: 0.9 },
        threat: { review: 0.4, block: 0.6 },
      },
      terms: { block: ["kill yourself"], allow: ["scunthorpe"] },
      languages: { de: { categories: { toxicity: { flag: 0.6, review: 0.8, block: 0.95 } } } },
      categoryMap: { toxicity: "harassment", threat: "harassment/threatening" },
    },
  };
}

function modelDeployment(name: string, spec: ModelDeployment["spec"]): ModelDeployment {
  return {
    apiVersion: API_VERSION,
    kind: "ModelDeployment",
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: `6a1d3c2b-0000-4000-8000-${name.padEnd(12, "0").slice(0, 12)}`,
      generation: 1,
    },
    spec,
  };
}

function moderationService(name: string, uid: string, spec: ModerationService["spec"]): ModerationService {
  return {
    apiVersion: API_VERSION,
    kind: "ModerationService",
    metadata: { name, namespace: NAMESPACE, uid, generation: 3 },
    spec,
  };
}

/** Only required fields: every default of the operator shows in the built objects. */
export function minimalInput(): DesiredInput {
  return {
    service: moderationService("comments", "3c1b8f0e-7d2a-4b9e-8f61-5a0c9d2e4b10", {
      modelRef: { name: "toxicity" },
      policyRef: { name: "comments" },
    }),
    model: modelDeployment("toxicity", {
      model: {
        name: "toxic-bert",
        version: "3.1.0",
        source: { uri: "https://models.example.com/toxic-bert-3.1.0.tar.gz", sha256: SHA256 },
      },
    }),
    policy: policyFixture(),
    options: { runtimeImage: RUNTIME_IMAGE, vpaAvailable: false },
  };
}

/** Every field the platform and ML teams can set, model from a PVC. */
export function fullInput(): DesiredInput {
  return {
    service: moderationService("comments-prod", "8e4d2a6c-1f3b-4c5d-9e7f-0a1b2c3d4e5f", {
      modelRef: { name: "toxicity-pvc" },
      policyRef: { name: "comments" },
      autoscaling: {
        minReplicas: 3,
        maxReplicas: 20,
        targetCPUUtilizationPercentage: 70,
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
          },
        },
      },
      verticalAutoscaling: { updateMode: "Initial" },
      disruption: { minAvailable: 2 },
      network: {
        ingressFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } } }],
        metricsFrom: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
      },
      runtime: {
        image: "registry.internal/vigil/vigil-runtime:0.1.0",
        imagePullPolicy: "IfNotPresent",
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: 4, memory: "2Gi" } },
        batching: { maxBatchSize: 64, maxDelayMs: 4, maxQueue: 2048 },
        workers: 2,
        auth: {
          apiKeysSecretRef: { name: "comments-api-keys" },
          jwt: {
            issuer: "https://auth.example.com",
            audience: "moderation",
            jwksSecretRef: { name: "comments-jwks" },
          },
        },
        rateLimit: { requestsPerMinute: 6000 },
        logLevel: "warn",
        logRawText: false,
      },
      storage: {
        postgres: { secretRef: { name: "comments-db" }, port: 5432, cidr: "10.20.0.0/16" },
        redis: { secretRef: { name: "comments-redis", key: "connection-url" } },
      },
      backup: {
        schedule: "0 3 * * *",
        retention: "30d",
        destination: { pvc: { claimName: "vigil-backups" } },
      },
      placement: {
        nodeSelector: { "node.kubernetes.io/pool": "moderation" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "moderation", effect: "NoSchedule" }],
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 50,
                podAffinityTerm: {
                  topologyKey: "kubernetes.io/hostname",
                  labelSelector: { matchLabels: { "app.kubernetes.io/name": "elasticsearch" } },
                },
              },
            ],
          },
        },
        topologySpread: "zone",
      },
    }),
    model: modelDeployment("toxicity-pvc", {
      model: {
        name: "toxic-bert",
        version: "3.1.0",
        source: { uri: "pvc://models/toxic-bert/3.1.0", sha256: SHA256, timeoutSeconds: 120 },
        format: "onnx",
        maxSequenceLength: 256,
      },
      resources: { requests: { memory: "1536Mi" }, limits: { memory: "3Gi" } },
      strategy: {
        blueGreen: {
          previewReplicas: 2,
          autoPromotion: true,
          autoPromotionSeconds: 60,
          scaleDownDelaySeconds: 600,
          progressDeadlineSeconds: 1200,
          checks: {
            samples: [{ text: "have a nice day", expect: { action: "allow" } }],
            minPassRate: 1,
            maxP95LatencyMs: 200,
          },
        },
      },
      revisionHistoryLimit: 5,
    }),
    policy: policyFixture(),
    options: { runtimeImage: RUNTIME_IMAGE, clusterDomain: "cluster.local", vpaAvailable: true },
  };
}

/** A GPU model fetched over HTTPS, spread per node, with a user node affinity to merge into. */
export function gpuInput(): DesiredInput {
  return {
    service: moderationService("comments-gpu", "c2f0a9d8-5b4e-4c3a-8d2f-1e0b9a8c7d6e", {
      modelRef: { name: "toxic-bert-gpu" },
      policyRef: { name: "comments" },
      replicas: 2,
      placement: {
        topologySpread: "node",
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: "topology.kubernetes.io/region", operator: "In", values: ["eu-west-1"] },
                  ],
                },
              ],
            },
          },
        },
      },
    }),
    model: modelDeployment("toxic-bert-gpu", {
      model: {
        name: "toxic-bert",
        version: "3.1.0",
        source: {
          uri: "https://models.example.com/toxic-bert-3.1.0.tar.gz",
          sha256: SHA256,
          timeoutSeconds: 600,
          size: "4Gi",
          auth: { secretName: "model-registry", type: "Basic" },
        },
      },
      resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "8Gi" } },
      gpu: { count: 1, product: "NVIDIA-A100-SXM4-80GB" },
    }),
    policy: policyFixture(),
    // toxic-bert's ONNX export is about 438 MB.
    options: { runtimeImage: RUNTIME_IMAGE, vpaAvailable: true, modelSizeBytes: 438_000_000 },
  };
}

export const FIXTURES = { minimal: minimalInput, full: fullInput, gpu: gpuInput } as const;
export type FixtureName = keyof typeof FIXTURES;
