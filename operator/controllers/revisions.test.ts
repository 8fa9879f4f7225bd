import { describe, expect, it } from "vitest";
import { planRevisions } from "./revisions.js";
import { activeService, available, deployment, rolling } from "./testing/objects.js";

describe("planRevisions", () => {
  it("serves the spec's revision when nothing serves yet", () => {
    expect(planRevisions({ specHash: "a", deployments: [] })).toEqual({
      activeHash: "a",
      promotes: false,
      prune: [],
    });
  });

  it("keeps serving the spec's revision when the Service already selects it", () => {
    const current = deployment({ hash: "a", status: available() });
    expect(
      planRevisions({ specHash: "a", activeService: activeService("a"), deployments: [current] }),
    ).toEqual({
      activeHash: "a",
      servedHash: "a",
      promotes: false,
      prune: [],
    });
  });

  it("keeps the old revision serving while the new one is not available", () => {
    const old = deployment({ hash: "a", status: available() });
    const incoming = deployment({ hash: "b", replicas: 1, status: rolling(1) });
    const plan = planRevisions({
      specHash: "b",
      activeService: activeService("a"),
      deployments: [old, incoming],
    });
    expect(plan).toEqual({ activeHash: "a", servedHash: "a", promotes: false, prune: [] });
    // Not created yet at all: the same.
    expect(
      planRevisions({ specHash: "b", activeService: activeService("a"), deployments: [old] }).activeHash,
    ).toBe("a");
  });

  it("switches to the new revision once it is available and removes the old one", () => {
    const old = deployment({ hash: "a", status: available() });
    const incoming = deployment({ hash: "b", replicas: 1, status: available(1) });
    expect(
      planRevisions({ specHash: "b", activeService: activeService("a"), deployments: [old, incoming] }),
    ).toEqual({ activeHash: "b", servedHash: "a", promotes: true, prune: ["comments-a"] });
  });

  it("drops a revision that never served when the spec moves on again", () => {
    const old = deployment({ hash: "a", status: available() });
    const abandoned = deployment({ hash: "b", replicas: 1, status: rolling(1) });
    const plan = planRevisions({
      specHash: "c",
      activeService: activeService("a"),
      deployments: [old, abandoned],
    });
    expect(plan).toMatchObject({ activeHash: "a", prune: ["comments-b"] });
  });

  it("keeps an available revision serving when the Service is gone, rather than one that is not ready", () => {
    const old = deployment({ hash: "a", status: available() });
    const incoming = deployment({ hash: "b", replicas: 1, status: rolling(1) });
    expect(planRevisions({ specHash: "b", deployments: [old, incoming] })).toEqual({
      activeHash: "a",
      promotes: false,
      prune: [],
    });
    const ready = deployment({ hash: "b", replicas: 1, status: available(1) });
    expect(planRevisions({ specHash: "b", deployments: [old, ready] })).toMatchObject({
      activeHash: "b",
      prune: ["comments-a"],
    });
  });

  it("ignores a selector whose Deployment is gone: the spec's revision serves", () => {
    const incoming = deployment({ hash: "b", replicas: 1, status: rolling(1) });
    expect(
      planRevisions({ specHash: "b", activeService: activeService("a"), deployments: [incoming] }),
    ).toEqual({
      activeHash: "b",
      promotes: false,
      prune: [],
    });
  });

  it("never prunes an owned Deployment without a revision label", () => {
    const unlabeled = deployment({ hash: "x" });
    delete unlabeled.metadata!.labels!["moderation.vigil.dev/revision"];
    expect(planRevisions({ specHash: "a", deployments: [unlabeled] }).prune).toEqual([]);
  });
});
