// The pod-template annotation `moderation.vigil.dev/config-hash`: a hash of everything in the
// pod template, computed before the annotation is added. A reconciler compares it with the
// live Deployment's annotation to decide whether an apply is needed without diffing the
// server-defaulted template field by field (the Prometheus Operator's input hash).
//
// The Policy's content is deliberately not in it: the template only names the ConfigMap,
// and policy edits reach running pods through the kubelet's ConfigMap refresh and the
// runtime's hot reload, never through a restart.
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { shortHash } from "./canonical.js";

export function configHash(template: V1PodTemplateSpec): string {
  return shortHash(template, 16);
}
