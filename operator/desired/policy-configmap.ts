// ConfigMap `<service>-policy` with key `policy.yaml`: the Policy object the runtime loads from
// VIGIL_POLICY_FILE and hot-reloads when the kubelet refreshes the mount. It carries the
// Policy's generation, which each pod reports back so Policy status can say when every pod
// applies it. Keys are in canonical order, so an unchanged Policy renders identical bytes and
// a re-apply writes nothing.
import type { V1ConfigMap } from "@kubernetes/client-node";
import { buildContext } from "./context.js";
import { DesiredInputError } from "./errors.js";
import type { DesiredInput } from "./input.js";
import { ANNOTATION, commonLabels } from "./labels.js";
import { POLICY_KEY } from "./runtime-contract.js";
import { toStableYaml } from "./serialize.js";

/** ConfigMaps are limited to 1 MiB of data; leave room for the object's metadata. */
export const MAX_POLICY_BYTES = 1024 * 1024 - 16 * 1024;

export function renderPolicyFile(policy: DesiredInput["policy"]): string {
  return toStableYaml({
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: {
      name: policy.metadata.name,
      namespace: policy.metadata.namespace,
      generation: policy.metadata.generation,
    },
    spec: policy.spec,
  });
}

export function buildPolicyConfigMap(input: DesiredInput): V1ConfigMap {
  const ctx = buildContext(input);
  const rendered = renderPolicyFile(input.policy);
  const size = Buffer.byteLength(rendered, "utf8");
  if (size > MAX_POLICY_BYTES) {
    throw new DesiredInputError(
      `Policy ${input.policy.metadata.name ?? ""} spec`,
      `renders to ${size} bytes, more than a ConfigMap can hold (${MAX_POLICY_BYTES}); shorten the term lists`,
    );
  }
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: ctx.names.policyConfigMap,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      annotations: { [ANNOTATION.policyGeneration]: String(input.policy.metadata.generation ?? 0) },
      ownerReferences: [ctx.owner],
    },
    data: { [POLICY_KEY]: rendered },
  };
}
