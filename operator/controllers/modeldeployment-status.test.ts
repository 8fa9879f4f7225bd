import { describe, expect, it } from "vitest";
import type { ModerationServiceStatus } from "../../crds/index.js";
import { formatTime } from "../core/conditions.js";
import { minimalInput } from "../desired/fixtures.js";
import type { LiveModelDeployment, LiveModerationService } from "./live-objects.js";
import { computeModelStatus, servedRevision } from "./modeldeployment-status.js";
import { condition, EARLIER, moderationService, NOW } from "./testing/objects.js";

const SPEC = "a1c2a1c2a1";
const OLD = "7d9f7d9f7d";

const model = (): LiveModelDeployment => minimalInput().model as LiveModelDeployment;

function user(
  name: string,
  hash: string | undefined,
  ready: boolean,
  extra: Partial<ModerationServiceStatus> = {},
) {
  return moderationService(name, {
    generation: 2,
    status: {
      ...(hash && {
        activeRevision: { name: `${name}-${hash}`, modelVersion: hash === SPEC ? "3.1.0" : "3.0.0" },
      }),
      conditions: [condition("Ready", ready ? "True" : "False", ready ? "Serving" : "Rolling", 2)],
      ...extra,
    },
  });
}

const byType = (status: ReturnType<typeof computeModelStatus>) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));

describe("computeModelStatus", () => {
  it("is Pending and not Ready when no ModerationService references it", () => {
    const status = computeModelStatus({ model: model(), specHash: SPEC, users: [], now: NOW });
    expect(status.phase).toBe("Pending");
    expect(status.activeRevision).toBeUndefined();
    expect(byType(status)).toEqual({
      Ready: "False/NotReferenced",
      Progressing: "False/NotReferenced",
      Degraded: "False/AsExpected",
    });
  });

  it("is Active when every user serves the spec's revision and is Ready", () => {
    const status = computeModelStatus({
      model: model(),
      specHash: SPEC,
      users: [user("forum", SPEC, true), user("chat", SPEC, true)],
      now: NOW,
    });
    expect(status).toMatchObject({
      phase: "Active",
      activeRevision: { hash: SPEC, version: "3.1.0", since: formatTime(NOW) },
    });
    expect(status.previewRevision).toBeUndefined();
    expect(byType(status)).toMatchObject({ Ready: "True/Serving", Progressing: "False/RolloutComplete" });
    expect(status.conditions?.find((c) => c.type === "Ready")?.message).toBe(
      `revision ${SPEC} (3.1.0) serves chat, forum`,
    );
  });

  it("is Deploying with the spec's revision in preview while users still serve the old one", () => {
    const previous = model();
    previous.status = { activeRevision: { hash: OLD, version: "3.0.0", since: EARLIER } };
    const status = computeModelStatus({
      model: previous,
      specHash: SPEC,
      users: [user("forum", OLD, true), user("chat", SPEC, false)],
      now: NOW,
    });
    expect(status).toMatchObject({
      phase: "Deploying",
      // One user each: the previously active revision wins the tie and keeps its `since`.
      activeRevision: { hash: OLD, version: "3.0.0", since: EARLIER },
      previewRevision: { hash: SPEC, version: "3.1.0" },
    });
    expect(byType(status)).toMatchObject({ Ready: "False/Deploying", Progressing: "True/Deploying" });
    expect(status.conditions?.find((c) => c.type === "Ready")?.message).toContain("in chat, forum");
  });

  it("is Deploying while a user serves the spec's revision but is not Ready for its generation", () => {
    const stale = user("forum", SPEC, true);
    stale.metadata.generation = 3;
    const status = computeModelStatus({ model: model(), specHash: SPEC, users: [stale], now: NOW });
    expect(status.phase).toBe("Deploying");
  });

  it("is Degraded when a user's revision passed its progress deadline", () => {
    const stalled = user("forum", SPEC, false);
    stalled.status!.conditions!.push({
      ...condition("Degraded", "True", "ProgressDeadlineExceeded", 2),
      message: "Deployment forum-a1c2a1c2a1 exceeded its progress deadline",
    });
    const status = computeModelStatus({ model: model(), specHash: SPEC, users: [stalled], now: NOW });
    expect(byType(status).Degraded).toBe("True/ProgressDeadlineExceeded");
    expect(status.conditions?.find((c) => c.type === "Degraded")?.message).toBe(
      "ModerationService forum: Deployment forum-a1c2a1c2a1 exceeded its progress deadline",
    );
  });

  it("carries over blue-green fields it does not own", () => {
    const previous = model();
    previous.status = { history: [{ hash: OLD, version: "3.0.0", outcome: "Promoted" }] };
    const status = computeModelStatus({ model: previous, specHash: SPEC, users: [], now: NOW });
    expect(status.history).toEqual(previous.status.history);
  });
});

