import { describe, expect, it } from "vitest";
import { ManualClock, sleep } from "./clock.js";

describe("ManualClock", () => {
  it("fires due timers in due order, at their due time, and skips cancelled ones", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(100, () => fired.push(`a@${clock.now()}`));
    const cancelled = clock.setTimer(200, () => fired.push("cancelled"));
    clock.setTimer(100, () => fired.push(`b@${clock.now()}`));
    cancelled.cancel();
    clock.advance(250);
    expect(fired).toEqual(["a@100", "b@100"]);
    expect(clock.now()).toBe(250);
    clock.advance(50);
    expect(fired).toEqual(["a@100", "b@100", "c@300"]);
  });

  it("runs timers that a firing timer schedules within the same advance", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => clock.setTimer(10, () => fired.push(clock.now())));
    clock.advance(25);
    expect(fired).toEqual([20]);
  });

  it("sleep resolves when the clock passes the delay, or at once on abort", async () => {
    const clock = new ManualClock(0);
    let done = false;
    const slept = sleep(clock, 1_000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    const controller = new AbortController();
    const aborted = sleep(clock, 60_000, controller.signal);
    controller.abort();
    await aborted;
    expect(clock.pendingTimers()).toBe(0);
  });
});
