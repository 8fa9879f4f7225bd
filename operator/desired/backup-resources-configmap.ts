// ConfigMap `<service>-backup-resources`: the service's three custom resources as they would
// be re-applied after a disaster (spec, name, namespace, labels and user annotations; nothing
// the API server sets), mounted into the backup Job, which saves them with each backup.
// The operator renders them because it already holds the objects: the backup pod then needs
// no API credentials (its ServiceAccount token stays unmounted) and no RBAC of its own.
import type { V1ConfigMap } from "@kubernetes/client-node";
import { buildContext } from "./context.js";
import type { DesiredInput } from "./input.js";
import { ANNOTATION, backupLabels } from "./labels.js";
import { toStableYaml } from "./serialize.js";

const APPLIED_CONFIGURATION = "kubectl.kubernetes.io/last-applied-configuration";

interface CustomResource {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: unknown;
}

/** The object as a user would apply it: what they wrote, not what the server added. */
export function reappliable(resource: CustomResource): CustomResource {
  const { name, namespace, labels } = resource.metadata;
  const annotations = Object.fromEntries(
    Object.entries(resource.metadata.annotations ?? {}).filter(
      ([key]) => key !== APPLIED_CONFIGURATION && key !== ANNOTATION.backupNow,
    ),
  );
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name,
      namespace,
      ...(labels && Object.keys(labels).length > 0 && { labels }),
      ...(Object.keys(annotations).length > 0 && { annotations }),
    },
    spec: resource.spec,
  };
}

export function buildBackupResourcesConfigMap(input: DesiredInput): V1ConfigMap | null {
  if (!input.service.spec.backup) return null;
  const ctx = buildContext(input);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: ctx.names.backupResourcesConfigMap,
      namespace: ctx.namespace,
      labels: backupLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    data: {
      "moderationservice.yaml": toStableYaml(reappliable(input.service)),
      "modeldeployment.yaml": toStableYaml(reappliable(input.model)),
      "policy.yaml": toStableYaml(reappliable(input.policy)),
    },
  };
}
