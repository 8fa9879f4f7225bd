// What every builder takes: the three custom resources as read from the API server, plus
// operator-level settings. Builders are pure: same input, same objects, no I/O.
import type { ModelDeployment, ModerationService, Policy } from "../../crds/index.js";

export interface DesiredOptions {
  /** The operator's --runtime-image; spec.runtime.image overrides it. */
  runtimeImage: string;
  /** Cluster DNS suffix for endpoints. Default: cluster.local. */
  clusterDomain?: string;
  /** Whether the autoscaling.k8s.io VerticalPodAutoscaler CRD is installed (discovery). */
  vpaAvailable: boolean;
  /** Namespace of the operator, admitted to the runtime port (the quality gate calls the preview). */
  operatorNamespace?: string;
  /** Size of the model artifact when known (e.g. from a HEAD request); scales the startup budget. */
  modelSizeBytes?: number;
}

export interface DesiredInput {
  service: ModerationService;
  model: ModelDeployment;
  policy: Policy;
  options: DesiredOptions;
  /**
   * Hash of the revision currently serving traffic. Default: model.status.activeRevision.hash,
   * or the spec's revision when nothing is active yet. When it differs from the spec's
   * revision a blue-green rollout is in progress: the spec's revision is the preview.
   */
  activeRevision?: string;
  /**
   * Replicas of the spec revision's Deployment as the rollout decided them; null leaves the
   * field out (the HPA, or the operator through the scale subresource, owns the count).
   * Undefined: the role's default (service replicas when active, previewReplicas in preview).
   */
  specReplicas?: number | null;
}
