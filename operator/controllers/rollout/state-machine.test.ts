import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { RolloutStatus } from "../../../crds/index.js";
import type { LiveDeployment, LiveModerationService } from "../live-objects.js";
import { available, deployment, moderationService, NOW, rolling } from "../testing/objects.js";
import type { GateResult } from "./gate-result.js";
import { decideRollout, servingSize, type RolloutDecision, type RolloutInput } from "./state-machine.js";
import type { RolloutStrategy } from "./strategy.js";

const OLD = "aaaaaaaaaa";
const NEW = "bbbbbbbbbb";
const SECOND = 1000;

const STRATEGY: RolloutStrategy = {
  previewReplicas: 1,
  autoPromotion: true,
  autoPromotionSeconds: 0,
  scaleDownDelaySeconds: 300,
  progressDeadlineSeconds: 600,
  minPassRate: 1,
  hasChecks: true,
  revisionHistoryLimit: 3,
};

function service(rollout?: RolloutStatus, annotations?: Record<string, string>): LiveModerationService {
  const svc = moderationService("comments", rollout ? { status: { rollout } } : {});
  if (annotations) svc.metadata = { ...svc.metadata, annotations };
  return svc;
}

function revision(
  hash: string,
  replicas: number,
  ready = true,
  created = "2026-01-10T00:00:00Z",
): LiveDeployment {
  const d = deployment({ hash, replicas, status: ready ? available(replicas) : rolling(replicas) });
  d.metadata = { ...d.metadata, creationTimestamp: created };
  return d;
}

const passed = (revision = NEW, policyGeneration = 1): GateResult => ({
  revision,
  policyGeneration,
  passed: 3,
  failed: 0,
  p95LatencyMs: 12,
  failures: [],
  ranAt: NOW,
  verdict: "Passed",
  message: "3/3 samples passed (min 100%), p95 12ms",
});

function input(overrides: Partial<RolloutInput> = {}): RolloutInput {
  return {
    now: NOW,
    service: service(),
    specHash: NEW,
    strategy: STRATEGY,
    policyGeneration: 1,
    selected: OLD,
    deployments: [revision(OLD, 2)],
    previewPods: [],
    replicas: 2,
    ...overrides,
  };
}

/** Feeds a decision's status back as the service's status, as the controller writes it. */
const after = (decision: RolloutDecision, annotations?: Record<string, string>) =>
  service(decision.status, annotations);

function podWith(status: V1Pod["status"], name = "comments-bbbbbbbbbb-x1"): V1Pod {
  return { metadata: { name }, status };
}

