// A work queue of object keys with client-go semantics: a key waiting in the queue is
// stored once however often it is added; a key being processed is never handed out again
// until `done`, and is re-queued then if it was added meanwhile; failures back off per key.
import { KeyedBackoff, type BackoffOptions } from "./backoff.js";
import { systemClock, type Clock, type Timer } from "./clock.js";
import type { QueueMetrics } from "./metrics.js";

export interface WorkQueueOptions {
  clock?: Clock;
  backoff?: BackoffOptions;
  metrics?: QueueMetrics;
  random?: () => number;
}

/** controller-runtime's per-item defaults, with a lower ceiling: 5ms doubling up to 5 minutes. */
export const DEFAULT_QUEUE_BACKOFF: BackoffOptions = { initialMs: 5, maxMs: 5 * 60_000, factor: 2 };

export class WorkQueue {
  readonly #clock: Clock;
  readonly #backoff: KeyedBackoff;
  readonly #metrics?: QueueMetrics;
  /** Keys ready to be handed out, in order. */
  readonly #queue: string[] = [];
  /** Keys that need processing: queued, or added again while processing. */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  /** Delayed adds, one per key: the earliest wins. */
  readonly #delayed = new Map<string, { due: number; timer: Timer }>();
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#backoff = new KeyedBackoff(options.backoff ?? DEFAULT_QUEUE_BACKOFF, options.random);
    this.#metrics = options.metrics;
  }

  /** Keys waiting to be handed out (not counting delayed or in-flight keys). */
  get length(): number {
    return this.#queue.length;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  isProcessing(key: string): boolean {
    return this.#processing.has(key);
  }

  add(key: string): void {
    if (this.#shuttingDown) return;
    this.#metrics?.added();
    if (this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Adds `key` once `delayMs` has passed; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = this.#clock.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending && pending.due <= due) return;
    pending?.timer.cancel();
    const timer = this.#clock.setTimer(delayMs, () => {
      this.#delayed.delete(key);
      this.add(key);
    });
    this.#delayed.set(key, { due, timer });
  }

  /**
   * Re-adds a failed key after its per-key backoff, which grows until `forget`, or after
   * `minDelayMs` if that is longer (a server's Retry-After). Returns the delay.
   */
  addRateLimited(key: string, minDelayMs = 0): number {
    const delay = Math.max(this.#backoff.next(key), minDelayMs);
    this.#metrics?.retried();
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the key's backoff (after a successful reconcile). */
  forget(key: string): void {
    this.#backoff.forget(key);
  }

  /** Consecutive failures recorded for `key` since the last `forget`. */
  numRequeues(key: string): number {
    return this.#backoff.failures(key);
  }

  /** Waits for the next key; `undefined` once the queue shuts down. The caller must call `done`. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) return Promise.resolve(this.#start(key));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` finished; if it was added while processing, it goes back in the queue. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
    if (this.#processing.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Stops handing out keys and drops delayed adds; in-flight keys may still call `done`. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) timer.cancel();
    this.#delayed.clear();
    for (const resolve of this.#waiters.splice(0)) resolve(undefined);
  }

  /** Resolves once no key is being processed. */
  whenIdle(): Promise<void> {
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #enqueue(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(this.#start(key));
      return;
    }
    this.#queue.push(key);
    this.#metrics?.depth(this.#queue.length);
  }

  #start(key: string): string {
    this.#dirty.delete(key);
    this.#processing.add(key);
    this.#metrics?.depth(this.#queue.length);
    return key;
  }
}
