import { describe, expect, it } from "vitest";
import { deploymentProgress } from "./deployment-progress.js";
import { available, deployment, rolling } from "./testing/objects.js";

describe("deploymentProgress", () => {
  it("is Rolling until the Deployment controller has observed the current generation", () => {
    expect(deploymentProgress(deployment({ hash: "a" }))).toMatchObject({
      state: "Rolling",
      message: "Deployment comments-a: waiting for the new spec to be observed",
    });
    const stale = deployment({ hash: "a", generation: 2, status: available(2, 1) });
    expect(deploymentProgress(stale).state).toBe("Rolling");
  });

  it("is Rolling while replicas run an older template or old replicas are still there", () => {
    const updating = deployment({ hash: "a", status: rolling(2, 1, 1) });
    expect(deploymentProgress(updating)).toMatchObject({
      state: "Rolling",
      message: "Deployment comments-a: 1 of 2 replicas updated",
    });
    const surplus = deployment({ hash: "a", status: { ...available(2), replicas: 3 } });
    expect(deploymentProgress(surplus).message).toBe(
      "Deployment comments-a: 1 old replicas pending termination",
    );
  });

  it("is Rolling while new pods become available, and Available once they all are", () => {
    const starting = deployment({
      hash: "a",
      status: { ...rolling(2, 1, 2), readyReplicas: 1, availableReplicas: 1 },
    });
    expect(deploymentProgress(starting)).toMatchObject({ state: "Rolling", available: 1, desired: 2 });
    expect(deploymentProgress(deployment({ hash: "a", status: available(2) }))).toMatchObject({
      state: "Available",
      desired: 2,
      ready: 2,
      available: 2,
    });
  });

  it("reports pods lost after a completed rollout as InsufficientReplicas", () => {
    const lost = deployment({
      hash: "a",
      status: { ...available(2), readyReplicas: 1, availableReplicas: 1 },
    });
    expect(deploymentProgress(lost)).toMatchObject({
      state: "InsufficientReplicas",
      message: "Deployment comments-a: 1 of 2 replicas available",
    });
  });

  it("passes on the Deployment controller's ProgressDeadlineExceeded with its message", () => {
    const stalled = deployment({
      hash: "a",
      status: {
        ...rolling(2, 1, 2),
        conditions: [
          {
            type: "Progressing",
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: 'ReplicaSet "comments-a-5d8" has timed out progressing.',
          },
        ],
      },
    });
    expect(deploymentProgress(stalled)).toMatchObject({
      state: "ProgressDeadlineExceeded",
      message:
        'Deployment comments-a exceeded its progress deadline with 0 of 2 replicas available: ReplicaSet "comments-a-5d8" has timed out progressing.',
    });
  });

  it("treats a missing replicas field as the API server's default of 1", () => {
    const hpaManaged = deployment({ hash: "a", status: available(1) });
    delete hpaManaged.spec!.replicas;
    expect(deploymentProgress(hpaManaged)).toMatchObject({ state: "Available", desired: 1 });
  });
});