describe("decideRollout: the happy path", () => {
  it("starts a rollout beside the serving revision at the preview size", () => {
    const d = decideRollout(input());
    expect(d.status).toMatchObject({ phase: "Deploying", activeRevision: OLD, previewRevision: NEW });
    expect(d.status.startedAt).toBe("2026-01-15T12:00:00Z");
    expect(d.activeHash).toBe(OLD);
    expect(d.previewHash).toBe(NEW);
    expect(d.replicas).toEqual({ [NEW]: 1, [OLD]: 2 });
    expect(d.events.map((e) => e.reason)).toEqual(["RolloutStarted"]);
    expect(d.requeueAfterMs).toBe(600 * SECOND);
  });

  it("goes Verifying once the preview is available and asks for a gate run", () => {
    const deploying = decideRollout(input());
    const d = decideRollout(
      input({
        now: NOW + 5 * SECOND,
        service: after(deploying),
        deployments: [revision(OLD, 2), revision(NEW, 1)],
      }),
    );
    expect(d.status.phase).toBe("Verifying");
    expect(d.runGate).toBe(true);
    expect(d.activeHash).toBe(OLD);
    expect(d.requeueAfterMs).toBe(1000);
  });

  it("records the gate result, promotes at the serving size and switches only when it is available", () => {
    const deployments = [revision(OLD, 2), revision(NEW, 1)];
    const verifying = decideRollout(input({ service: after(decideRollout(input())), deployments }));
    const promoting = decideRollout(input({ service: after(verifying), deployments, gate: passed() }));
    expect(promoting.status.phase).toBe("Promoting");
    expect(promoting.status.checks).toMatchObject({ passed: 3, failed: 0, revision: NEW, verdict: "Passed" });
    expect(promoting.replicas[NEW]).toBe(2);
    expect(promoting.activeHash).toBe(OLD);
    expect(promoting.events.map((e) => e.reason)).toEqual(["QualityGatePassed", "RolloutPromoting"]);

    // Scaled but not yet available: traffic stays.
    const scaling = decideRollout(
      input({ service: after(promoting), deployments: [revision(OLD, 2), revision(NEW, 2, false)] }),
    );
    expect(scaling.status.phase).toBe("Promoting");
    expect(scaling.activeHash).toBe(OLD);

    const active = decideRollout(
      input({
        now: NOW + 10 * SECOND,
        service: after(scaling),
        deployments: [revision(OLD, 2), revision(NEW, 2)],
      }),
    );
    expect(active.status).toMatchObject({ phase: "Active", activeRevision: NEW, previousRevision: OLD });
    expect(active.status.previewRevision).toBeUndefined();
    expect(active.activeHash).toBe(NEW);
    expect(active.events.map((e) => e.reason)).toEqual(["RevisionPromoted"]);
    // The old revision keeps its pods for the scale-down delay.
    expect(active.replicas[OLD]).toBeUndefined();
    expect(active.requeueAfterMs).toBe(300 * SECOND);
  });

  it("scales the replaced revision to zero after scaleDownDelaySeconds and keeps it", () => {
    const status: RolloutStatus = {
      phase: "Active",
      activeRevision: NEW,
      previousRevision: OLD,
      promotedAt: "2026-01-15T12:00:00Z",
      phaseSince: "2026-01-15T12:00:00Z",
    };
    const base = input({
      service: service(status),
      selected: NEW,
      deployments: [revision(OLD, 2), revision(NEW, 2)],
    });
    const waiting = decideRollout({ ...base, now: NOW + 299 * SECOND });
    expect(waiting.replicas[OLD]).toBeUndefined();
    expect(waiting.requeueAfterMs).toBe(1 * SECOND);
    const done = decideRollout({ ...base, now: NOW + 300 * SECOND });
    expect(done.replicas[OLD]).toBe(0);
    expect(done.prune).toEqual([]);
    expect(done.events.map((e) => e.reason)).toEqual(["RevisionScaledDown"]);
  });

  it("deletes retained revisions past revisionHistoryLimit, oldest first", () => {
    const deployments = [
      revision(NEW, 2),
      revision("r1", 0, true, "2026-01-01T00:00:00Z"),
      revision("r2", 0, true, "2026-01-02T00:00:00Z"),
      revision("r3", 0, true, "2026-01-03T00:00:00Z"),
    ];
    const d = decideRollout(
      input({
        service: service({ phase: "Active", activeRevision: NEW }),
        selected: NEW,
        deployments,
        strategy: { ...STRATEGY, revisionHistoryLimit: 2 },
      }),
    );
    expect(d.prune).toEqual(["comments-r1"]);
    expect(d.events).toEqual([]);
  });

  it("waits autoPromotionSeconds on the injected clock before promoting", () => {
    const strategy = { ...STRATEGY, autoPromotionSeconds: 60 };
    const deployments = [revision(OLD, 2), revision(NEW, 1)];
    const verifying = decideRollout(
      input({ strategy, service: after(decideRollout(input({ strategy }))), deployments }),
    );
    const awaiting = decideRollout(
      input({ strategy, service: after(verifying), deployments, gate: passed() }),
    );
    expect(awaiting.status.phase).toBe("AwaitingPromotion");
    expect(awaiting.requeueAfterMs).toBe(60 * SECOND);
    const early = decideRollout(
      input({ strategy, now: NOW + 59 * SECOND, service: after(awaiting), deployments }),
    );
    expect(early.status.phase).toBe("AwaitingPromotion");
    const due = decideRollout(
      input({ strategy, now: NOW + 60 * SECOND, service: after(early), deployments }),
    );
    expect(due.status.phase).toBe("Promoting");
  });

  it("without autoPromotion waits for the promote annotation and records it as handled", () => {
    const strategy = { ...STRATEGY, autoPromotion: false };
    const deployments = [revision(OLD, 2), revision(NEW, 1)];
    const verifying = decideRollout(
      input({ strategy, service: after(decideRollout(input({ strategy }))), deployments }),
    );
    const awaiting = decideRollout(
      input({ strategy, service: after(verifying), deployments, gate: passed() }),
    );
    const later = decideRollout(
      input({ strategy, now: NOW + 3600 * SECOND, service: after(awaiting), deployments }),
    );
    expect(later.status.phase).toBe("AwaitingPromotion");
    expect(later.status.message).toContain("vigil promote comments");
    const promoted = decideRollout(
      input({ strategy, service: after(later, { "moderation.vigil.dev/promote": "t1" }), deployments }),
    );
    expect(promoted.status.phase).toBe("Promoting");
    expect(promoted.status.handled).toEqual({ promote: "t1" });
    // The same value again is not a new request.
    const again = decideRollout(
      input({ strategy, service: after(promoted, { "moderation.vigil.dev/promote": "t1" }), deployments }),
    );
    expect(again.status.handled).toEqual({ promote: "t1" });
  });

  it("a promote request before the gate passed does not skip the gate", () => {
    const deploying = decideRollout(
      input({ service: service(undefined, { "moderation.vigil.dev/promote": "early" }) }),
    );
    expect(deploying.status.phase).toBe("Deploying");
    expect(deploying.status.handled).toBeUndefined();
    expect(deploying.activeHash).toBe(OLD);
  });

  it("runs without a gate when no checks are configured", () => {
    const strategy = { ...STRATEGY, hasChecks: false };
    const deployments = [revision(OLD, 2), revision(NEW, 1)];
    const d = decideRollout(
      input({ strategy, service: after(decideRollout(input({ strategy }))), deployments }),
    );
    expect(d.status.phase).toBe("Promoting");
    expect(d.runGate).toBe(false);
    expect(d.status.checks).toMatchObject({
      passed: 0,
      failed: 0,
      verdict: "Passed",
      message: "no quality gate configured",
    });
  });

  it("reruns the gate when the Policy generation changes during Verifying", () => {
    const deployments = [revision(OLD, 2), revision(NEW, 1)];
    const verifying = decideRollout(input({ service: after(decideRollout(input())), deployments }));
    const stale = decideRollout(
      input({ service: after(verifying), deployments, policyGeneration: 2, gate: passed(NEW, 1) }),
    );
    expect(stale.status.phase).toBe("Verifying");
    expect(stale.runGate).toBe(true);
  });
});

