import { describe, expect, it } from "vitest";
import { planLengthBuckets } from "../../runtime/inference/length-buckets.js";

const padded = (lengths: number[], groups: number[][]) =>
  groups.reduce((sum, g) => sum + g.length * Math.max(...g.map((i) => lengths[i]!)), 0);

describe("planLengthBuckets", () => {
  it("keeps a batch of similar lengths in one run", () => {
    expect(planLengthBuckets([12, 10, 11, 12], 32)).toEqual([[1, 2, 0, 3]]);
  });

  it("splits short texts from long ones when the padding saved outweighs another run", () => {
    const lengths = [8, 120, 9, 118, 7, 10, 121, 8];
    const groups = planLengthBuckets(lengths, 32);
    expect(groups).toEqual([
      [4, 0, 7, 2, 5],
      [3, 1, 6],
    ]);
    expect(padded(lengths, groups)).toBeLessThan(lengths.length * 121);
  });

  it("covers every index exactly once, shortest bucket first", () => {
    const lengths = Array.from({ length: 32 }, (_, i) => 5 + ((i * 37) % 60));
    const groups = planLengthBuckets(lengths, 32);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    const maxima = groups.map((g) => Math.max(...g.map((i) => lengths[i]!)));
    expect(maxima).toEqual([...maxima].sort((a, b) => a - b));
  });

  it("never splits when runs are expensive, and handles tiny batches", () => {
    expect(planLengthBuckets([5, 100, 7], 10_000)).toEqual([[0, 2, 1]]);
    expect(planLengthBuckets([42], 32)).toEqual([[0]]);
    expect(planLengthBuckets([], 32)).toEqual([]);
  });
});
