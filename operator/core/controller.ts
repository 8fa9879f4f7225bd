// A controller reconciles keys, not events (controller-runtime): every watch event is mapped
// to the key of a primary object and put on a de-duplicating work queue; workers take keys
// and call the reconcile function, which reads current state from the caches and converges.
// Events on owned children map to their controller owner; events on referenced objects
// (a Policy, a ModelDeployment) map to the primaries that reference them through an index
// on the primary cache, so no event costs a scan of all primaries.
import type { Logger } from "pino";
import type { BackoffOptions } from "./backoff.js";
import type { Clock } from "./clock.js";
import { ApiError, errorMessage } from "./errors.js";
import type { EventRecorder } from "./events.js";
import type { CacheReader, Informer } from "./informer.js";
import type { ResourceKind } from "./kinds.js";
import { RequestCancelledError, type KubeClient, type KubeObject } from "./kubeclient.js";
import type { OperatorMetrics, ReconcileResult } from "./metrics.js";
import { keyOf, objectKey, parseObjectKey } from "./objectkey.js";
import { getControllerOf, refersToKind } from "./ownership.js";
import { WorkQueue } from "./workqueue.js";

/** Operator-wide settings reconcilers read (from the command line). */
export interface ControllerSettings {
  /** Runtime image for ModerationServices that do not set spec.runtime.image. */
  runtimeImage: string;
  /** Namespace the operator runs in: runtime NetworkPolicies admit it (the quality gate calls the preview). */
  operatorNamespace?: string;
}

export interface ReconcileContext {
  key: string;
  namespace?: string;
  name: string;
  /** Aborts when this reconcile must stop at once (leadership lost, operator killed). */
  signal: AbortSignal;
  /** Carries `controller` and `key` on every line. */
  log: Logger;
  /** API client whose requests fail once `signal` has aborted. */
  client: KubeClient;
  /** The shared cache of a kind this controller watches (for, owns or references). */
  cache<T extends KubeObject = KubeObject>(kind: ResourceKind): CacheReader<T>;
  recorder: EventRecorder;
  clock: Clock;
  settings: ControllerSettings;
  /** The operator's metrics, for reconcilers that report domain gauges and counters. */
  metrics: OperatorMetrics;
}

export interface ReconcileOutcome {
  /** Reconcile this key again after this long (e.g. to time out a rollout). */
  requeueAfterMs?: number;
}

/** Watch a referenced kind: its events reconcile every primary that references the object. */
export interface ReferenceWatch<T extends KubeObject = KubeObject> {
  kind: ResourceKind;
  /** Unique name of the index this adds to the primary cache. */
  indexName: string;
  /** Keys ("namespace/name") of the objects of `kind` that `primary` references. */
  referencedKeys(primary: T): string[];
}

/**
 * Watch a kind that is neither owned nor referenced, mapping each object to the primaries it
 * concerns (e.g. Pods, owned by ReplicaSets, to the ModerationService named in their labels).
 */
export interface MappedWatch {
  kind: ResourceKind;
  /**
   * Keys ("namespace/name") of the primaries an event on `obj` concerns. On an update `old` is
   * the previous object: a reference that moved concerns the primary it left as well.
   */
  primaryKeys(obj: KubeObject, old?: KubeObject): string[];
}

/**
 * Keys from outside the API (controller-runtime's channel source): something the operator
 * learns in the background, such as what a pod answered, asks for a reconcile. `start` is
 * called once with the queue's add; the function it returns stops the source.
 */
export interface ExternalSource {
  start(enqueue: (key: string) => void): () => void;
}

export interface ControllerDefinition<T extends KubeObject = KubeObject> {
  /** Used in logs and metric labels. */
  name: string;
  /** The primary kind; its keys go on the queue. */
  for: ResourceKind;
  /** Child kinds this controller creates with a controller ownerReference to the primary. */
  owns?: readonly ResourceKind[];
  references?: readonly ReferenceWatch<T>[];
  watches?: readonly MappedWatch[];
  sources?: readonly ExternalSource[];
  /** Throw to retry with per-key backoff; return requeueAfterMs to come back later. */
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileOutcome | void>;
}

export interface ControllerDependencies {
  informer(kind: ResourceKind): Informer<KubeObject>;
  client: KubeClient;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics: OperatorMetrics;
  settings: ControllerSettings;
  /** Reconciles running at once for this controller. */
  concurrency: number;
  queueBackoff?: BackoffOptions;
  /** Checked before every reconcile: false while the leader's Lease is not known to be current. */
  mayReconcile(): boolean;
}