describe("decideRollout: the first rollout", () => {
  const first = (overrides: Partial<RolloutInput> = {}) =>
    input({ selected: undefined, deployments: [], ...overrides });

  it("deploys at the serving size and creates no active Service until the gate passed", () => {
    const d = decideRollout(first());
    expect(d.status.phase).toBe("Deploying");
    expect(d.activeHash).toBeUndefined();
    expect(d.replicas).toEqual({ [NEW]: 2 });
    const verifying = decideRollout(first({ service: after(d), deployments: [revision(NEW, 2)] }));
    expect(verifying.status.phase).toBe("Verifying");
    expect(verifying.activeHash).toBeUndefined();
    const active = decideRollout(
      first({ service: after(verifying), deployments: [revision(NEW, 2)], gate: passed() }),
    );
    expect(active.status).toMatchObject({ phase: "Active", activeRevision: NEW });
    expect(active.activeHash).toBe(NEW);
  });

  it("promotes once verified even without autoPromotion: nothing serves, waiting protects nothing", () => {
    const strategy = { ...STRATEGY, autoPromotion: false, autoPromotionSeconds: 600 };
    const verifying = decideRollout(
      first({
        strategy,
        service: after(decideRollout(first({ strategy }))),
        deployments: [revision(NEW, 2)],
      }),
    );
    const d = decideRollout(
      first({ strategy, service: after(verifying), deployments: [revision(NEW, 2)], gate: passed() }),
    );
    expect(d.status.phase).toBe("Active");
    expect(d.activeHash).toBe(NEW);
  });

  it("ends in Failed, not RolledBack, with the gate's failures", () => {
    const verifying = decideRollout(
      first({ service: after(decideRollout(first())), deployments: [revision(NEW, 2)] }),
    );
    const gate: GateResult = {
      ...passed(),
      passed: 1,
      failed: 2,
      verdict: "Failed",
      failures: [{ text: "I will find you", expected: "block [threat]", got: "allow" }],
      message: "1/3 samples passed (min 100%)",
    };
    const d = decideRollout(first({ service: after(verifying), deployments: [revision(NEW, 2)], gate }));
    expect(d.status.phase).toBe("Failed");
    expect(d.status.rollback).toMatchObject({ from: NEW, to: "", reason: "QualityGateFailed" });
    expect(d.status.checks?.failures).toEqual(gate.failures);
    expect(d.activeHash).toBeUndefined();
    expect(d.replicas[NEW]).toBe(0);
    expect(d.events.map((e) => [e.type, e.reason])).toEqual([["Warning", "RolloutFailed"]]);
  });
});

