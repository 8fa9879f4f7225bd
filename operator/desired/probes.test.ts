import { describe, expect, it } from "vitest";
import { runtimeProbes, startupBudgetSeconds } from "./probes.js";

describe("runtime probes", () => {
  it("probe /startup, /ready and /live on the http port", () => {
    const probes = runtimeProbes();
    expect(probes.startupProbe.httpGet).toMatchObject({ path: "/startup", port: "http" });
    expect(probes.readinessProbe.httpGet).toMatchObject({ path: "/ready", port: "http" });
    expect(probes.livenessProbe.httpGet).toMatchObject({ path: "/live", port: "http" });
  });

  it.each([
    [undefined, 60],
    [0, 60],
    [100_000_000, 90],
    [438_000_000, 192],
    [1_000_000_000, 360],
    [2_800_000_000, 900],
    [50_000_000_000, 900],
  ])("budget %s bytes of model with %s seconds to start", (size, seconds) => {
    expect(startupBudgetSeconds(size)).toBe(seconds);
  });

  it("turn the budget into failureThreshold x periodSeconds, covering it", () => {
    for (const size of [undefined, 438_000_000, 1_000_000_000, 50_000_000_000]) {
      const { startupProbe } = runtimeProbes(size);
      const allowed = (startupProbe.failureThreshold ?? 0) * (startupProbe.periodSeconds ?? 0);
      expect(allowed).toBeGreaterThanOrEqual(startupBudgetSeconds(size));
      expect(allowed).toBeLessThan(startupBudgetSeconds(size) + (startupProbe.periodSeconds ?? 0));
    }
    expect(runtimeProbes(50_000_000_000).startupProbe.failureThreshold).toBe(90);
  });
});
