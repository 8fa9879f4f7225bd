// The soak benchmark's growth verdict (bench/support/trend.ts): the fit itself, and that only a
// material and significant slope is called growth.
import { describe, expect, it } from "vitest";
import { leastSquares, trendOf, type Point } from "../../bench/support/trend.js";

const series = (values: number[], minutesApart = 1): Point[] =>
  values.map((value, i) => ({ minutes: i * minutesApart, value }));

describe("soak trend", () => {
  it("fits an exact line", () => {
    const fit = leastSquares(series([10, 12, 14, 16], 0.5));
    expect(fit.slope).toBeCloseTo(4);
    expect(fit.intercept).toBeCloseTo(10);
    expect(fit.slopeStandardError).toBeCloseTo(0);
  });

  it("calls a steady climb growth", () => {
    const trend = trendOf(series([100, 104, 109, 112, 117, 121, 124, 129]));
    expect(trend.verdict).toBe("grows");
    expect(trend.slopePerMinute).toBeGreaterThan(3.9);
  });

  it("calls noise around a level flat, even when its fitted slope is not zero", () => {
    const trend = trendOf(series([100, 130, 90, 125, 95, 135, 92, 118]));
    expect(trend.slopePerMinute).not.toBe(0);
    expect(trend.verdict).toBe("flat");
  });

  it("calls a clean but immaterial drift flat", () => {
    expect(trendOf(series([100, 100.5, 101, 101.5, 102])).verdict).toBe("flat");
  });

  it("calls a steady fall shrinking", () => {
    expect(trendOf(series([200, 180, 161, 140, 121])).verdict).toBe("shrinks");
  });

  it("does not call two points a trend", () => {
    expect(trendOf(series([100, 200])).verdict).toBe("flat");
  });
});
