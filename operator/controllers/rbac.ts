// What the operator may do in the cluster, as data: the ClusterRole is generated from this
// list, and a test checks it against every kind the registered controllers watch and write.
// Discovery (`/apis/autoscaling.k8s.io/v1` for the VPA check) is a non-resource URL every
// authenticated user may read through the built-in system:discovery role.
import { GROUP } from "../../crds/index.js";

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ["get", "list", "watch"];
/** Children are server-side applied (patch), pruned (delete) and read through informers. */
const MANAGE = [...READ, "create", "update", "patch", "delete"];

export const OPERATOR_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [GROUP],
    resources: ["moderationservices", "modeldeployments", "policies"],
    verbs: [...READ, "update", "patch"],
  },
  {
    apiGroups: [GROUP],
    resources: ["moderationservices/status", "modeldeployments/status", "policies/status"],
    verbs: ["get", "update", "patch"],
  },
  // Children carry blockOwnerDeletion; with the OwnerReferencesPermissionEnforcement admission
  // plugin that needs update on the owner's finalizers subresource.
  { apiGroups: [GROUP], resources: ["moderationservices/finalizers"], verbs: ["update"] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: MANAGE },
  // Retained revisions (built from an older ModelDeployment spec) are scaled, not rebuilt.
  { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "update", "patch"] },
  { apiGroups: [""], resources: ["services", "configmaps", "serviceaccounts"], verbs: MANAGE },
  { apiGroups: [""], resources: ["pods"], verbs: READ },
  // Only the quality gate's own key Secret (rollout/gate-key.ts): created once, read by name.
  // No list or watch: the operator never caches the cluster's Secrets.
  { apiGroups: [""], resources: ["secrets"], verbs: ["get", "create"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: MANAGE },
  { apiGroups: ["autoscaling.k8s.io"], resources: ["verticalpodautoscalers"], verbs: MANAGE },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: MANAGE },
  // Scheduled and on-demand backups of the decision log.
  { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: MANAGE },
  // Leader election (client-go semantics: read, create, renew).
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
];

/** True when `rules` grant `verb` on `resource` (e.g. `deployments`, `policies/status`) of `group`. */
export function allows(rules: readonly PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
  );
}
