// What every builder derives from a DesiredInput before building its object: the checked
// service name and namespace, resolved defaults, child names, the owner reference and which
// revision is active and which (if any) is in preview.
import type { V1OwnerReference } from "@kubernetes/client-node";
import { resolveModel, resolveService, type ResolvedModel, type ResolvedService } from "./defaults.js";
import { DesiredInputError } from "./errors.js";
import type { DesiredInput } from "./input.js";
import { checkServiceName, childNames, type ChildNames } from "./names.js";
import { controllerReference } from "./owner.js";
import { revisionHash, revisionOf, type Revision } from "./revision.js";

export interface BuildContext {
  serviceName: string;
  namespace: string;
  names: ChildNames;
  owner: V1OwnerReference;
  service: ResolvedService;
  model: ResolvedModel;
  /** The revision of the ModelDeployment's current spec: what buildDeployment builds. */
  specRevision: Revision;
  /** The revision serving traffic through the active Service. */
  activeRevision: Revision;
  /** The spec's revision while it is not yet active (a blue-green rollout is in progress). */
  previewRevision?: Revision;
}

export function buildContext(input: DesiredInput): BuildContext {
  const serviceName = checkServiceName(input.service.metadata.name);
  const namespace = input.service.metadata.namespace;
  if (!namespace) throw new DesiredInputError("ModerationService metadata.namespace", "Required value");
  const specHash = revisionHash(input.model);
  const activeHash = input.activeRevision ?? input.model.status?.activeRevision?.hash ?? specHash;
  const specRevision = revisionOf(serviceName, specHash);
  return {
    serviceName,
    namespace,
    names: childNames(serviceName),
    owner: controllerReference(input.service),
    service: resolveService(input.service, input.options.runtimeImage),
    model: resolveModel(input.model),
    specRevision,
    activeRevision: revisionOf(serviceName, activeHash),
    ...(activeHash !== specHash && { previewRevision: specRevision }),
  };
}
