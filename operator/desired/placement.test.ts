import { describe, expect, it } from "vitest";
import { buildDeployment } from "./deployment.js";
import { fullInput, gpuInput, minimalInput } from "./fixtures.js";
import { mergeAffinity, mergeTolerations, topologySpreadConstraints } from "./placement.js";
import { validateUpstream } from "./testing/upstream.js";

const GPU_PRESENT = { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] };
const GPU_PRODUCT = { key: "nvidia.com/gpu.product", operator: "In", values: ["NVIDIA-A100-SXM4-80GB"] };
const GPU_TOLERATION = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

describe("GPU placement", () => {
  it("asks for nvidia.com/gpu, a GPU node of the product, tolerates the GPU taint and selects CUDA", () => {
    const deployment = buildDeployment(gpuInput(), "active");
    validateUpstream(deployment);
    const pod = deployment.spec?.template.spec;
    const runtime = pod?.containers[0];
    expect(runtime?.resources?.limits?.["nvidia.com/gpu"]).toBe("1");
    expect(runtime?.env).toContainEqual({ name: "VIGIL_EXECUTION_PROVIDER", value: "cuda" });
    expect(pod?.tolerations).toEqual([GPU_TOLERATION]);
    const terms =
      pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    // The user's region requirement and the GPU requirements hold together (one term, ANDed).
    expect(terms).toEqual([
      {
        matchExpressions: [
          { key: "topology.kubernetes.io/region", operator: "In", values: ["eu-west-1"] },
          GPU_PRESENT,
          GPU_PRODUCT,
        ],
      },
    ]);
  });

  it("requires only gpu.present when no product is named", () => {
    const input = gpuInput();
    input.service.spec.placement = {};
    delete input.model.spec.gpu!.product;
    const affinity = buildDeployment(input, "active").spec?.template.spec?.affinity;
    expect(affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual(
      [{ matchExpressions: [GPU_PRESENT] }],
    );
  });

  it("keeps the GPU out of the fetch-model init container", () => {
    const init = buildDeployment(gpuInput(), "active").spec?.template.spec?.initContainers?.[0];
    expect(init?.name).toBe("fetch-model");
    expect(init?.resources?.limits ?? {}).not.toHaveProperty("nvidia.com/gpu");
    expect(init?.resources?.requests).toEqual({ cpu: "2", memory: "4Gi" });
  });

  it("adds nothing GPU-related to a CPU revision", () => {
    const pod = buildDeployment(minimalInput(), "active").spec?.template.spec;
    expect(pod?.affinity).toBeUndefined();
    expect(pod?.tolerations).toBeUndefined();
    expect(pod?.containers[0]?.resources?.limits?.["nvidia.com/gpu"]).toBeUndefined();
    expect(pod?.containers[0]?.env).toContainEqual({ name: "VIGIL_EXECUTION_PROVIDER", value: "cpu" });
  });
});

describe("mergeAffinity", () => {
  it("adds the requirement to every ORed user term and keeps the rest of the affinity", () => {
    const merged = mergeAffinity(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "a", operator: "Exists" }] },
              { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, preference: { matchExpressions: [{ key: "b", operator: "Exists" }] } },
          ],
        },
        podAntiAffinity: {},
      },
      [GPU_PRESENT],
    );
    expect(merged?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "a", operator: "Exists" }, GPU_PRESENT] },
      {
        matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }],
        matchExpressions: [GPU_PRESENT],
      },
    ]);
    expect(merged?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(merged?.podAntiAffinity).toEqual({});
  });

  it("returns the user's affinity untouched when nothing is required", () => {
    const user = { podAffinity: {} };
    expect(mergeAffinity(user, [])).toBe(user);
    expect(mergeAffinity(undefined, [])).toBeUndefined();
  });
});

describe("mergeTolerations", () => {
  it("merges user tolerations with the GPU toleration without doubling a repeated one", () => {
    const user = [{ key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" }, GPU_TOLERATION];
    expect(mergeTolerations(user, [GPU_TOLERATION])).toEqual(user);
  });

  it("places a GPU revision on the user's dedicated nodes too", () => {
    const input = gpuInput();
    input.service.spec.placement = {
      nodeSelector: { pool: "gpu" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" }],
    };
    const pod = buildDeployment(input, "active").spec?.template.spec;
    expect(pod?.nodeSelector).toEqual({ pool: "gpu" });
    expect(pod?.tolerations).toEqual([
      { key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" },
      GPU_TOLERATION,
    ]);
  });
});

describe("topology spread", () => {
  const selector = { app: "x" };

  it("zone: prefers spreading zones, requires spreading nodes", () => {
    const constraints = topologySpreadConstraints("zone", selector);
    expect(constraints.map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
      ["kubernetes.io/hostname", "DoNotSchedule"],
    ]);
    for (const c of constraints) {
      expect(c).toMatchObject({
        maxSkew: 1,
        nodeTaintsPolicy: "Honor",
        labelSelector: { matchLabels: selector },
      });
    }
  });

  it("node: only the hostname constraint; none: no constraint", () => {
    expect(topologySpreadConstraints("node", selector).map((c) => c.topologyKey)).toEqual([
      "kubernetes.io/hostname",
    ]);
    expect(topologySpreadConstraints("none", selector)).toEqual([]);
  });

  it("spreads a revision's pods by the revision's own labels (zone by default)", () => {
    const deployment = buildDeployment(minimalInput(), "active");
    const constraints = deployment.spec?.template.spec?.topologySpreadConstraints ?? [];
    expect(constraints).toHaveLength(2);
    for (const c of constraints)
      expect(c.labelSelector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);
    const full = fullInput();
    full.service.spec.placement!.topologySpread = "none";
    expect(buildDeployment(full, "active").spec?.template.spec?.topologySpreadConstraints).toBeUndefined();
  });
});
