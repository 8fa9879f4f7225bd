// How the three kinds point at each other. A ModerationService names a ModelDeployment and a
// Policy in its own namespace; nothing points the other way. So events on a model or policy
// reach the services through indexes on the service cache, and events on a service reach the
// model and policy it references (or referenced before an edit) through a mapped watch, whose
// controllers derive "who uses me" (Policy usedBy, ModelDeployment phase) from the cache.
import type { MappedWatch, ReferenceWatch } from "../core/controller.js";
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

/** Service events, mapped to the object `keyOf` names, before and after the event. */
function referencedBy(keyOf: (service: LiveModerationService) => string): MappedWatch {
  return {
    kind: Kinds.ModerationService,
    primaryKeys: (service, old) => [
      ...new Set([service, old].filter((s) => s !== undefined).map((s) => keyOf(s as LiveModerationService))),
    ],
  };
}

/** Events on a ModerationService reconcile the ModelDeployment it references (or did). */
export const servicesOfModel: MappedWatch = referencedBy(modelKeyOf);

/** Events on a ModerationService reconcile the Policy it references (or did). */
export const servicesOfPolicy: MappedWatch = referencedBy(policyKeyOf);

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
