// How the three kinds point at each other. A ModerationService names a ModelDeployment and a
// Policy in its own namespace; nothing points the other way. So events on a model or policy
// reach the services through indexes on the service cache, and the statuses derived from
// "who uses me" (Policy usedBy, ModelDeployment phase) are recomputed on service events.
import type { ReferenceWatch } from "../core/controller.js";
import type { CacheReader } from "../core/informer.js";
import { Kinds } from "../core/kinds.js";
import { objectKey } from "../core/objectkey.js";
import type { LiveModerationService } from "./live-objects.js";

export function modelKeyOf(service: LiveModerationService): string {
  return objectKey({ namespace: service.metadata?.namespace, name: service.spec.modelRef.name });
}

export function policyKeyOf(service: LiveModerationService): string {
  return objectKey({ namespace: service.metadata?.namespace, name: service.spec.policyRef.name });
}

/**
 * Events on a ModelDeployment reconcile the services that reference it. `indexName` must be
 * unique per controller: each adds its own index to the shared service cache.
 */
export function modelDeploymentReference(indexName: string): ReferenceWatch<LiveModerationService> {
  return { kind: Kinds.ModelDeployment, indexName, referencedKeys: (s) => [modelKeyOf(s)] };
}

/** Events on a Policy reconcile the services that reference it (see modelDeploymentReference). */
export function policyReference(indexName: string): ReferenceWatch<LiveModerationService> {
  return { kind: Kinds.Policy, indexName, referencedKeys: (s) => [policyKeyOf(s)] };
}

/** The services in `namespace` whose spec.modelRef names `model`. */
export function usersOfModel(
  services: CacheReader<LiveModerationService>,
  namespace: string,
  model: string,
): LiveModerationService[] {
  return services.list(namespace).filter((s) => s.spec.modelRef.name === model);
}

/** The services in `namespace` whose spec.policyRef names `policy`. */
export function usersOfPolicy(
  services: CacheReader<LiveModerationService>,
  namespace: string,
  policy: string,
): LiveModerationService[] {
  return services.list(namespace).filter((s) => s.spec.policyRef.name === policy);
}
