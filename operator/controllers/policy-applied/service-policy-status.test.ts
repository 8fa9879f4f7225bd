import { describe, expect, it } from "vitest";
import type { ServicePolicyStatus } from "../../../crds/index.js";
import type { PodPolicyReport } from "./pod-policy-prober.js";
import { servicePolicyStatus } from "./service-policy-status.js";

const PODS = ["web-a", "web-b", "web-c"];
const answered = (entries: Record<string, PodPolicyReport>) => new Map(Object.entries(entries));

describe("servicePolicyStatus", () => {
  it("counts the pods that apply the generation and lists the others with their reason", () => {
    const status = servicePolicyStatus(
      4,
      PODS,
      answered({
        "web-a": { generation: 4 },
        "web-b": { generation: 3, rejected: "terms: bad pattern" },
        "web-c": { unreachable: "GET /ready failed: timeout" },
      }),
    );
    expect(status).toEqual({
      generation: 4,
      replicas: 3,
      appliedReplicas: 1,
      lagging: [
        { pod: "web-b", reason: "Rejected", appliedGeneration: 3, message: "terms: bad pattern" },
        { pod: "web-c", reason: "Unreachable", message: "GET /ready failed: timeout" },
      ],
    });
  });

  it("reports a pod not asked yet as Pending when nothing was recorded before", () => {
    expect(servicePolicyStatus(4, PODS, answered({ "web-a": { generation: 4 } }))).toMatchObject({
      appliedReplicas: 1,
      lagging: [
        { pod: "web-b", reason: "Pending", message: "not asked yet" },
        { pod: "web-c", reason: "Pending", message: "not asked yet" },
      ],
    });
  });

  describe("after an operator restart (no answers in memory yet)", () => {
    const recorded: ServicePolicyStatus = {
      generation: 4,
      replicas: 3,
      appliedReplicas: 2,
      lagging: [{ pod: "web-c", reason: "Pending", appliedGeneration: 3 }],
    };

    it("keeps the recorded status while it still describes the ready pods", () => {
      expect(servicePolicyStatus(4, PODS, answered({}), recorded)).toBe(recorded);
      expect(servicePolicyStatus(4, PODS, answered({ "web-a": { generation: 4 } }), recorded)).toBe(recorded);
    });

    it("computes afresh once every pod has answered", () => {
      const all = answered({
        "web-a": { generation: 4 },
        "web-b": { generation: 4 },
        "web-c": { generation: 4 },
      });
      expect(servicePolicyStatus(4, PODS, all, recorded)).toEqual({
        generation: 4,
        replicas: 3,
        appliedReplicas: 3,
      });
    });

    it("does not keep a status recorded for another generation, pod count or lagging pod", () => {
      const notAsked = { reason: "Pending", message: "not asked yet" };
      expect(servicePolicyStatus(5, PODS, answered({}), recorded).lagging).toHaveLength(3);
      expect(servicePolicyStatus(4, ["web-a", "web-b"], answered({}), recorded).lagging).toEqual([
        { pod: "web-a", ...notAsked },
        { pod: "web-b", ...notAsked },
      ]);
      expect(
        servicePolicyStatus(4, ["web-a", "web-b", "web-d"], answered({}), recorded).appliedReplicas,
      ).toBe(0);
    });
  });
});
