// Names of the children of one ModerationService. The service name doubles as the
// `app.kubernetes.io/instance` label value and the active Service's name, so it must be a
// DNS-1035 label (<= 63 characters, starts with a letter) even though a custom resource
// name may be a longer DNS subdomain.
import { shortHash } from "./canonical.js";
import { DesiredInputError } from "./errors.js";

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL = 63;

export function checkServiceName(name: string | undefined): string {
  if (!name) throw new DesiredInputError("ModerationService metadata.name", "Required value");
  if (name.length > MAX_LABEL || !DNS1035_LABEL.test(name)) {
    throw new DesiredInputError(
      "ModerationService metadata.name",
      `"${name}" must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, ` +
        `at most ${MAX_LABEL} characters): it names the Service and is a label value`,
    );
  }
  return name;
}

/**
 * `<base>-<suffix>` when that fits a DNS label; otherwise the base is cut and a hash of the
 * full base keeps names of different long services apart.
 */
export function boundedName(base: string, suffix: string, max = MAX_LABEL): string {
  const plain = `${base}-${suffix}`;
  if (plain.length <= max) return plain;
  const hash = shortHash(base, 6);
  const keep = max - suffix.length - hash.length - 2;
  return `${base.slice(0, keep).replace(/-+$/, "")}-${hash}-${suffix}`;
}

export interface ChildNames {
  serviceAccount: string;
  activeService: string;
  previewService: string;
  policyConfigMap: string;
  horizontalPodAutoscaler: string;
  verticalPodAutoscaler: string;
  podDisruptionBudget: string;
  networkPolicy: string;
  backupCronJob: string;
  backupResourcesConfigMap: string;
  /** The quality gate's API key, when runtime auth is on. */
  qualityGateSecret: string;
}

/** The CronJob controller appends an 11-character suffix to Job names, which must stay <= 63. */
const MAX_CRONJOB_NAME = 52;

export function childNames(serviceName: string): ChildNames {
  return {
    serviceAccount: serviceName,
    activeService: serviceName,
    previewService: boundedName(serviceName, "preview"),
    policyConfigMap: `${serviceName}-policy`,
    horizontalPodAutoscaler: serviceName,
    verticalPodAutoscaler: serviceName,
    podDisruptionBudget: serviceName,
    networkPolicy: serviceName,
    backupCronJob: boundedName(serviceName, "backup", MAX_CRONJOB_NAME),
    backupResourcesConfigMap: `${serviceName}-backup-resources`,
    qualityGateSecret: `${serviceName}-quality-gate`,
  };
}

/** The Deployment of one revision: `<service>-<revision hash>`. */
export function revisionName(serviceName: string, revisionHash: string): string {
  return `${serviceName}-${revisionHash}`;
}
