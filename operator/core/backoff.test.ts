import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles from the initial delay and stops at the cap", () => {
    const options = { initialMs: 500, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, options))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it("stays finite after very many failures", () => {
    expect(backoffDelay(10_000, { initialMs: 5, maxMs: 60_000 })).toBe(60_000);
  });

  it("adds at most `jitter` of the delay at random", () => {
    const options = { initialMs: 1_000, maxMs: 1_000, jitter: 0.5 };
    expect(backoffDelay(1, options, () => 0)).toBe(1_000);
    expect(backoffDelay(1, options, () => 0.999)).toBe(1_500);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(3, options);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(1_500);
    }
  });
});

describe("Backoff", () => {
  it("grows with consecutive failures and starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 100 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([10, 20, 40]);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });
});
