// Every desired child of one ModerationService, in apply order: identity and fences first
// (ServiceAccount, NetworkPolicy before any pod exists, so no pod ever runs unfenced), then
// the Policy ConfigMap the pods mount, the revision Deployment, its Services, and the
// objects that act on running pods (PDB, HPA, VPA), and with spec.backup the backup CronJob
// and the ConfigMap of resources it saves.
//
// During a blue-green rollout the list holds the spec's revision as the preview Deployment.
// The active revision's Deployment was built from an earlier ModelDeployment spec that is no
// longer known here, so it is not in the list: the rollout reconciler keeps it (and must not
// prune it as an orphan) until promotion or rollback.
import type {
  V1ConfigMap,
  V1CronJob,
  V1Deployment,
  V1PodDisruptionBudget,
  V1Service,
  V1ServiceAccount,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import { buildBackupCronJob } from "./backup-cronjob.js";
import { buildBackupResourcesConfigMap } from "./backup-resources-configmap.js";
import { buildContext } from "./context.js";
import { buildDeployment } from "./deployment.js";
import { buildHorizontalPodAutoscaler } from "./hpa.js";
import type { DesiredInput } from "./input.js";
import { buildNetworkPolicy, type NetworkPolicy } from "./networkpolicy.js";
import { buildPodDisruptionBudget, pdbWarnings } from "./pdb.js";
import { buildPolicyConfigMap } from "./policy-configmap.js";
import { buildActiveService, buildPreviewService } from "./service.js";
import { buildServiceAccount } from "./serviceaccount.js";
import { buildVerticalPodAutoscaler, vpaWarnings, type VerticalPodAutoscaler } from "./vpa.js";
import type { DesiredWarning } from "./warnings.js";

export type DesiredObject =
  | V1ServiceAccount
  | NetworkPolicy
  | V1ConfigMap
  | V1Deployment
  | V1Service
  | V1PodDisruptionBudget
  | V2HorizontalPodAutoscaler
  | VerticalPodAutoscaler
  | V1CronJob;

export function buildChildren(input: DesiredInput): DesiredObject[] {
  // Fails fast, before any builder, on input no child can be built from.
  const ctx = buildContext(input);
  const children: (DesiredObject | null)[] = [
    buildServiceAccount(input),
    buildNetworkPolicy(input),
    buildPolicyConfigMap(input),
    buildDeployment(input, ctx.previewRevision ? "preview" : "active"),
    buildActiveService(input),
    buildPreviewService(input),
    buildPodDisruptionBudget(input),
    buildHorizontalPodAutoscaler(input),
    buildVerticalPodAutoscaler(input),
    // Backups last: the CronJob mounts the resources ConfigMap.
    buildBackupResourcesConfigMap(input),
    buildBackupCronJob(input),
  ];
  return children.filter((child): child is DesiredObject => child !== null);
}

export function desiredWarnings(input: DesiredInput): DesiredWarning[] {
  return [...pdbWarnings(input.service.spec), ...vpaWarnings(input)];
}
