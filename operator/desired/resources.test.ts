import { describe, expect, it } from "vitest";
import { DesiredInputError } from "./errors.js";
import { parseQuantity } from "./quantity.js";
import { cpuCores, mergeResources, withoutExtendedResources } from "./resources.js";

describe("mergeResources", () => {
  it("lets the ModelDeployment's value win per resource and fills in the service's", () => {
    expect(
      mergeResources(
        { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: 4, memory: "2Gi" } },
        { requests: { memory: "1536Mi" }, limits: { memory: "3Gi" } },
        undefined,
      ),
    ).toEqual({ requests: { cpu: "1", memory: "1536Mi" }, limits: { cpu: "4", memory: "3Gi" } });
  });

  it("requests 500m CPU and 512Mi memory when nothing is set, so the pod is not BestEffort", () => {
    expect(mergeResources({}, {}, undefined)).toEqual({ requests: { cpu: "500m", memory: "512Mi" } });
  });

  it("adds no default request under a limit (the API server sets request = limit)", () => {
    expect(mergeResources({ limits: { cpu: "200m" } }, {}, undefined)).toEqual({
      requests: { memory: "512Mi" },
      limits: { cpu: "200m" },
    });
  });

  it("sets the GPU limit from ModelDeployment.gpu, over any hand-written one", () => {
    expect(mergeResources({ limits: { "nvidia.com/gpu": 4 } }, {}, 1).limits?.["nvidia.com/gpu"]).toBe("1");
  });

  it("rejects a request above its limit after merging, naming both fields", () => {
    const merge = () =>
      mergeResources({ requests: { memory: "4Gi" } }, { limits: { memory: "2Gi" } }, undefined);
    expect(merge).toThrow(DesiredInputError);
    expect(merge).toThrow("memory request 4Gi exceeds limit 2Gi");
  });

  it("strips GPUs and other devices for init containers", () => {
    expect(
      withoutExtendedResources({ requests: { cpu: "1" }, limits: { memory: "1Gi", "nvidia.com/gpu": "1" } }),
    ).toEqual({ requests: { cpu: "1" }, limits: { memory: "1Gi" } });
    expect(withoutExtendedResources({ limits: { "nvidia.com/gpu": "1" } })).toEqual({});
  });

  it("reads CPU cores from the limit, else the request", () => {
    expect(cpuCores({ requests: { cpu: "500m" }, limits: { cpu: "2" } })).toBe(2);
    expect(cpuCores({ requests: { cpu: "1500m" } })).toBe(1.5);
    expect(cpuCores({ requests: { memory: "1Gi" } })).toBeUndefined();
  });
});

describe("parseQuantity", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    [3, 3],
    ["1Gi", 2 ** 30],
    ["1536Mi", 1536 * 2 ** 20],
    ["1G", 1e9],
    ["1e3", 1000],
    [".5", 0.5],
  ])("%s = %s", (quantity, value) => {
    expect(parseQuantity(quantity, "f")).toBe(value);
  });

  it("rejects a malformed quantity with the field in the message", () => {
    expect(() => parseQuantity("1 GB", "spec.resources.limits[memory]")).toThrow(
      'spec.resources.limits[memory]: "1 GB" is not a resource quantity',
    );
  });
});
