import { describe, expect, it } from "vitest";
import { formatTime } from "../core/conditions.js";
import { policyFixture } from "../desired/fixtures.js";
import type { LiveModerationService, LivePolicy } from "./live-objects.js";
import { computePolicyStatus, validatePolicy } from "./policy-status.js";
import { condition, EARLIER, moderationService, NOW } from "./testing/objects.js";

const valid = (): LivePolicy => policyFixture() as LivePolicy;

function invalid(): LivePolicy {
  const policy = valid();
  policy.spec.categories = { toxicity: { flag: 0.9, block: 0.5 }, threat: { block: 1.5 } };
  return policy;
}

describe("validatePolicy", () => {
  it("accepts what the CRD accepts", () => {
    expect(validatePolicy(valid())).toEqual([]);
  });

  it("finds what the CRD's schema and CEL rules reject, with field paths", () => {
    const schema = validatePolicy(invalid());
    expect(schema.map((e) => e.field)).toEqual(["spec.categories.threat.block"]);
    const policy = valid();
    policy.spec.categories = { toxicity: { flag: 0.9, block: 0.5 } };
    expect(validatePolicy(policy)).toEqual([
      expect.objectContaining({ field: "spec.categories[toxicity].flag", message: "flag must be <= block" }),
    ]);
  });
});

describe("computePolicyStatus", () => {
  it("is Valid for the current generation and lists its users sorted and once each", () => {
    const status = computePolicyStatus({
      policy: valid(),
      errors: [],
      users: [moderationService("forum"), moderationService("chat")],
      now: NOW,
    });
    expect(status.conditions?.find((c) => c.type === "Valid")).toEqual({
      type: "Valid",
      status: "True",
      reason: "Valid",
      message: "spec passes the CRD schema and CEL rules",
      observedGeneration: 7,
      lastTransitionTime: formatTime(NOW),
    });
    expect(status.usedBy).toEqual(["chat", "forum"]);
  });

  it("is Valid=False with reason PolicyInvalid and the field errors for a Policy that slipped past", () => {
    const policy = valid();
    policy.spec.categories = { toxicity: { flag: 0.9, block: 0.5 } };
    const status = computePolicyStatus({ policy, errors: validatePolicy(policy), users: [], now: NOW });
    expect(status.conditions?.[0]).toMatchObject({
      status: "False",
      reason: "PolicyInvalid",
      message: "Policy comments is invalid: spec.categories[toxicity].flag: flag must be <= block",
    });
  });

  it("drops usedBy when nothing uses the Policy, keeps transition times and other conditions", () => {
    const policy = valid();
    policy.status = {
      usedBy: ["chat"],
      conditions: [condition("Valid", "True", "Valid", 6), condition("Other", "True", "Kept", 6)],
    };
    const status = computePolicyStatus({ policy, errors: [], users: [], now: NOW });
    expect(status.usedBy).toBeUndefined();
    expect(status.conditions?.find((c) => c.type === "Valid")).toMatchObject({
      lastTransitionTime: EARLIER,
      observedGeneration: 7,
    });
    expect(status.conditions?.find((c) => c.type === "Other")).toMatchObject({ reason: "Kept" });
    expect(status.conditions?.find((c) => c.type === "Applied")).toMatchObject({
      status: "Unknown",
      reason: "NotReferenced",
    });
  });
});

describe("the Applied condition", () => {
  const applied = (...users: LiveModerationService[]) =>
    computePolicyStatus({ policy: valid(), errors: [], users, now: NOW }).conditions?.find(
      (c) => c.type === "Applied",
    );
  const reporting = (name: string, policy: LiveModerationService["status"]) =>
    moderationService(name, { status: policy });

  it("is True when every ready pod of every service applies the current generation", () => {
    expect(
      applied(
        reporting("chat", { policy: { generation: 7, replicas: 2, appliedReplicas: 2 } }),
        reporting("forum", { policy: { generation: 7, replicas: 3, appliedReplicas: 3 } }),
      ),
    ).toMatchObject({
      status: "True",
      reason: "Applied",
      message: "generation 7 is applied by all 5 ready pods of 2 ModerationService(s)",
      observedGeneration: 7,
    });
  });

  it("is False (Pending) while a service has not reported the current generation", () => {
    expect(
      applied(
        reporting("chat", { policy: { generation: 6, replicas: 2, appliedReplicas: 2 } }),
        moderationService("forum"),
      ),
    ).toMatchObject({
      status: "False",
      reason: "Pending",
      message:
        "ModerationService chat has not reported generation 7 yet; ModerationService forum has not reported generation 7 yet",
    });
  });

  it("names the lagging pods, a refusal first", () => {
    const condition = applied(
      reporting("chat", {
        policy: {
          generation: 7,
          replicas: 3,
          appliedReplicas: 1,
          lagging: [
            { pod: "chat-a1-x", reason: "Pending", appliedGeneration: 6 },
            { pod: "chat-a1-y", reason: "Rejected", appliedGeneration: 6, message: "unknown category" },
          ],
        },
      }),
    );
    expect(condition).toMatchObject({
      status: "False",
      reason: "Rejected",
      message:
        "ModerationService chat: 1 of 3 ready pods apply generation 7; chat-a1-x applies generation 6 (Pending), " +
        "chat-a1-y applies generation 6 (Rejected: unknown category)",
    });
  });
});
