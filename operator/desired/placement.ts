// Where a revision's pods may run: the user's placement (nodeSelector, tolerations,
// affinity), GPU scheduling rules and topology spread, merged into one pod spec fragment.
import type {
  V1Affinity,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1PodSpec,
  V1Toleration,
  V1TopologySpreadConstraint,
} from "@kubernetes/client-node";
import { canonicalJson } from "./canonical.js";
import type { ResolvedModel, ResolvedService } from "./defaults.js";
import { GPU_PRESENT_LABEL, GPU_PRODUCT_LABEL, GPU_RESOURCE } from "./runtime-contract.js";

const ZONE_KEY = "topology.kubernetes.io/zone";
const HOSTNAME_KEY = "kubernetes.io/hostname";

/** Node requirements a GPU revision adds: a GPU node, of the requested product when named. */
export function gpuNodeRequirements(gpu: ResolvedModel["gpu"]): V1NodeSelectorRequirement[] {
  if (!gpu) return [];
  return [
    { key: GPU_PRESENT_LABEL, operator: "In", values: ["true"] },
    ...(gpu.product ? [{ key: GPU_PRODUCT_LABEL, operator: "In", values: [gpu.product] }] : []),
  ];
}

/** GPU nodes are usually tainted so that only pods asking for a GPU land there. */
export function gpuTolerations(gpu: ResolvedModel["gpu"]): V1Toleration[] {
  return gpu ? [{ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" }] : [];
}

/**
 * The user's affinity with `required` added to every required node selector term. Terms
 * are ORed by the scheduler, so the requirement must go into each of them to hold for all.
 */
export function mergeAffinity(
  user: V1Affinity | undefined,
  required: V1NodeSelectorRequirement[],
): V1Affinity | undefined {
  if (required.length === 0) return user;
  const userTerms: V1NodeSelectorTerm[] =
    user?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const terms = userTerms.length > 0 ? userTerms : [{}];
  return {
    ...user,
    nodeAffinity: {
      ...user?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((term) => ({
          ...term,
          matchExpressions: [...(term.matchExpressions ?? []), ...required],
        })),
      },
    },
  };
}

/** Union of toleration lists, first occurrence wins, so a user's copy of a GPU toleration is not doubled. */
export function mergeTolerations(...lists: V1Toleration[][]): V1Toleration[] {
  const seen = new Set<string>();
  return lists.flat().filter((t) => {
    const key = canonicalJson(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Spread of one revision's pods (the selector includes the revision, so a one-pod preview is
 * not pushed around by the active stack's pods).
 * - zone, ScheduleAnyway: zones often differ in free capacity, and after a zone outage pods
 *   must still be rescheduled into the surviving zones; the skew is a preference.
 * - hostname, DoNotSchedule: two replicas on one node turn one node failure into an outage.
 *   maxSkew 1 never blocks an even spread, so this only stays Pending when every other node
 *   is full or excluded, and a Pending pod is visible (and what a cluster autoscaler acts on).
 * nodeTaintsPolicy Honor keeps tainted nodes (control plane, other teams' GPU pools) out of
 * the skew count; otherwise their empty "domains" would block scheduling on the rest.
 */
export function topologySpreadConstraints(
  mode: ResolvedService["placement"]["topologySpread"],
  podSelector: Record<string, string>,
): V1TopologySpreadConstraint[] {
  const constraint = (topologyKey: string, whenUnsatisfiable: string): V1TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: podSelector },
    nodeAffinityPolicy: "Honor",
    nodeTaintsPolicy: "Honor",
  });
  switch (mode) {
    case "zone":
      return [constraint(ZONE_KEY, "ScheduleAnyway"), constraint(HOSTNAME_KEY, "DoNotSchedule")];
    case "node":
      return [constraint(HOSTNAME_KEY, "DoNotSchedule")];
    case "none":
      return [];
  }
}

/** nodeSelector, tolerations, affinity and topology spread of a revision's pod spec. */
export function podPlacement(
  service: ResolvedService,
  model: ResolvedModel,
  podSelector: Record<string, string>,
): Pick<V1PodSpec, "nodeSelector" | "tolerations" | "affinity" | "topologySpreadConstraints"> {
  const { nodeSelector, tolerations, affinity, topologySpread } = service.placement;
  const mergedAffinity = mergeAffinity(affinity, gpuNodeRequirements(model.gpu));
  const mergedTolerations = mergeTolerations(tolerations, gpuTolerations(model.gpu));
  const spread = topologySpreadConstraints(topologySpread, podSelector);
  return {
    ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }),
    ...(mergedTolerations.length > 0 && { tolerations: mergedTolerations }),
    ...(mergedAffinity && { affinity: mergedAffinity }),
    ...(spread.length > 0 && { topologySpreadConstraints: spread }),
  };
}