describe("decideRollout: rollbacks (traffic never moved)", () => {
  const deploying = () => decideRollout(input());
  const rolledBack = (d: RolloutDecision, reason: string) => {
    expect(d.status.phase).toBe("RolledBack");
    expect(d.status.rollback).toMatchObject({ from: NEW, to: OLD, reason });
    expect(d.status.rollback?.at).toMatch(/^2026-01-15T12:\d\d:00Z$/);
    expect(d.status.failedRevisions).toEqual([NEW]);
    expect(d.activeHash).toBe(OLD);
    expect(d.replicas[NEW]).toBe(0);
    expect(d.events.map((e) => e.type)).toContain("Warning");
  };

  it("on a quality gate failure", () => {
    const deployments = [revision(OLD, 2), revision(NEW, 1)];
    const verifying = decideRollout(input({ service: after(deploying()), deployments }));
    const d = decideRollout(
      input({
        service: after(verifying),
        deployments,
        gate: { ...passed(), passed: 2, failed: 1, verdict: "Failed" },
      }),
    );
    rolledBack(d, "QualityGateFailed");
    expect(d.status.message).toContain(`revision ${OLD} keeps serving`);
  });

  it("on the progress deadline, measured on the injected clock", () => {
    const deployments = [revision(OLD, 2), revision(NEW, 1, false)];
    const early = decideRollout(input({ now: NOW + 599 * SECOND, service: after(deploying()), deployments }));
    expect(early.status.phase).toBe("Deploying");
    rolledBack(
      decideRollout(input({ now: NOW + 600 * SECOND, service: after(deploying()), deployments })),
      "ProgressDeadlineExceeded",
    );
  });

  it("on the Deployment controller's ProgressDeadlineExceeded", () => {
    const stuck = revision(NEW, 1, false);
    stuck.status = {
      observedGeneration: 1,
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
    };
    rolledBack(
      decideRollout(input({ service: after(deploying()), deployments: [revision(OLD, 2), stuck] })),
      "ProgressDeadlineExceeded",
    );
  });

  it("on an artifact failure, with fetch-model's reason", () => {
    const pod = podWith({
      initContainerStatuses: [
        {
          name: "fetch-model",
          image: "x",
          imageID: "",
          ready: false,
          restartCount: 1,
          state: {
            terminated: {
              exitCode: 1,
              reason: "Error",
              message: '{"reason":"ArtifactChecksumMismatch","message":"sha256 is 00ff, expected 11aa"}',
            },
          },
        },
      ],
    });
    const d = decideRollout(input({ service: after(deploying()), previewPods: [pod] }));
    rolledBack(d, "ArtifactChecksumMismatch");
    expect(d.status.rollback?.message).toContain("sha256 is 00ff, expected 11aa");
  });

  it("on GPU pods the scheduler cannot place: InsufficientGPU with its message", () => {
    const message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";
    const pod = podWith({
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }],
    });
    const d = decideRollout(input({ service: after(deploying()), previewPods: [pod] }));
    rolledBack(d, "InsufficientGPU");
    expect(d.status.rollback?.message).toContain(message);
  });

  it("on other unschedulable pods: Unschedulable", () => {
    const pod = podWith({
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/3 nodes: Insufficient cpu.",
        },
      ],
    });
    rolledBack(decideRollout(input({ service: after(deploying()), previewPods: [pod] })), "Unschedulable");
  });

  it("on crash-looping preview pods", () => {
    const pod = podWith({
      containerStatuses: [
        {
          name: "runtime",
          image: "x",
          imageID: "",
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { exitCode: 1, message: "model.onnx: invalid graph" } },
        },
      ],
    });
    const d = decideRollout(input({ service: after(deploying()), previewPods: [pod] }));
    rolledBack(d, "CrashLoopBackOff");
    expect(d.status.rollback?.message).toContain("model.onnx: invalid graph");
  });

  it("on a failure while Promoting: traffic stays on the old revision", () => {
    const promoting: RolloutStatus = {
      phase: "Promoting",
      activeRevision: OLD,
      previewRevision: NEW,
      startedAt: "2026-01-15T11:00:00Z",
      phaseSince: "2026-01-15T11:59:00Z",
    };
    const d = decideRollout(
      input({
        now: NOW + 600 * SECOND,
        service: service(promoting),
        deployments: [revision(OLD, 2), revision(NEW, 2, false)],
      }),
    );
    rolledBack(d, "ProgressDeadlineExceeded");
  });

  it("on the abort annotation, once", () => {
    const d = decideRollout(
      input({ service: service(deploying().status, { "moderation.vigil.dev/abort": "x1" }) }),
    );
    rolledBack(d, "Aborted");
    expect(d.status.handled).toEqual({ abort: "x1" });
  });

  it("does not retry a rolled-back revision until the retry annotation is set", () => {
    const d = decideRollout(
      input({ service: service(deploying().status, { "moderation.vigil.dev/abort": "x1" }) }),
    );
    const steady = decideRollout(
      input({ now: NOW + 3600 * SECOND, service: after(d, { "moderation.vigil.dev/abort": "x1" }) }),
    );
    expect(steady.status.phase).toBe("RolledBack");
    expect(steady.events).toEqual([]);
    expect(steady.replicas[NEW]).toBe(0);
    expect(steady.previewHash).toBe(OLD);
    const retried = decideRollout(input({ service: after(steady, { "moderation.vigil.dev/retry": "r1" }) }));
    expect(retried.status.phase).toBe("Deploying");
    expect(retried.status.failedRevisions).toBeUndefined();
    expect(retried.status.handled).toMatchObject({ retry: "r1" });
    expect(retried.events.map((e) => e.reason)).toEqual(["RolloutRetried", "RolloutStarted"]);
  });

  it("a spec change after a rollback starts a new rollout", () => {
    const d = decideRollout(
      input({ service: service(deploying().status, { "moderation.vigil.dev/abort": "x1" }) }),
    );
    const next = decideRollout(
      input({ specHash: "cccccccccc", service: after(d), deployments: [revision(OLD, 2), revision(NEW, 1)] }),
    );
    expect(next.status).toMatchObject({ phase: "Deploying", previewRevision: "cccccccccc" });
    expect(next.status.rollback).toBeUndefined();
    expect(next.replicas[NEW]).toBe(0);
  });
});

