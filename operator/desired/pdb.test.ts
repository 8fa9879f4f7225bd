import { describe, expect, it } from "vitest";
import type { ModerationServiceSpec } from "../../crds/index.js";
import { fullInput, minimalInput } from "./fixtures.js";
import { buildPodDisruptionBudget, pdbWarnings } from "./pdb.js";
import { validateUpstream } from "./testing/upstream.js";

const refs = { modelRef: { name: "m" }, policyRef: { name: "p" } };
const reasons = (spec: Partial<ModerationServiceSpec>) =>
  pdbWarnings({ ...refs, ...spec }).map((w) => w.reason);

describe("buildPodDisruptionBudget", () => {
  it("defaults to maxUnavailable 1 over every revision of the service", () => {
    const pdb = buildPodDisruptionBudget(minimalInput());
    validateUpstream(pdb);
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: { "app.kubernetes.io/name": "vigil-runtime", "app.kubernetes.io/instance": "comments" },
      },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
  });

  it("uses minAvailable instead when that is what the spec sets", () => {
    const pdb = buildPodDisruptionBudget(fullInput());
    expect(pdb.spec?.minAvailable).toBe(2);
    expect(pdb.spec).not.toHaveProperty("maxUnavailable");
  });
});

describe("pdbWarnings", () => {
  it("is quiet for the defaults and for sound budgets", () => {
    expect(reasons({})).toEqual([]);
    expect(reasons({ replicas: 3, disruption: { minAvailable: 2 } })).toEqual([]);
    expect(reasons({ replicas: 2, disruption: { minAvailable: "50%" } })).toEqual([]);
    expect(
      reasons({ autoscaling: { minReplicas: 3, maxReplicas: 9 }, disruption: { maxUnavailable: "10%" } }),
    ).toEqual([]);
  });

  it("warns that one replica goes down on every drain", () => {
    expect(reasons({ replicas: 1 })).toEqual(["SingleReplicaUnprotected"]);
    expect(reasons({ autoscaling: { minReplicas: 1, maxReplicas: 5 } })).toEqual([
      "SingleReplicaUnprotected",
    ]);
  });

  it("warns when the budget allows no disruption and would block drains", () => {
    expect(reasons({ replicas: 1, disruption: { minAvailable: 1 } })).toEqual([
      "DisruptionBudgetBlocksDrains",
    ]);
    expect(reasons({ replicas: 2, disruption: { minAvailable: 2 } })).toEqual([
      "DisruptionBudgetBlocksDrains",
    ]);
    expect(reasons({ replicas: 3, disruption: { minAvailable: "100%" } })).toEqual([
      "DisruptionBudgetBlocksDrains",
    ]);
    expect(reasons({ replicas: 3, disruption: { maxUnavailable: 0 } })).toEqual([
      "DisruptionBudgetBlocksDrains",
    ]);
    const [warning] = pdbWarnings({ ...refs, replicas: 2, disruption: { minAvailable: 2 } });
    expect(warning?.message).toContain("minAvailable 2 with 2 replica(s)");
  });

  it("says nothing for a service scaled to zero", () => {
    expect(reasons({ replicas: 0, disruption: { minAvailable: 1 } })).toEqual([]);
  });
});
