import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { WorkQueue } from "./workqueue.js";

const BACKOFF = { initialMs: 100, maxMs: 1_000, factor: 2 };

/** Takes every key that is ready now, without waiting. */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
  }
  return keys;
}

describe("WorkQueue", () => {
  it("stores a waiting key once however often it is added", async () => {
    const queue = new WorkQueue();
    for (let i = 0; i < 1000; i++) queue.add("ns/a");
    queue.add("ns/b");
    expect(queue.length).toBe(2);
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/b"]);
  });

  it("never hands out a key that is being processed; re-adds it after done", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    const first = await queue.get();
    expect(first).toBe("ns/a");
    queue.add("ns/a");
    queue.add("ns/a");
    expect(queue.length).toBe(0);
    expect(queue.isProcessing("ns/a")).toBe(true);
    queue.done("ns/a");
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("ns/a");
    queue.done("ns/a");
    expect(queue.length).toBe(0);
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add("ns/a");
    await expect(waiting).resolves.toBe("ns/a");
  });

  it("adds a key after the delay on the injected clock; the earliest pending delay wins", async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter("ns/a", 5_000);
    queue.addAfter("ns/a", 2_000);
    queue.addAfter("ns/a", 9_000);
    clock.advance(1_999);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
    expect(await drainReady(queue)).toEqual(["ns/a"]);
    queue.done("ns/a");
    clock.advance(10_000);
    expect(queue.length).toBe(0);
  });

  it("backs off per key exponentially up to the cap, and forget resets it", () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock, backoff: BACKOFF });
    const delays = [1, 2, 3, 4, 5, 6].map(() => queue.addRateLimited("ns/a"));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(queue.numRequeues("ns/a")).toBe(6);
    expect(queue.addRateLimited("ns/b")).toBe(100);
    queue.forget("ns/a");
    expect(queue.numRequeues("ns/a")).toBe(0);
    expect(queue.addRateLimited("ns/a")).toBe(100);
  });

  it("honours a longer server-requested delay than the backoff", () => {
    const queue = new WorkQueue({ clock: new ManualClock(), backoff: BACKOFF });
    expect(queue.addRateLimited("ns/a", 3_000)).toBe(3_000);
  });

  it("on shutdown releases waiting workers, drops delayed keys and ignores new adds", async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    const waiting = queue.get();
    queue.addAfter("ns/later", 1_000);
    queue.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    queue.add("ns/a");
    clock.advance(2_000);
    expect(queue.length).toBe(0);
    await expect(queue.get()).resolves.toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("whenIdle resolves once in-flight keys are done", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    const key = await queue.get();
    let idle = false;
    const whenIdle = queue.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    queue.done(key!);
    await whenIdle;
    expect(idle).toBe(true);
  });

  it("reports depth, adds and retries to its metrics", async () => {
    const seen = { depth: [] as number[], adds: 0, retries: 0 };
    const queue = new WorkQueue({
      clock: new ManualClock(),
      backoff: BACKOFF,
      metrics: { depth: (n) => seen.depth.push(n), added: () => seen.adds++, retried: () => seen.retries++ },
    });
    queue.add("a");
    queue.add("a");
    queue.add("b");
    await queue.get();
    queue.addRateLimited("a");
    expect(seen.adds).toBe(3);
    expect(seen.retries).toBe(1);
    expect(seen.depth).toEqual([1, 2, 1]);
  });
});