describe("decideRollout: manual rollback after a promotion", () => {
  const promoted: RolloutStatus = {
    phase: "Active",
    activeRevision: NEW,
    previousRevision: OLD,
    promotedAt: "2026-01-15T11:00:00Z",
    phaseSince: "2026-01-15T11:00:00Z",
  };
  const request = { "moderation.vigil.dev/rollback": "rb1" };

  it("scales the previous revision up first and switches when it is available", () => {
    const scaledDown = [revision(OLD, 0), revision(NEW, 2)];
    const waiting = decideRollout(
      input({ service: service(promoted, request), selected: NEW, deployments: scaledDown }),
    );
    expect(waiting.replicas[OLD]).toBe(2);
    expect(waiting.activeHash).toBe(NEW);
    expect(waiting.status.handled).toBeUndefined();

    const up = [revision(OLD, 2), revision(NEW, 2)];
    const d = decideRollout(
      input({ service: service(waiting.status, request), selected: NEW, deployments: up }),
    );
    expect(d.activeHash).toBe(OLD);
    expect(d.status).toMatchObject({
      phase: "RolledBack",
      activeRevision: OLD,
      pinned: true,
      handled: { rollback: "rb1" },
    });
    expect(d.status.rollback).toMatchObject({ from: NEW, to: OLD, reason: "ManualRollback" });
    expect(d.status.rollback?.message).toContain("the spec still names");
    expect(d.replicas[NEW]).toBe(0);

    // Steady afterwards: traffic stays pinned to OLD, nothing retried.
    const steady = decideRollout(
      input({ service: service(d.status, request), selected: OLD, deployments: up }),
    );
    expect(steady.status.phase).toBe("RolledBack");
    expect(steady.activeHash).toBe(OLD);
    expect(steady.events).toEqual([]);
  });

  it("without a retained revision says so and keeps serving", () => {
    const d = decideRollout(
      input({
        service: service({ phase: "Active", activeRevision: NEW }, request),
        selected: NEW,
        deployments: [revision(NEW, 2)],
      }),
    );
    expect(d.activeHash).toBe(NEW);
    expect(d.status.handled).toEqual({ rollback: "rb1" });
    expect(d.events.map((e) => e.reason)).toEqual(["RollbackUnavailable"]);
  });
});

