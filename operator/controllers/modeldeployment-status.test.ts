import { describe, expect, it } from "vitest";
import type { ModerationServiceStatus } from "../../crds/index.js";
import { formatTime } from "../core/conditions.js";
import { minimalInput } from "../desired/fixtures.js";
import type { LiveModelDeployment } from "./live-objects.js";
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
