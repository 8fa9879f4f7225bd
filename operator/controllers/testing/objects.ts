// Test support: live objects as the informer caches hold them (wire JSON with the fields the
// API server and the Deployment controller fill in), for the pure status and revision tests.
import type { Condition } from "../../../crds/index.js";
import type { LiveDeployment, LiveModerationService, LiveService } from "../live-objects.js";

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const EARLIER = "2026-01-01T00:00:00Z";

export interface DeploymentOptions {
  service?: string;
  hash: string;
  replicas?: number;
  generation?: number;
  status?: LiveDeployment["status"];
}

/** A revision Deployment; without `status` the Deployment controller has not looked at it yet. */
export function deployment(options: DeploymentOptions): LiveDeployment {
  const service = options.service ?? "comments";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: `${service}-${options.hash}`,
      namespace: "trust",
      generation: options.generation ?? 1,
      labels: {
        "app.kubernetes.io/name": "vigil-runtime",
        "app.kubernetes.io/instance": service,
        "app.kubernetes.io/version": "3.1.0",
        "moderation.vigil.dev/revision": options.hash,
      },
    },
    spec: {
      replicas: options.replicas ?? 2,
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "vigil-runtime",
          "app.kubernetes.io/instance": service,
          "moderation.vigil.dev/revision": options.hash,
        },
      },
    },
    ...(options.status && { status: options.status }),
  };
}

/** Status of a Deployment whose rollout completed with every replica available. */
export function available(replicas = 2, generation = 1): LiveDeployment["status"] {
  return {
    observedGeneration: generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
      { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
    ],
  };
}

/** Status of a Deployment whose new pods are not ready yet. */
export function rolling(replicas = 2, generation = 1, updated = 0): LiveDeployment["status"] {
  return {
    observedGeneration: generation,
    replicas,
    updatedReplicas: updated,
    conditions: [{ type: "Progressing", status: "True", reason: "ReplicaSetUpdated" }],
  };
}

export function activeService(hash: string, service = "comments"): LiveService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: service, namespace: "trust" },
    spec: {
      selector: {
        "app.kubernetes.io/name": "vigil-runtime",
        "app.kubernetes.io/instance": service,
        "moderation.vigil.dev/revision": hash,
      },
    },
  };
}

export function moderationService(
  name = "comments",
  options: { generation?: number; status?: LiveModerationService["status"]; model?: string } = {},
): LiveModerationService {
  return {
    apiVersion: "moderation.vigil.dev/v1alpha1",
    kind: "ModerationService",
    metadata: {
      name,
      namespace: "trust",
      uid: `uid-${name}`,
      generation: options.generation ?? 1,
      creationTimestamp: EARLIER,
    },
    spec: { modelRef: { name: options.model ?? "toxicity" }, policyRef: { name: "comments" } },
    ...(options.status && { status: options.status }),
  };
}

export function condition(
  type: string,
  status: Condition["status"],
  reason: string,
  observedGeneration = 1,
): Condition {
  return { type, status, reason, message: "", observedGeneration, lastTransitionTime: EARLIER };
}
