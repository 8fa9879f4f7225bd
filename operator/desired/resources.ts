// Container resources of a revision. Two sources can set them: ModelDeployment.resources (what
// the model needs, owned by the ML team) and ModerationService.runtime.resources (what the
// platform team grants the service). Per resource name the model's value wins, because a
// model that needs 4Gi fails to load with less whatever the service says; the service's
// values fill in what the model leaves open. GPU count comes from ModelDeployment.gpu.
import type { V1ResourceRequirements } from "@kubernetes/client-node";
import { DEFAULTS, type Quantity, type Resources } from "./defaults.js";
import { DesiredInputError } from "./errors.js";
import { parseQuantity, quantityString } from "./quantity.js";
import { GPU_RESOURCE } from "./runtime-contract.js";

function toStrings(map: Record<string, Quantity>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, quantityString(v)]));
}

export function mergeResources(
  serviceResources: Resources,
  modelResources: Resources,
  gpuCount: number | undefined,
): V1ResourceRequirements {
  const limits: Record<string, Quantity> = { ...serviceResources.limits, ...modelResources.limits };
  if (gpuCount !== undefined) limits[GPU_RESOURCE] = gpuCount;
  const requests: Record<string, Quantity> = {};
  // A default request only where nothing sets the request or the limit: with only a limit the
  // API server makes request = limit, and a default above a small limit would be rejected.
  for (const [name, value] of Object.entries(DEFAULTS.requests)) {
    if (limits[name] === undefined) requests[name] = value;
  }
  Object.assign(requests, serviceResources.requests, modelResources.requests);

  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined) continue;
    const field = `resources.requests[${name}]`;
    if (parseQuantity(request, field) > parseQuantity(limit, `resources.limits[${name}]`)) {
      throw new DesiredInputError(
        "ModelDeployment spec.resources / ModerationService spec.runtime.resources",
        `${name} request ${request} exceeds limit ${limit} after merging (the model's values win per resource)`,
      );
    }
  }
  return {
    ...(Object.keys(requests).length > 0 && { requests: toStrings(requests) }),
    ...(Object.keys(limits).length > 0 && { limits: toStrings(limits) }),
  };
}

/** Only cpu and memory: an init container must not hold a GPU or other device while downloading. */
export function withoutExtendedResources(resources: V1ResourceRequirements): V1ResourceRequirements {
  const keep = (map: Record<string, string> | undefined) =>
    map && Object.fromEntries(Object.entries(map).filter(([k]) => k === "cpu" || k === "memory"));
  const requests = keep(resources.requests);
  const limits = keep(resources.limits);
  return {
    ...(requests && Object.keys(requests).length > 0 && { requests }),
    ...(limits && Object.keys(limits).length > 0 && { limits }),
  };
}

/**
 * CPU cores the container may use: its limit, else its request. The runtime cannot see a
 * CFS quota (os.availableParallelism() reports the node's cores), so the operator passes
 * the number down to size ONNX Runtime's thread pool.
 */
export function cpuCores(resources: V1ResourceRequirements): number | undefined {
  const cpu = resources.limits?.["cpu"] ?? resources.requests?.["cpu"];
  return cpu === undefined ? undefined : parseQuantity(cpu, "resources.cpu");
}
