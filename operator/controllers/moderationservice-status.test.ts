import { JSONPath } from "jsonpath-plus";
import { describe, expect, it } from "vitest";
import { MODERATION_SERVICE, type Condition } from "../../crds/index.js";
import { formatTime } from "../core/conditions.js";
import {
  computeServiceStatus,
  selectorString,
  transitionEvents,
  type ServiceStatusInput,
} from "./moderationservice-status.js";
import {
  available,
  condition,
  deployment,
  EARLIER,
  moderationService,
  NOW,
  rolling,
} from "./testing/objects.js";

const ENDPOINT = "http://comments.trust.svc.cluster.local:8080";

function input(overrides: Partial<ServiceStatusInput> = {}): ServiceStatusInput {
  return {
    service: moderationService("comments", { generation: 4 }),
    now: NOW,
    problems: [],
    serving: {
      deployment: deployment({ hash: "7d9f", status: available(3), replicas: 3 }),
      modelVersion: "3.1.0",
    },
    endpoint: ENDPOINT,
    warnings: [],
    ...overrides,
  };
}

const byType = (conditions: Condition[] | undefined) =>
  Object.fromEntries((conditions ?? []).map((c) => [c.type, { status: c.status, reason: c.reason }]));

describe("computeServiceStatus", () => {
  it("is Ready, not Progressing, not Degraded when the serving revision is fully available", () => {
    const status = computeServiceStatus(input());
    expect(byType(status.conditions)).toEqual({
      Ready: { status: "True", reason: "Serving" },
      Progressing: { status: "False", reason: "RolloutComplete" },
      Degraded: { status: "False", reason: "AsExpected" },
    });
    expect(status.conditions?.every((c) => c.observedGeneration === 4)).toBe(true);
    expect(status.conditions?.every((c) => c.lastTransitionTime === formatTime(NOW))).toBe(true);
    expect(status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      selector:
        "app.kubernetes.io/instance=comments,app.kubernetes.io/name=vigil-runtime,moderation.vigil.dev/revision=7d9f",
      endpoint: ENDPOINT,
      activeRevision: { name: "comments-7d9f", modelVersion: "3.1.0" },
    });
  });

  it("is Progressing while the serving revision rolls, and says how far it is", () => {
    const status = computeServiceStatus(
      input({
        serving: {
          deployment: deployment({ hash: "7d9f", status: rolling(2, 1, 1) }),
          modelVersion: "3.1.0",
        },
      }),
    );
    expect(byType(status.conditions)).toMatchObject({
      Ready: { status: "False", reason: "Rolling" },
      Progressing: { status: "True", reason: "Rolling" },
      Degraded: { status: "False" },
    });
    expect(status.conditions?.find((c) => c.type === "Ready")?.message).toBe(
      "Deployment comments-7d9f: 1 of 2 replicas updated",
    );
  });

  it("follows the incoming revision during a model change while the old one keeps serving", () => {
    const status = computeServiceStatus(
      input({ incoming: deployment({ hash: "a1c2", replicas: 1, status: rolling(1) }) }),
    );
    const ready = status.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Rolling" });
    expect(ready?.message).toContain("revision comments-7d9f keeps serving until it is ready");
    expect(status.activeRevision).toEqual({ name: "comments-7d9f", modelVersion: "3.1.0" });
  });

  it("is Degraded with ProgressDeadlineExceeded when the Deployment controller gave up", () => {
    const stalled = deployment({
      hash: "7d9f",
      status: {
        ...rolling(2, 1, 2),
        conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
      },
    });
    const status = computeServiceStatus(input({ serving: { deployment: stalled, modelVersion: "3.1.0" } }));
    expect(byType(status.conditions)).toMatchObject({
      Ready: { status: "False", reason: "ProgressDeadlineExceeded" },
      Progressing: { status: "False", reason: "ProgressDeadlineExceeded" },
      Degraded: { status: "True", reason: "ProgressDeadlineExceeded" },
    });
  });

  it("reports lost replicas as InsufficientReplicas without calling it Degraded", () => {
    const short = deployment({
      hash: "7d9f",
      replicas: 3,
      status: { ...available(3), readyReplicas: 2, availableReplicas: 2 },
    });
    const status = computeServiceStatus(input({ serving: { deployment: short, modelVersion: "3.1.0" } }));
    expect(byType(status.conditions)).toMatchObject({
      Ready: { status: "False", reason: "InsufficientReplicas" },
      Progressing: { status: "True", reason: "InsufficientReplicas" },
      Degraded: { status: "False" },
    });
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 2 });
  });

  it("is Ready with ScaledToZero at zero replicas", () => {
    const zero = deployment({ hash: "7d9f", replicas: 0, status: { observedGeneration: 1 } });
    const status = computeServiceStatus(input({ serving: { deployment: zero, modelVersion: "3.1.0" } }));
    expect(byType(status.conditions).Ready).toEqual({ status: "True", reason: "ScaledToZero" });
  });

  it.each([
    ["ModelDeploymentNotFound", "ModelDeployment toxicity (spec.modelRef) does not exist in namespace trust"],
    ["PolicyNotFound", "Policy comments (spec.policyRef) does not exist in namespace trust"],
    ["PolicyInvalid", "Policy comments is invalid: spec.categories.toxicity.flag: flag must be <= block"],
    ["InvalidSpec", 'ModerationService metadata.name: "comments.v2" must be a DNS-1035 label'],
    ["ChildNotOwned", "ConfigMap trust/comments-policy exists and was not created by this ModerationService"],
  ])("names the problem %s in Ready, Progressing and Degraded", (reason, message) => {
    const status = computeServiceStatus(input({ problems: [{ reason, message }] }));
    expect(byType(status.conditions)).toEqual({
      Ready: { status: "False", reason },
      Progressing: { status: "False", reason },
      Degraded: { status: "True", reason },
    });
    expect(status.conditions?.find((c) => c.type === "Degraded")?.message).toBe(message);
    // What still serves is still reported.
    expect(status.readyReplicas).toBe(3);
  });

  it("reports every problem in the message and the first one as the reason", () => {
    const status = computeServiceStatus(
      input({
        problems: [
          { reason: "ModelDeploymentNotFound", message: "no model" },
          { reason: "PolicyNotFound", message: "no policy" },
        ],
      }),
    );
    expect(status.conditions?.find((c) => c.type === "Degraded")).toMatchObject({
      reason: "ModelDeploymentNotFound",
      message: "no model; no policy",
    });
  });

  it("keeps lastTransitionTime while a condition's status holds", () => {
    const previous = [condition("Ready", "True", "Serving"), condition("Degraded", "False", "AsExpected")];
    const service = moderationService("comments", { generation: 4, status: { conditions: previous } });
    const status = computeServiceStatus(input({ service }));
    expect(status.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime).toBe(EARLIER);
    expect(status.conditions?.find((c) => c.type === "Progressing")?.lastTransitionTime).toBe(
      formatTime(NOW),
    );
  });

  it("shows VPA and disruption-budget warnings as conditions while they hold", () => {
    const warned = computeServiceStatus(
      input({
        warnings: [
          { reason: "VerticalPodAutoscalerUnavailable", message: "VPA CRD is not installed" },
          { reason: "SingleReplicaUnprotected", message: "1 replica" },
          { reason: "VerticalAutoscalingRecommendOnly", message: "told as an Event, not a condition" },
        ],
      }),
    );
    expect(byType(warned.conditions)).toMatchObject({
      VerticalAutoscalingUnavailable: { status: "True", reason: "VerticalPodAutoscalerUnavailable" },
      DisruptionBudgetAtRisk: { status: "True", reason: "SingleReplicaUnprotected" },
    });
    expect(warned.conditions).toHaveLength(5);
    const cleared = computeServiceStatus(
      input({ service: moderationService("comments", { status: warned }), warnings: [] }),
    );
    expect(cleared.conditions?.map((c) => c.type).sort()).toEqual(["Degraded", "Progressing", "Ready"]);
    // Not evaluated (the children could not be built): the warnings stay as they were.
    const kept = computeServiceStatus(
      input({
        service: moderationService("comments", { status: warned }),
        problems: [{ reason: "PolicyNotFound", message: "gone" }],
        warnings: undefined,
      }),
    );
    expect(kept.conditions).toHaveLength(5);
  });

  it("carries over status fields other controllers own", () => {
    const lastBackup = { name: "comments-20260101", succeeded: true };
    const status = computeServiceStatus(
      input({ service: moderationService("comments", { status: { lastBackup } }) }),
    );
    expect(status.lastBackup).toEqual(lastBackup);
  });

  it("reports no replicas, selector or revision when no revision Deployment exists", () => {
    const status = computeServiceStatus(
      input({
        serving: undefined,
        endpoint: undefined,
        problems: [{ reason: "PolicyNotFound", message: "gone" }],
      }),
    );
    expect(status).toMatchObject({ replicas: undefined, readyReplicas: undefined, selector: undefined });
    expect(status.activeRevision).toBeUndefined();
  });
});

