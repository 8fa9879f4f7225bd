// ClusterRoles for people, generated beside the operator's: three that aggregate into the
// built-in admin/edit/view roles (so a namespace admin, editor or viewer can use Vigil's kinds
// without extra bindings), and three persona roles for teams that split the work: the platform
// team edits ModerationServices, ML engineers ModelDeployments, trust & safety Policies. See
// docs/rbac.md. Status is written only by the operator, so no user role grants it.
import { GROUP, KINDS } from "../crds/index.js";
import type { PolicyRule } from "../operator/controllers/rbac.js";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];
const ALL_KINDS = KINDS.map((k) => k.plural);

const AGGREGATE = (...roles: ("admin" | "edit" | "view")[]) =>
  Object.fromEntries(roles.map((r) => [`rbac.authorization.k8s.io/aggregate-to-${r}`, "true"]));

export interface UserRole {
  name: string;
  description: string;
  aggregateTo: Record<string, string>;
  rules: PolicyRule[];
}

function personaRole(name: string, plural: string, who: string): UserRole {
  return {
    name,
    description: `${who}: edits ${plural}, reads the other Vigil kinds.`,
    aggregateTo: {},
    rules: [
      { apiGroups: [GROUP], resources: [plural], verbs: [...READ, ...WRITE] },
      { apiGroups: [GROUP], resources: ALL_KINDS.filter((k) => k !== plural), verbs: READ },
      { apiGroups: [GROUP], resources: ALL_KINDS.map((k) => `${k}/status`), verbs: READ },
    ],
  };
}

export const USER_ROLES: readonly UserRole[] = [
  {
    name: "vigil-admin",
    description: "Everything on Vigil's kinds; aggregated into the built-in admin role.",
    aggregateTo: AGGREGATE("admin"),
    rules: [
      { apiGroups: [GROUP], resources: ALL_KINDS, verbs: [...READ, ...WRITE, "deletecollection"] },
      { apiGroups: [GROUP], resources: ALL_KINDS.map((k) => `${k}/status`), verbs: READ },
    ],
  },
  {
    name: "vigil-editor",
    description:
      "Create, change and delete Vigil's kinds; aggregated into the built-in edit and admin roles.",
    aggregateTo: AGGREGATE("edit", "admin"),
    rules: [
      { apiGroups: [GROUP], resources: ALL_KINDS, verbs: [...READ, ...WRITE] },
      { apiGroups: [GROUP], resources: ALL_KINDS.map((k) => `${k}/status`), verbs: READ },
    ],
  },
  {
    name: "vigil-viewer",
    description:
      "Read Vigil's kinds and their status; aggregated into the built-in view, edit and admin roles.",
    aggregateTo: AGGREGATE("view", "edit", "admin"),
    rules: [
      { apiGroups: [GROUP], resources: [...ALL_KINDS, ...ALL_KINDS.map((k) => `${k}/status`)], verbs: READ },
    ],
  },
  personaRole("vigil-service-editor", "moderationservices", "Platform team"),
  personaRole("vigil-model-editor", "modeldeployments", "ML engineers"),
  personaRole("vigil-policy-editor", "policies", "Trust & safety"),
];

export function userClusterRoles(): Record<string, unknown>[] {
  return USER_ROLES.map((role) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      name: role.name,
      labels: { "app.kubernetes.io/part-of": "vigil", ...role.aggregateTo },
      annotations: { "moderation.vigil.dev/description": role.description },
    },
    rules: role.rules,
  }));
}