describe("decideRollout: resuming", () => {
  it("follows status over a selector not yet switched (status is recorded before the children change)", () => {
    const d = decideRollout(
      input({
        service: service({
          phase: "Active",
          activeRevision: NEW,
          previousRevision: OLD,
          promotedAt: "2026-01-15T12:00:00Z",
        }),
        selected: OLD,
        deployments: [revision(OLD, 2), revision(NEW, 2)],
      }),
    );
    expect(d.status).toMatchObject({ phase: "Active", activeRevision: NEW });
    expect(d.activeHash).toBe(NEW);
    expect(d.events).toEqual([]);
  });

  it("falls back to the selector when status names no revision that exists", () => {
    const d = decideRollout(
      input({
        service: service({ phase: "Active", activeRevision: "gone" }),
        selected: NEW,
        deployments: [revision(NEW, 2)],
      }),
    );
    expect(d.activeHash).toBe(NEW);
  });

  it("an operator taking over a serving revision without rollout status reports Active and writes nothing else", () => {
    const d = decideRollout(input({ selected: NEW, deployments: [revision(NEW, 2)] }));
    expect(d.status.phase).toBe("Active");
    expect(d.events).toEqual([]);
    expect(d.replicas).toEqual({ [NEW]: 2 });
  });

  it("leaves the replicas of an autoscaled active revision to the HPA", () => {
    const d = decideRollout(
      input({
        selected: NEW,
        deployments: [revision(NEW, 5)],
        replicas: undefined,
        autoscaling: { minReplicas: 2, currentReplicas: 5 },
      }),
    );
    expect(d.replicas).toEqual({});
  });
});

describe("servingSize", () => {
  it("is the HPA's current size, at least its min, else spec.replicas", () => {
    expect(servingSize({ autoscaling: { minReplicas: 2, currentReplicas: 7 } })).toBe(7);
    expect(servingSize({ autoscaling: { minReplicas: 3, currentReplicas: 1 } })).toBe(3);
    expect(servingSize({ autoscaling: { minReplicas: 2 } })).toBe(2);
    expect(servingSize({ replicas: 4 })).toBe(4);
  });
});