describe("servedRevision", () => {
  it("reads the hash from the revision Deployment's name, and nothing from a foreign name", () => {
    expect(servedRevision(user("forum", SPEC, true))).toEqual({
      user: "forum",
      hash: SPEC,
      version: "3.1.0",
    });
    const foreign = moderationService("forum", {
      status: { activeRevision: { name: "other-a1c2", modelVersion: "1" } },
    });
    expect(servedRevision(foreign)).toBeUndefined();
    expect(servedRevision(user("forum", undefined, false))).toBeUndefined();
  });
});

describe("computeModelStatus: blue-green rollouts", () => {
  const rolloutUser = (
    name: string,
    rollout: NonNullable<LiveModerationService["status"]>["rollout"],
    degraded?: string,
  ) =>
    moderationService(name, {
      status: {
        rollout,
        conditions: degraded ? [condition("Degraded", "True", degraded)] : [],
      },
    });

  it("takes the least advanced phase of the services rolling the spec revision out", () => {
    const status = computeModelStatus({
      model: model(),
      specHash: "bbbbbbbbbb",
      users: [
        rolloutUser("a", { phase: "Promoting", activeRevision: "aaaaaaaaaa", previewRevision: "bbbbbbbbbb" }),
        rolloutUser("b", { phase: "Verifying", activeRevision: "aaaaaaaaaa", previewRevision: "bbbbbbbbbb" }),
      ],
      now: NOW,
    });
    expect(status.phase).toBe("Verifying");
  });

  it("is RolledBack and Degraded with the service's reason, and ArtifactVerified=False with fetch-model's", () => {
    const status = computeModelStatus({
      model: model(),
      specHash: "bbbbbbbbbb",
      users: [
        rolloutUser(
          "a",
          {
            phase: "RolledBack",
            activeRevision: "aaaaaaaaaa",
            failedRevisions: ["bbbbbbbbbb"],
            rollback: {
              from: "bbbbbbbbbb",
              to: "aaaaaaaaaa",
              reason: "ArtifactChecksumMismatch",
              at: "2026-01-15T12:00:00Z",
            },
            artifact: {
              revision: "bbbbbbbbbb",
              state: "Failed",
              reason: "ArtifactChecksumMismatch",
              message: "sha256 differs",
            },
          },
          "ArtifactChecksumMismatch",
        ),
        rolloutUser("b", { phase: "Active", activeRevision: "bbbbbbbbbb" }),
      ],
      now: NOW,
    });
    expect(status.phase).toBe("RolledBack");
    const byType = new Map(status.conditions?.map((c) => [c.type, c]));
    expect(byType.get("Degraded")).toMatchObject({ status: "True", reason: "ArtifactChecksumMismatch" });
    expect(byType.get("Progressing")).toMatchObject({ status: "False", reason: "RolledBack" });
    expect(byType.get("ArtifactVerified")).toMatchObject({
      status: "False",
      reason: "ArtifactChecksumMismatch",
      message: "sha256 differs",
    });
  });

  it("says ArtifactVerified=True with the digest fetch-model verified", () => {
    const status = computeModelStatus({
      model: model(),
      specHash: "bbbbbbbbbb",
      users: [
        rolloutUser("a", {
          phase: "Verifying",
          previewRevision: "bbbbbbbbbb",
          artifact: { revision: "bbbbbbbbbb", state: "Verified", sha256: "9f86d0" },
        }),
      ],
      now: NOW,
    });
    expect(status.conditions?.find((c) => c.type === "ArtifactVerified")).toMatchObject({
      status: "True",
      reason: "ArtifactVerified",
      message: "sha256 9f86d0",
    });
  });
});
