// Kubernetes Events (core/v1) with aggregation: the same (object, type, reason, message)
// again within the aggregation window bumps `count` on the existing Event instead of creating
// a new one, and those bumps are coalesced to at most one write per update interval. A
// per-object token bucket caps how many distinct Events one object can create, so a
// crash-looping reconcile cannot flood the API.
import type { Logger } from "pino";
import { systemClock, type Clock, type Timer } from "./clock.js";
import { errorMessage, isNotFound } from "./errors.js";
import { Kinds } from "./kinds.js";
import type { KubeClient, KubeObject } from "./kubeclient.js";
import type { OperatorMetrics } from "./metrics.js";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  client: KubeClient;
  clock?: Clock;
  /** `source.component` / `reportingComponent`. */
  component?: string;
  /** `reportingInstance`: which operator replica. */
  instance?: string;
  /** Repeats within this window aggregate into one Event. Default 10 minutes. */
  aggregationWindowMs?: number;
  /** At most one count update per Event per interval. Default 30s. */
  updateIntervalMs?: number;
  /** Distinct Events one object may create in a burst. Default 25. */
  burst?: number;
  /** One more distinct Event allowed per object every this many ms. Default 5 minutes (client-go). */
  refillIntervalMs?: number;
  /** Aggregation entries kept (least recently used dropped). Default 4096. */
  maxTracked?: number;
  log?: Logger;
  metrics?: OperatorMetrics;
}

interface Tracked {
  namespace: string;
  name?: string;
  count: number;
  writtenCount: number;
  firstTimestamp: string;
  lastTimestamp: string;
  lastSeenAt: number;
  lastWriteAt: number;
  involved: Record<string, unknown>;
  type: EventType;
  reason: string;
  message: string;
  timer?: Timer;
  /** Writes of one Event happen one after another. */
  chain: Promise<void>;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** metav1.Time formatting for Event timestamps (second precision). */
function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #clock: Clock;
  readonly #options: Required<
    Pick<
      EventRecorderOptions,
      | "component"
      | "instance"
      | "aggregationWindowMs"
      | "updateIntervalMs"
      | "burst"
      | "refillIntervalMs"
      | "maxTracked"
    >
  >;
  readonly #log?: Logger;
  readonly #metrics?: OperatorMetrics;
  readonly #tracked = new Map<string, Tracked>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #pending = new Set<Promise<void>>();
  #seq = 0;

