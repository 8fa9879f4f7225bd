// The parts of live built-in objects the reconcilers read, as the API server sends them (wire
// JSON from the informer caches: timestamps are strings, absent fields are absent).
import type { ModelDeployment, ModerationService, Policy } from "../../crds/index.js";
import type { KubeObject } from "../core/kubeclient.js";

export type LiveModerationService = ModerationService & KubeObject;
export type LiveModelDeployment = ModelDeployment & KubeObject;
export type LivePolicy = Policy & KubeObject;

export interface DeploymentCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface LiveDeployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { annotations?: Record<string, string> } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: DeploymentCondition[];
  };
}

export interface LiveHorizontalPodAutoscaler extends KubeObject {
  spec?: { minReplicas?: number; scaleTargetRef?: { name?: string } };
  status?: { currentReplicas?: number };
}

export interface LiveService extends KubeObject {
  spec?: { selector?: Record<string, string> };
}
