// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection:
// a candidate takes the Lease when it is free or when the holder has not renewed it for
// leaseDuration, measured on the candidate's own clock from when it last saw the record
// change (so clock skew between nodes does not matter). The leader renews every
// retryPeriod; if it cannot renew for renewDeadline (< leaseDuration) it stops leading at
// once, before any other candidate can consider the Lease expired.
import type { Logger } from "pino";
import { sleep, systemClock, type Clock, type Timer } from "./clock.js";
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from "./errors.js";
import { Kinds, resourcePath } from "./kinds.js";
import type { KubeClient, KubeObject } from "./kubeclient.js";
import type { OperatorMetrics } from "./metrics.js";

export interface LeaderElectionConfig {
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** Unique per process (pod name + random suffix). */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeaderElectorOptions extends LeaderElectionConfig {
  client: KubeClient;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
  metrics?: OperatorMetrics;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

/** Random extra wait on retries, as client-go's JitterFactor 1.2. */
const JITTER = 1.2;

/** metav1.MicroTime. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

export function validateLeaderElectionTimings(
  config: Omit<LeaderElectionConfig, "namespace" | "name" | "identity">,
) {
  if (config.leaseDurationMs <= config.renewDeadlineMs) {
    throw new Error("lease duration must be greater than the renew deadline");
  }
  if (config.renewDeadlineMs <= JITTER * config.retryPeriodMs) {
    throw new Error("renew deadline must be greater than 1.2 x the retry period");
  }
  if (config.retryPeriodMs <= 0) throw new Error("retry period must be positive");
}

export interface LeadershipCallbacks {
  /** Called once the Lease is held; `leading` aborts the moment leadership ends. */
  onStartedLeading(leading: AbortSignal): void;
  /** Called when leadership ends for any reason other than `stop` (lost the Lease). */
  onStoppedLeading(): void;
}

export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #stopController = new AbortController();
  #observedResourceVersion?: string;
  #observedAt = 0;
  #observedHolder?: string;
  #lease?: Lease;
  #leading?: AbortController;
  #renewedAt = 0;
  #expiry?: Timer;
  #loop?: Promise<void>;

  constructor(options: LeaderElectorOptions) {
    validateLeaderElectionTimings(options);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
  }

  get identity(): string {
    return this.#options.identity;
  }

  /** The holder this instance last saw on the Lease. */
  get observedLeader(): string | undefined {
    return this.#observedHolder;
  }

  /** True while leading and the last successful renewal is within the renew deadline. */
  isLeader(): boolean {
    return (
      this.#leading !== undefined &&
      !this.#leading.signal.aborted &&
      this.#clock.now() - this.#renewedAt < this.#options.renewDeadlineMs
    );
  }

