import { describe, expect, it } from "vitest";
import {
  LABEL,
  commonLabels,
  instanceSelector,
  revisionLabels,
  revisionSelector,
  toLabelValue,
} from "./labels.js";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe("labels", () => {
  it("carry the standard app.kubernetes.io set", () => {
    expect(commonLabels("comments")).toEqual({
      "app.kubernetes.io/name": "vigil-runtime",
      "app.kubernetes.io/instance": "comments",
      "app.kubernetes.io/component": "runtime",
      "app.kubernetes.io/part-of": "vigil",
      "app.kubernetes.io/managed-by": "vigil-operator",
    });
    expect(revisionLabels("comments", "abc", "3.1.0")).toMatchObject({
      [LABEL.version]: "3.1.0",
      [LABEL.revision]: "abc",
    });
  });

  it("select only on keys that never change for a pod", () => {
    const immutable = new Set<string>([LABEL.name, LABEL.instance, LABEL.revision]);
    for (const selector of [instanceSelector("c"), revisionSelector("c", "abc")]) {
      for (const key of Object.keys(selector)) expect(immutable.has(key)).toBe(true);
    }
  });

  it.each([
    ["3.1.0", "3.1.0"],
    ["3.1.0+build.7", "3.1.0_build.7"],
    ["v2 (beta)", "v2__beta"],
    ["-rc-", "rc"],
    ["+++", ""],
    ["x".repeat(80), "x".repeat(63)],
  ])("turn model version %j into the label value %j", (raw, value) => {
    expect(toLabelValue(raw)).toBe(value);
    expect(value).toMatch(LABEL_VALUE);
  });

  it("omit the version label when nothing valid is left of the version", () => {
    expect(revisionLabels("c", "abc", "+++")).not.toHaveProperty(LABEL.version);
  });
});