const LEADERSHIP_RECHECK_MS = 200;

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #definition: ControllerDefinition;
  readonly #deps: ControllerDependencies;
  readonly #primary: Informer<KubeObject>;
  readonly #watchedKinds: ResourceKind[];
  #workers: Promise<void>[] = [];
  #run?: AbortController;
  readonly #stopSources: (() => void)[] = [];

  constructor(definition: ControllerDefinition, deps: ControllerDependencies) {
    this.name = definition.name;
    this.#definition = definition;
    this.#deps = deps;
    this.queue = new WorkQueue({
      clock: deps.clock,
      backoff: deps.queueBackoff,
      metrics: deps.metrics.forQueue(definition.name),
    });
    this.#primary = deps.informer(definition.for);
    this.#watchedKinds = [definition.for];
    this.#primary.on((_type, obj) => this.queue.add(keyOf(obj)));
    for (const kind of definition.owns ?? []) this.#watchOwned(kind);
    for (const reference of definition.references ?? []) this.#watchReferenced(reference);
    for (const watch of definition.watches ?? []) this.#watchMapped(watch);
    for (const source of definition.sources ?? []) {
      this.#stopSources.push(source.start((key) => this.queue.add(key)));
    }
  }

  #watchMapped(watch: MappedWatch): void {
    this.#watchedKinds.push(watch.kind);
    this.#deps.informer(watch.kind).on((_type, obj, old) => {
      for (const key of watch.primaryKeys(obj, old)) this.queue.add(key);
    });
  }

  #watchOwned(kind: ResourceKind): void {
    this.#watchedKinds.push(kind);
    this.#deps.informer(kind).on((_type, obj, old) => {
      for (const child of old ? [obj, old] : [obj]) {
        const owner = getControllerOf(child);
        if (owner && refersToKind(owner, this.#definition.for)) {
          this.queue.add(objectKey({ namespace: child.metadata?.namespace, name: owner.name }));
        }
      }
    });
  }

  #watchReferenced(reference: ReferenceWatch): void {
    this.#watchedKinds.push(reference.kind);
    this.#primary.addIndex(reference.indexName, (primary) => reference.referencedKeys(primary));
    this.#deps.informer(reference.kind).on((_type, obj) => {
      for (const primary of this.#primary.byIndex(reference.indexName, keyOf(obj))) {
        this.queue.add(keyOf(primary));
      }
    });
  }

  /** Starts the workers; keys already known from the cache are queued first. */
  start(): void {
    if (this.#run) return;
    this.#run = new AbortController();
    for (const obj of this.#primary.list()) this.queue.add(keyOf(obj));
    for (let i = 0; i < this.#deps.concurrency; i++) this.#workers.push(this.#work(this.#run.signal));
    this.#deps.log.info({ controller: this.name, workers: this.#deps.concurrency }, "controller started");
  }

  /**
   * Stops taking keys. With `abort`, in-flight reconciles are cancelled (their client
   * refuses further requests); otherwise they are allowed to finish. Resolves when all
   * workers have returned.
   */
  async stop(options: { abort: boolean }): Promise<void> {
    for (const stop of this.#stopSources.splice(0)) stop();
    this.queue.shutDown();
    if (options.abort) this.#run?.abort();
    await Promise.all(this.#workers);
    this.#workers = [];
  }

  async #work(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        if (signal.aborted) return;
        if (!this.#deps.mayReconcile()) {
          // The Lease is overdue for renewal: do not start work now. Either the renewal lands
          // and the key runs shortly, or leadership is lost and this controller is stopped.
          this.queue.addAfter(key, LEADERSHIP_RECHECK_MS);
          continue;
        }
        await this.#reconcile(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #reconcile(key: string, signal: AbortSignal): Promise<void> {
    const { log, metrics, clock } = this.#deps;
    const ref = parseObjectKey(key);
    const keyLog = log.child({ controller: this.name, key });
    const started = performance.now();
    let result: ReconcileResult = "success";
    try {
      const outcome = await this.#definition.reconcile(key, {
        key,
        namespace: ref.namespace,
        name: ref.name,
        signal,
        log: keyLog,
        client: this.#deps.client.withSignal(signal),
        cache: <T extends KubeObject>(kind: ResourceKind) =>
          this.#cacheFor(kind) as unknown as CacheReader<T>,
        recorder: this.#deps.recorder,
        clock,
        settings: this.#deps.settings,
        metrics,
      });
      this.queue.forget(key);
      if (outcome?.requeueAfterMs !== undefined && outcome.requeueAfterMs >= 0) {
        result = "requeue_after";
        this.queue.addAfter(key, outcome.requeueAfterMs);
      }
      keyLog.debug({ result, durationMs: Math.round(performance.now() - started) }, "reconciled");
    } catch (err) {
      result = "error";
      if (signal.aborted || err instanceof RequestCancelledError) {
        keyLog.info({ err: errorMessage(err) }, "reconcile cancelled");
        return;
      }
      const retryAfterMs = err instanceof ApiError ? (err.retryAfterSeconds ?? 0) * 1000 : 0;
      const delayMs = this.queue.addRateLimited(key, retryAfterMs);
      keyLog.error(
        { err: errorMessage(err), retryInMs: delayMs, failures: this.queue.numRequeues(key) },
        "reconcile failed",
      );
    } finally {
      metrics.reconcileDuration.observe(
        { controller: this.name, result },
        (performance.now() - started) / 1000,
      );
    }
  }

  #cacheFor(kind: ResourceKind): Informer<KubeObject> {
    if (!this.#watchedKinds.some((k) => k.apiVersion === kind.apiVersion && k.kind === kind.kind)) {
      throw new Error(
        `controller ${this.name} reads ${kind.kind} from the cache but does not watch it; add it to owns or references`,
      );
    }
    return this.#deps.informer(kind);
  }
}