  /** Starts campaigning in the background. */
  start(callbacks: LeadershipCallbacks): void {
    if (this.#loop) return;
    this.#loop = this.#run(callbacks).catch((err: unknown) => {
      this.#options.log?.error({ err: errorMessage(err) }, "leader election stopped unexpectedly");
      this.#lose(callbacks, "leader election failed");
    });
  }

  /**
   * Stops campaigning/renewing. With `release`, a held Lease is handed back (holder cleared)
   * so another instance can take over immediately instead of after leaseDuration.
   */
  async stop(options: { release: boolean }): Promise<void> {
    this.#stopController.abort();
    this.#expiry?.cancel();
    this.#leading?.abort();
    await this.#loop;
    this.#options.metrics?.leader.set(0);
    if (options.release) await this.#release();
  }

  async #run(callbacks: LeadershipCallbacks): Promise<void> {
    const stopped = this.#stopController.signal;
    const { log, retryPeriodMs } = this.#options;
    while (!stopped.aborted) {
      const attemptAt = this.#clock.now();
      if (await this.#tryAcquireOrRenew()) {
        this.#renewedAt = attemptAt;
        break;
      }
      await sleep(this.#clock, retryPeriodMs * (1 + JITTER * this.#random()), stopped);
    }
    if (stopped.aborted) return;

    const leading = new AbortController();
    this.#leading = leading;
    this.#armExpiry(callbacks);
    this.#options.metrics?.leader.set(1);
    log?.info({ lease: this.#leaseName(), identity: this.identity }, "became leader");
    callbacks.onStartedLeading(leading.signal);

    const stopRenewing = AbortSignal.any([stopped, leading.signal]);
    while (!stopRenewing.aborted) {
      await sleep(this.#clock, retryPeriodMs, stopRenewing);
      if (stopRenewing.aborted) break;
      const attemptAt = this.#clock.now();
      if (await this.#tryAcquireOrRenew()) {
        if (!leading.signal.aborted) {
          this.#renewedAt = attemptAt;
          this.#armExpiry(callbacks);
        }
      } else if (this.#observedHolder && this.#observedHolder !== this.identity) {
        this.#lose(callbacks, `lease taken by ${this.#observedHolder}`);
      }
    }
  }

  /** Ends leadership when renewDeadline passes without a successful renewal. */
  #armExpiry(callbacks: LeadershipCallbacks): void {
    this.#expiry?.cancel();
    const remaining = this.#renewedAt + this.#options.renewDeadlineMs - this.#clock.now();
    this.#expiry = this.#clock.setTimer(remaining, () =>
      this.#lose(callbacks, "failed to renew within the deadline"),
    );
  }

  #lose(callbacks: LeadershipCallbacks, why: string): void {
    const leading = this.#leading;
    if (!leading || leading.signal.aborted || this.#stopController.signal.aborted) return;
    this.#expiry?.cancel();
    leading.abort();
    this.#options.metrics?.leader.set(0);
    this.#options.log?.error({ lease: this.#leaseName(), identity: this.identity, why }, "lost leadership");
    callbacks.onStoppedLeading();
  }

  #leaseName(): string {
    return `${this.#options.namespace}/${this.#options.name}`;
  }

  /** One attempt: true when this instance holds the Lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity, log } = this.#options;
    const now = this.#clock.now();
    const leaseDurationSeconds = Math.ceil(this.#options.leaseDurationMs / 1000);
    // A request may not outlive the time we have left to renew.
    const timeoutMs = Math.max(1, this.#options.renewDeadlineMs - this.#options.retryPeriodMs);
    try {
      let lease: Lease;
      try {
        lease = await client.request<Lease>({
          method: "GET",
          path: resourcePath(Kinds.Lease, { namespace, name }),
          timeoutMs,
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await client.create<Lease>(Kinds.Lease, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        this.#observe(created, now);
        return true;
      }
      this.#observe(lease, now);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const heldMs = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
      if (holder !== "" && holder !== identity && this.#observedAt + heldMs > now) return false;

      const renewing = holder === identity;
      const updated = await client.request<Lease>({
        method: "PUT",
        path: resourcePath(Kinds.Lease, { namespace, name }),
        timeoutMs,
        body: {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: renewing && spec.acquireTime ? spec.acquireTime : microTime(now),
            renewTime: microTime(now),
            leaseTransitions: renewing ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
          },
        },
      });
      this.#observe(updated, now);
      return true;
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) {
        log?.debug({ lease: this.#leaseName() }, "lease changed concurrently");
      } else {
        log?.warn({ lease: this.#leaseName(), err: errorMessage(err) }, "lease request failed");
      }
      return false;
    }
  }

  #observe(lease: Lease, now: number): void {
    this.#lease = lease;
    const rv = lease.metadata?.resourceVersion;
    if (rv !== this.#observedResourceVersion) {
      this.#observedResourceVersion = rv;
      this.#observedAt = now;
    }
    const holder = lease.spec?.holderIdentity || undefined;
    if (holder !== this.#observedHolder) {
      this.#observedHolder = holder;
      this.#options.log?.info({ lease: this.#leaseName(), leader: holder ?? null }, "observed leader");
    }
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    const now = this.#clock.now();
    try {
      await this.#options.client.request<Lease>({
        method: "PUT",
        path: resourcePath(Kinds.Lease, { namespace: this.#options.namespace, name: this.#options.name }),
        timeoutMs: this.#options.renewDeadlineMs,
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: microTime(now),
            renewTime: microTime(now),
          },
        },
      });
      this.#options.log?.info({ lease: this.#leaseName() }, "released lease");
    } catch (err) {
      this.#options.log?.warn({ lease: this.#leaseName(), err: errorMessage(err) }, "releasing lease failed");
    }
  }
}
