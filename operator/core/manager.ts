// The Manager owns what controllers share: one informer (cache) per kind, the API client,
// the event recorder, metrics, the probe/metrics server and leader election. Caches run on
// every replica (so a new leader starts warm); controllers' workers run only on the leader
// and only once the caches have synced.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { keepOwnAppliedFields } from "./apply.js";
import type { BackoffOptions } from "./backoff.js";
import { systemClock, type Clock } from "./clock.js";
import { Controller, type ControllerDefinition, type ControllerSettings } from "./controller.js";
import { errorMessage } from "./errors.js";
import { EventRecorder, type EventRecorderOptions } from "./events.js";
import { FailureLog } from "./failure-log.js";
import { startHealthServer, type HealthServer } from "./health-server.js";
import { Informer, type InformerOptions } from "./informer.js";
import { kindLabel, type ResourceKind } from "./kinds.js";
import { KubeClient, type KubeObject } from "./kubeclient.js";
import { LeaderElector, type LeaderElectionConfig } from "./leaderelection.js";
import { createLogger } from "./logging.js";
import { OperatorMetrics } from "./metrics.js";

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Namespaces to watch; empty = all. */
  namespaces?: readonly string[];
  /** Reconciles in flight at once, per controller. Default 2. */
  concurrency?: number;
  /** Absent: no leader election, this instance always reconciles. */
  leaderElection?: Omit<LeaderElectionConfig, "identity">;
  /** Unique name of this instance (Lease holder, Event reportingInstance). */
  identity?: string;
  /** "[host]:port" for /healthz, /readyz and /metrics; absent = no server. */
  metricsBindAddress?: string;
  settings?: ControllerSettings;
  /** Drives work-queue delays, requeue-after and event aggregation. */
  clock?: Clock;
  log?: Logger;
  metrics?: OperatorMetrics;
  queueBackoff?: BackoffOptions;
  informers?: Pick<InformerOptions, "restartBackoff" | "watchTimeoutSeconds" | "watchDeadlineGraceMs">;
  events?: Pick<
    EventRecorderOptions,
    "aggregationWindowMs" | "updateIntervalMs" | "burst" | "refillIntervalMs"
  >;
}

export const DEFAULT_RUNTIME_IMAGE = "vigil-runtime:0.1.0";

type State = "new" | "running" | "stopping" | "stopped";