  constructor(options: EventRecorderOptions) {
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log;
    this.#metrics = options.metrics;
    this.#options = {
      component: options.component ?? "vigil-operator",
      instance: options.instance ?? "vigil-operator",
      aggregationWindowMs: options.aggregationWindowMs ?? 10 * 60_000,
      updateIntervalMs: options.updateIntervalMs ?? 30_000,
      burst: options.burst ?? 25,
      refillIntervalMs: options.refillIntervalMs ?? 5 * 60_000,
      maxTracked: options.maxTracked ?? 4096,
    };
  }

  /** Records an Event about `obj`. Never throws; failures are logged and counted. */
  record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const uid = obj.metadata?.uid ?? `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const key = JSON.stringify([uid, type, reason, message]);
    const now = this.#clock.now();
    const existing = this.#tracked.get(key);
    if (existing && now - existing.lastSeenAt <= this.#options.aggregationWindowMs) {
      this.#tracked.delete(key);
      this.#tracked.set(key, existing);
      existing.count += 1;
      existing.lastSeenAt = now;
      existing.lastTimestamp = eventTime(now);
      this.#scheduleUpdate(existing);
      return;
    }
    if (existing) {
      existing.timer?.cancel();
      this.#tracked.delete(key);
    }
    if (!this.#takeToken(uid, now)) {
      this.#metrics?.eventsWritten.inc({ outcome: "dropped" });
      this.#log?.debug({ reason, object: obj.metadata?.name }, "event dropped by rate limit");
      return;
    }
    const tracked: Tracked = {
      namespace: obj.metadata?.namespace || "default",
      count: 1,
      writtenCount: 0,
      firstTimestamp: eventTime(now),
      lastTimestamp: eventTime(now),
      lastSeenAt: now,
      lastWriteAt: now,
      involved: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata?.name,
        namespace: obj.metadata?.namespace,
        uid: obj.metadata?.uid,
        resourceVersion: obj.metadata?.resourceVersion,
      },
      type,
      reason,
      message,
      chain: Promise.resolve(),
    };
    this.#tracked.set(key, tracked);
    this.#evict();
    this.#enqueueWrite(tracked);
  }

  /** Writes pending count updates now and waits for every write in flight. */
  async flush(): Promise<void> {
    for (const tracked of this.#tracked.values()) {
      if (tracked.timer && tracked.count > tracked.writtenCount) {
        tracked.timer.cancel();
        tracked.timer = undefined;
        this.#enqueueWrite(tracked);
      }
    }
    await this.settled();
  }

  /** Waits for the writes in flight (not for count updates still waiting for their interval). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Stops scheduled count updates (they are dropped; counts are best effort). */
  close(): void {
    for (const tracked of this.#tracked.values()) tracked.timer?.cancel();
  }

  #scheduleUpdate(tracked: Tracked): void {
    if (tracked.timer) return;
    const wait = tracked.lastWriteAt + this.#options.updateIntervalMs - this.#clock.now();
    if (wait <= 0) {
      this.#enqueueWrite(tracked);
      return;
    }
    tracked.timer = this.#clock.setTimer(wait, () => {
      tracked.timer = undefined;
      this.#enqueueWrite(tracked);
    });
  }

  #enqueueWrite(tracked: Tracked): void {
    tracked.lastWriteAt = this.#clock.now();
    const write = tracked.chain.then(() => this.#write(tracked));
    tracked.chain = write;
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  async #write(tracked: Tracked): Promise<void> {
    if (tracked.count === tracked.writtenCount) return;
    const count = tracked.count;
    try {
      if (tracked.name) {
        try {
          await this.#client.patch(
            Kinds.Event,
            { name: tracked.name, namespace: tracked.namespace },
            { count, lastTimestamp: tracked.lastTimestamp },
          );
          tracked.writtenCount = count;
          this.#metrics?.eventsWritten.inc({ outcome: "aggregated" });
          return;
        } catch (err) {
          // The Event expired (default TTL 1h) or was deleted: start a new one.
          if (!isNotFound(err)) throw err;
        }
      }
      tracked.name = `${String(tracked.involved.name)}.${this.#clock.now().toString(16)}${(this.#seq++).toString(16)}`;
      await this.#client.create(Kinds.Event, {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: tracked.name, namespace: tracked.namespace },
        involvedObject: tracked.involved,
        type: tracked.type,
        reason: tracked.reason,
        message: tracked.message,
        count,
        firstTimestamp: tracked.firstTimestamp,
        lastTimestamp: tracked.lastTimestamp,
        source: { component: this.#options.component },
        reportingComponent: this.#options.component,
        reportingInstance: this.#options.instance,
      });
      tracked.writtenCount = count;
      this.#metrics?.eventsWritten.inc({ outcome: "created" });
    } catch (err) {
      this.#metrics?.eventsWritten.inc({ outcome: "failed" });
      this.#log?.warn({ reason: tracked.reason, err: errorMessage(err) }, "writing event failed");
    }
  }

  #takeToken(uid: string, now: number): boolean {
    let bucket = this.#buckets.get(uid);
    if (!bucket) {
      bucket = { tokens: this.#options.burst, refilledAt: now };
      this.#buckets.set(uid, bucket);
      if (this.#buckets.size > this.#options.maxTracked) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    const refills = Math.floor((now - bucket.refilledAt) / this.#options.refillIntervalMs);
    if (refills > 0) {
      bucket.tokens = Math.min(this.#options.burst, bucket.tokens + refills);
      bucket.refilledAt += refills * this.#options.refillIntervalMs;
    }
    if (bucket.tokens <= 0) return false;
    bucket.tokens -= 1;
    return true;
  }

  #evict(): void {
    while (this.#tracked.size > this.#options.maxTracked) {
      const [oldestKey, oldest] = this.#tracked.entries().next().value as [string, Tracked];
      oldest.timer?.cancel();
      this.#tracked.delete(oldestKey);
    }
  }
}
