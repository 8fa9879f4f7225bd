// A revision is one immutable model + hardware combination; each gets its own Deployment
// (`<service>-<hash>`) so blue-green can run two side by side. Everything else (resources,
// batching, env) changes a revision in place through a rolling update.
import type { ModelDeployment } from "../../crds/index.js";
import { shortHash } from "./canonical.js";
import { DEFAULTS, resolveModel, type ResolvedModel } from "./defaults.js";
import { revisionName } from "./names.js";

/** 10 hex characters (40 bits), like a ReplicaSet's pod-template-hash: short, collision-safe per service. */
const HASH_LENGTH = 10;

/**
 * Hash of ModelDeployment.spec.model and spec.gpu after defaulting, so spelling out a default
 * (`format: onnx`) does not start a rollout. GPU is part of it because a hardware change needs
 * new pods on other nodes. Changing what goes into this hash re-rolls every service on
 * operator upgrade: add fields only with their default left out of the hash.
 */
function sourceForHash(source: ResolvedModel["source"]): Partial<ResolvedModel["source"]> {
  // size and imageVolume came later: at their defaults they stay out, so existing revisions keep their hash.
  // The cache never changes the model (its entries are keyed by sha256): the revision's pods are
  // updated in place.
  const { size, imageVolume, cache: _cache, ...rest } = source;
  return { ...rest, ...(size !== DEFAULTS.modelSize && { size }), ...(imageVolume && { imageVolume }) };
}

export function revisionHash(model: ModelDeployment): string {
  const resolved = resolveModel(model);
  return shortHash(
    {
      model: {
        name: resolved.name,
        version: resolved.version,
        source: sourceForHash(resolved.source),
        format: resolved.format,
        maxSequenceLength: resolved.maxSequenceLength,
      },
      gpu: resolved.gpu,
    },
    HASH_LENGTH,
  );
}

export interface Revision {
  hash: string;
  /** The revision's Deployment name. */
  name: string;
}

export function revisionOf(serviceName: string, hash: string): Revision {
  return { hash, name: revisionName(serviceName, hash) };
}