export class Manager {
  readonly client: KubeClient;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly identity: string;
  /** Why the API is unreachable, logged once per cause (informers report into it). */
  readonly failures: FailureLog;
  readonly #options: ManagerOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #controllers: Controller[] = [];
  readonly #elector?: LeaderElector;
  #health?: HealthServer;
  #state: State = "new";
  #controllersRunning = false;
  #leadershipLostResolve!: () => void;
  /** Resolves if this instance loses the Lease (the process should exit and restart). */
  readonly leadershipLost = new Promise<void>((resolve) => (this.#leadershipLostResolve = resolve));

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? new OperatorMetrics();
    this.log = options.log ?? createLogger();
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.client = new KubeClient(options.kubeConfig, { metrics: this.metrics });
    this.failures = new FailureLog({ log: this.log, clock: this.clock });
    this.recorder = new EventRecorder({
      client: this.client,
      clock: this.clock,
      instance: this.identity,
      log: this.log,
      metrics: this.metrics,
      ...options.events,
    });
    if (options.leaderElection) {
      this.#elector = new LeaderElector({
        ...options.leaderElection,
        identity: this.identity,
        client: this.client,
        log: this.log,
        metrics: this.metrics,
      });
    }
  }

  /** Registers a controller; its kinds get shared informers. Call before start. */
  add(definition: ControllerDefinition): Controller {
    if (this.#state !== "new") throw new Error("controllers must be added before the manager starts");
    const controller = new Controller(definition, {
      informer: (kind) => this.informer(kind),
      client: this.client,
      recorder: this.recorder,
      clock: this.clock,
      log: this.log,
      metrics: this.metrics,
      settings: this.#options.settings ?? { runtimeImage: DEFAULT_RUNTIME_IMAGE },
      concurrency: this.#options.concurrency ?? 2,
      queueBackoff: this.#options.queueBackoff,
      mayReconcile: () => this.isLeader(),
    });
    this.#controllers.push(controller);
    return controller;
  }

  /** The shared informer for `kind`, created on first use. */
  informer<T extends KubeObject = KubeObject>(kind: ResourceKind): Informer<T> {
    const id = `${kind.apiVersion}/${kind.kind}`;
    let informer = this.#informers.get(id);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client, kind, {
        namespaces: this.#options.namespaces,
        log: this.log,
        metrics: this.metrics,
        failures: this.failures,
        trim: (obj) => keepOwnAppliedFields(obj),
        ...this.#options.informers,
      });
      this.#informers.set(id, informer);
      if (this.#state === "running") informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** True when every informer has listed once (what /readyz reports). */
  hasSynced(): boolean {
    return [...this.#informers.values()].every((i) => i.hasSynced());
  }

  /** True while this instance may reconcile: it holds the Lease, or runs without election. */
  isLeader(): boolean {
    if (this.#state !== "running") return false;
    return this.#elector ? this.#elector.isLeader() : true;
  }

  get healthPort(): number | undefined {
    return this.#health?.port;
  }

  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`manager cannot start: it is ${this.#state}`);
    this.#state = "running";
    if (this.#options.metricsBindAddress !== undefined) {
      this.#health = await startHealthServer({
        bindAddress: this.#options.metricsBindAddress,
        registry: this.metrics.registry,
        ready: () => this.#readiness(),
      });
      this.log.info({ port: this.#health.port }, "serving /healthz, /readyz and /metrics");
    }
    for (const informer of this.#informers.values()) informer.start();
    if (this.#elector) {
      this.log.info({ identity: this.identity }, "campaigning for leadership");
      this.#elector.start({
        onStartedLeading: (leading) => void this.#startControllers(leading),
        onStoppedLeading: () => void this.#onLeadershipLost(),
      });
    } else {
      void this.#startControllers(new AbortController().signal);
    }
  }

  /**
   * Graceful stop (SIGTERM): stop taking keys, let in-flight reconciles finish, release the
   * Lease, stop the informers. `releaseLease: false` leaves the Lease to expire (a crash),
   * and `abortInFlight` cancels running reconciles instead of waiting for them.
   */
  async stop(options: { releaseLease?: boolean; abortInFlight?: boolean } = {}): Promise<void> {
    if (this.#state === "stopped" || this.#state === "stopping") return;
    const wasRunning = this.#state === "running";
    this.#state = "stopping";
    await Promise.all(this.#controllers.map((c) => c.stop({ abort: options.abortInFlight ?? false })));
    if (wasRunning) await this.#elector?.stop({ release: options.releaseLease ?? true });
    await this.recorder.flush().catch(() => undefined);
    this.recorder.close();
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
    await this.#health?.close();
    this.#state = "stopped";
    this.log.info("manager stopped");
  }

  /** What a crashed process looks like to the cluster: no more requests, Lease not released. */
  kill(): Promise<void> {
    return this.stop({ releaseLease: false, abortInFlight: true });
  }

  #readiness(): { ok: boolean; detail: string } {
    const pending = [...this.#informers.values()].filter((i) => !i.hasSynced()).map((i) => i.label);
    if (pending.length === 0) return { ok: true, detail: "ok" };
    const causes = this.failures.current();
    return {
      ok: false,
      detail: `caches not synced: ${pending.join(", ")}${causes.length ? `; Kubernetes API unavailable: ${causes.join("; ")}` : ""}`,
    };
  }

  async #startControllers(leading: AbortSignal): Promise<void> {
    const synced = Promise.all([...this.#informers.values()].map((i) => i.whenSynced()));
    const aborted = new Promise<void>((resolve) =>
      leading.addEventListener("abort", () => resolve(), { once: true }),
    );
    await Promise.race([synced, aborted]);
    if (leading.aborted || this.#state !== "running" || this.#controllersRunning) return;
    this.#controllersRunning = true;
    this.log.info(
      { kinds: [...this.#informers.values()].map((i) => kindLabel(i.kind)) },
      "caches synced; starting controllers",
    );
    for (const controller of this.#controllers) controller.start();
  }

  async #onLeadershipLost(): Promise<void> {
    try {
      await Promise.all(this.#controllers.map((c) => c.stop({ abort: true })));
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, "stopping controllers failed");
    }
    this.#leadershipLostResolve();
  }
}
