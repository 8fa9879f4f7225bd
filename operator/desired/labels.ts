// Labels and annotation keys on every child. Selectors use only keys whose values never
// change for a given pod (name, instance, revision): Deployment selectors are immutable, and
// a selector on `version` would orphan pods when a label is corrected.

export const LABEL = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  version: "app.kubernetes.io/version",
  revision: "moderation.vigil.dev/revision",
} as const;

export const ANNOTATION = {
  /** Hash of the restart-relevant pod template (see config-hash.ts). */
  configHash: "moderation.vigil.dev/config-hash",
  /** Policy generation rendered into the ConfigMap. */
  policyGeneration: "moderation.vigil.dev/policy-generation",
  /** Lets `kubectl logs/exec` pick the runtime container without -c. */
  defaultContainer: "kubectl.kubernetes.io/default-container",
  /** On a ModerationService: any new value asks for one backup now (`vigil backup <name>`). */
  backupNow: "moderation.vigil.dev/backup-now",
} as const;

export const APP_NAME = "vigil-runtime";
export const PART_OF = "vigil";
export const MANAGED_BY = "vigil-operator";
export const COMPONENT = "runtime";

/**
 * Backup Jobs and their pods carry their own app name, so no runtime selector (Services,
 * PDB, NetworkPolicy, HPA) ever matches them.
 */
export const BACKUP_APP_NAME = "vigil-backup";
export const BACKUP_COMPONENT = "backup";

/** Selects the backup Jobs (scheduled and on-demand) and pods of one ModerationService. */
export function backupSelector(serviceName: string): Record<string, string> {
  return { [LABEL.name]: BACKUP_APP_NAME, [LABEL.instance]: serviceName };
}

export function backupLabels(serviceName: string): Record<string, string> {
  return {
    ...backupSelector(serviceName),
    [LABEL.component]: BACKUP_COMPONENT,
    [LABEL.partOf]: PART_OF,
    [LABEL.managedBy]: MANAGED_BY,
  };
}

/** Selects every runtime pod of one ModerationService, across revisions. */
export function instanceSelector(serviceName: string): Record<string, string> {
  return { [LABEL.name]: APP_NAME, [LABEL.instance]: serviceName };
}

/** Selects the pods of one revision of one ModerationService. */
export function revisionSelector(serviceName: string, revisionHash: string): Record<string, string> {
  return { ...instanceSelector(serviceName), [LABEL.revision]: revisionHash };
}

/** Labels on every child of a ModerationService. */
export function commonLabels(serviceName: string): Record<string, string> {
  return {
    ...instanceSelector(serviceName),
    [LABEL.component]: COMPONENT,
    [LABEL.partOf]: PART_OF,
    [LABEL.managedBy]: MANAGED_BY,
  };
}

/** Labels on a revision's Deployment and pods. */
export function revisionLabels(
  serviceName: string,
  revisionHash: string,
  modelVersion: string,
): Record<string, string> {
  const version = toLabelValue(modelVersion);
  return {
    ...commonLabels(serviceName),
    ...(version ? { [LABEL.version]: version } : {}),
    [LABEL.revision]: revisionHash,
  };
}

/**
 * A free-form string (a model version such as `3.1.0+build.7`) as a valid label value:
 * characters outside [A-Za-z0-9._-] become `_`, at most 63 characters, alphanumeric at both
 * ends. An empty result means "omit the label".
 */
export function toLabelValue(raw: string): string {
  return raw
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/[^A-Za-z0-9]+$/, "");
}
