// Every reason a reconcile stops short must leave the serving facts in status true: the revision
// the active Service selects, its replicas, the endpoint.
import { describe, expect, it } from "vitest";
import { computeServiceStatus } from "./moderationservice-status.js";
import type { Convergence, ObservedChildren } from "./moderationservice-children.js";
import { SERVICE_REASON, type Problem } from "./moderationservice-status.js";
import { servingFacts, type Applied } from "./serving-facts.js";
import type { RolloutDecision } from "./rollout/state-machine.js";
import { activeService, available, deployment, moderationService, NOW } from "./testing/objects.js";

const SERVING = deployment({ hash: "7d9f", status: available(3), replicas: 3 });
const ENDPOINT = "http://comments.trust.svc.cluster.local:8080";
const observed: ObservedChildren = { deployments: [SERVING], activeService: activeService("7d9f"), pods: [] };
const service = moderationService("comments", { generation: 4 });

const decision: RolloutDecision = {
  status: { phase: "Active", activeRevision: "7d9f" },
  activeHash: "7d9f",
  previewHash: "7d9f",
  replicas: {},
  prune: [],
  runGate: false,
  events: [],
};

/** A convergence that stopped at `problem`; `applied` when the children were applied anyway. */
function convergence(problem: Problem, appliedActive: boolean): Applied {
  const result: Convergence = {
    problems: [problem],
    deployments: observed.deployments,
    vpaServed: false,
    actions: [],
    ...(appliedActive && { endpoint: ENDPOINT }),
  };
  return { result, decision };
}

const problem = (reason: string): Problem => ({ reason, message: `${reason} in test` });

const cases: [string, Problem, Applied | undefined][] = [
  [SERVICE_REASON.modelDeploymentNotFound, problem(SERVICE_REASON.modelDeploymentNotFound), undefined],
  [SERVICE_REASON.policyNotFound, problem(SERVICE_REASON.policyNotFound), undefined],
  [SERVICE_REASON.policyInvalid, problem(SERVICE_REASON.policyInvalid), undefined],
  [
    SERVICE_REASON.invalidSpec,
    problem(SERVICE_REASON.invalidSpec),
    convergence(problem(SERVICE_REASON.invalidSpec), false),
  ],
  // A child other than the active Service is someone else's: the rest was applied.
  [
    SERVICE_REASON.childNotOwned,
    problem(SERVICE_REASON.childNotOwned),
    convergence(problem(SERVICE_REASON.childNotOwned), true),
  ],
];

describe("servingFacts", () => {
  it.each(cases)("keeps what serves in status when the reconcile stops at %s", (reason, stop, applied) => {
    const facts = servingFacts(service, undefined, observed, undefined, applied);
    const status = computeServiceStatus({ service, now: NOW, problems: [stop], ...facts });
    expect(status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      endpoint: ENDPOINT,
      activeRevision: { name: "comments-7d9f" },
    });
    expect(status.conditions?.find((c) => c.type === "Degraded")).toMatchObject({ status: "True", reason });
  });

  it("reports the revision this reconcile switched the active Service to", () => {
    const next = deployment({ hash: "a1b2", status: available(3), replicas: 3 });
    const switched: Applied = {
      result: {
        problems: [],
        deployments: [SERVING, next],
        vpaServed: false,
        actions: [],
        endpoint: ENDPOINT,
      },
      decision: { ...decision, activeHash: "a1b2" },
    };
    const facts = servingFacts(service, undefined, observed, undefined, switched);
    expect(facts.serving?.deployment.metadata?.name).toBe("comments-a1b2");
    expect(facts.rollout).toEqual(decision.status);
  });

  it("says nothing serves when there is no active Service of ours", () => {
    const facts = servingFacts(service, undefined, { deployments: [SERVING], pods: [] }, undefined);
    expect(facts).toEqual({});
  });
});