describe("kubectl get modsvc", () => {
  it("shows Ready, Model, Version, Replicas and Age through the CRD's printer columns", () => {
    const service = moderationService("comments");
    const object = { ...service, status: computeServiceStatus(input({ service })) };
    const row = Object.fromEntries(
      MODERATION_SERVICE.printerColumns
        .filter((c) => !c.priority)
        .map((c) => [c.name, JSONPath({ path: `$${c.jsonPath}`, json: object, wrap: false })]),
    );
    expect(row).toEqual({
      Ready: ["True"],
      Model: "toxicity",
      Version: "3.1.0",
      Replicas: 3,
      Age: EARLIER,
    });
    const wide = Object.fromEntries(
      MODERATION_SERVICE.printerColumns
        .filter((c) => c.priority)
        .map((c) => [c.name, JSONPath({ path: `$${c.jsonPath}`, json: object, wrap: false })]),
    );
    expect(wide).toEqual({ Policy: "comments", Endpoint: ENDPOINT, Reason: ["Serving"] });
  });
});

describe("transitionEvents", () => {
  it("tells becoming Degraded, a new Degraded reason and becoming Ready; a steady state tells nothing", () => {
    const degraded = [
      condition("Degraded", "True", "PolicyNotFound"),
      condition("Ready", "False", "PolicyNotFound"),
    ];
    const other = [
      condition("Degraded", "True", "PolicyInvalid"),
      condition("Ready", "False", "PolicyInvalid"),
    ];
    const ready = [condition("Degraded", "False", "AsExpected"), condition("Ready", "True", "Serving")];
    expect(transitionEvents(ready, degraded)).toEqual([
      { type: "Warning", reason: "PolicyNotFound", message: "" },
    ]);
    expect(transitionEvents(degraded, other)).toEqual([
      { type: "Warning", reason: "PolicyInvalid", message: "" },
    ]);
    expect(transitionEvents(degraded, ready)).toEqual([{ type: "Normal", reason: "Serving", message: "" }]);
    expect(transitionEvents(undefined, ready)).toEqual([{ type: "Normal", reason: "Serving", message: "" }]);
    expect(transitionEvents(ready, ready)).toEqual([]);
    expect(transitionEvents(degraded, degraded)).toEqual([]);
  });
});

describe("selectorString", () => {
  it("joins matchLabels as k=v pairs, and is undefined for no labels", () => {
    expect(selectorString({ a: "1", b: "2" })).toBe("a=1,b=2");
    expect(selectorString({ b: "2", a: "1" })).toBe("a=1,b=2");
    expect(selectorString({})).toBeUndefined();
    expect(selectorString(undefined)).toBeUndefined();
  });
});
