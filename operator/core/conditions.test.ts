import { describe, expect, it } from "vitest";
import {
  conditionsEqual,
  findCondition,
  formatTime,
  isConditionTrue,
  removeCondition,
  setCondition,
  setConditions,
} from "./conditions.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const T1 = T0 + 60_000;

const ready = (status: "True" | "False", reason = "Available", observedGeneration = 1) => ({
  type: "Ready",
  status,
  reason,
  message: `ready is ${status}`,
  observedGeneration,
});

describe("setCondition", () => {
  it("adds a condition with lastTransitionTime now and the observed generation", () => {
    const list = setCondition(undefined, ready("True"), T0);
    expect(list).toEqual([
      {
        type: "Ready",
        status: "True",
        reason: "Available",
        message: "ready is True",
        observedGeneration: 1,
        lastTransitionTime: "2025-01-01T12:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime while the status stays, even when reason, message or generation change", () => {
    const before = setCondition(undefined, ready("True"), T0);
    const after = setCondition(before, { ...ready("True", "StillAvailable", 2), message: "new words" }, T1);
    expect(after[0]).toMatchObject({
      reason: "StillAvailable",
      message: "new words",
      observedGeneration: 2,
      lastTransitionTime: formatTime(T0),
    });
  });

  it("moves lastTransitionTime when the status changes", () => {
    const before = setCondition(undefined, ready("True"), T0);
    const after = setCondition(before, ready("False", "Unavailable"), T1);
    expect(after[0]?.lastTransitionTime).toBe(formatTime(T1));
  });

  it("keeps other conditions and their positions, and does not modify its input", () => {
    const input = setConditions(
      undefined,
      [
        ready("True"),
        { type: "Degraded", status: "False", reason: "AsExpected", message: "", observedGeneration: 1 },
      ],
      T0,
    );
    const snapshot = structuredClone(input);
    const output = setCondition(input, ready("False", "Unavailable"), T1);
    expect(input).toEqual(snapshot);
    expect(output.map((c) => c.type)).toEqual(["Ready", "Degraded"]);
    expect(isConditionTrue(output, "Ready")).toBe(false);
    expect(findCondition(output, "Degraded")?.lastTransitionTime).toBe(formatTime(T0));
    expect(removeCondition(output, "Ready").map((c) => c.type)).toEqual(["Degraded"]);
  });
});

describe("conditionsEqual", () => {
  const a = setConditions(
    undefined,
    [
      ready("True"),
      { type: "Progressing", status: "False", reason: "Done", message: "", observedGeneration: 1 },
    ],
    T0,
  );

  it("ignores order", () => {
    expect(conditionsEqual(a, [...a].reverse())).toBe(true);
    expect(conditionsEqual(undefined, [])).toBe(true);
  });

  it("sees a change in any field", () => {
    for (const field of [
      "status",
      "reason",
      "message",
      "observedGeneration",
      "lastTransitionTime",
    ] as const) {
      const changed = a.map((c, i) =>
        i === 0 ? { ...c, [field]: field === "observedGeneration" ? 9 : "X" } : c,
      );
      expect(conditionsEqual(a, changed as typeof a), field).toBe(false);
    }
    expect(conditionsEqual(a, a.slice(1))).toBe(false);
  });
});
