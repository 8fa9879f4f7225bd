import { describe, expect, it } from "vitest";
import { formatTime } from "../core/conditions.js";
import { policyFixture } from "../desired/fixtures.js";
import type { LivePolicy } from "./live-objects.js";
import { computePolicyStatus, validatePolicy } from "./policy-status.js";
import { condition, EARLIER, NOW } from "./testing/objects.js";

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
      usedBy: ["forum", "chat", "forum"],
      now: NOW,
    });
    expect(status.conditions).toEqual([
      {
        type: "Valid",
        status: "True",
        reason: "Valid",
        message: "spec passes the CRD schema and CEL rules",
        observedGeneration: 7,
        lastTransitionTime: formatTime(NOW),
      },
    ]);
    expect(status.usedBy).toEqual(["chat", "forum"]);
  });

  it("is Valid=False with reason PolicyInvalid and the field errors for a Policy that slipped past", () => {
    const policy = valid();
    policy.spec.categories = { toxicity: { flag: 0.9, block: 0.5 } };
    const status = computePolicyStatus({ policy, errors: validatePolicy(policy), usedBy: [], now: NOW });
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
      conditions: [condition("Valid", "True", "Valid", 6), condition("Applied", "True", "AllPodsApplied", 6)],
    };
    const status = computePolicyStatus({ policy, errors: [], usedBy: [], now: NOW });
    expect(status.usedBy).toBeUndefined();
    expect(status.conditions?.find((c) => c.type === "Valid")).toMatchObject({
      lastTransitionTime: EARLIER,
      observedGeneration: 7,
    });
    expect(status.conditions?.find((c) => c.type === "Applied")).toMatchObject({ reason: "AllPodsApplied" });
  });
});
