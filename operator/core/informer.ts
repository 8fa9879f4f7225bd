// A shared informer for one kind: a local cache kept current by list+watch, with event
// handlers and secondary indexes. client-node's ListWatch runs the list/watch cycle (and
// relists after 410 Gone) but stops for good on any other error; this wrapper restarts it
// with capped exponential backoff and jitter, resuming from the last resourceVersion.
import { ListWatch, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { FailureLog } from "./failure-log.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { systemClock, type Clock, type Timer } from "./clock.js";
import { errorMessage } from "./errors.js";
import { kindLabel, resourcePath, type ResourceKind } from "./kinds.js";
import type { KubeClient, KubeObject } from "./kubeclient.js";
import type { OperatorMetrics } from "./metrics.js";
import { keyOf, objectKey } from "./objectkey.js";
import { WatchTransport } from "./watch-transport.js";

export type InformerEventType = "add" | "update" | "delete";

/** `old` is the previously cached object for updates (and for deletes seen on a relist). */
export type InformerHandler<T> = (type: InformerEventType, obj: T, old?: T) => void;

/** Returns the values under which an object is indexed (e.g. the keys of objects it references). */
export type IndexFunction<T> = (obj: T) => string[];

/** Read access to a cache, as reconcilers and mappers get it. */
export interface CacheReader<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): T[];
  byIndex(indexName: string, value: string): T[];
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  /** Namespaces to watch; empty or absent = all namespaces (one cluster-wide watch). */
  namespaces?: readonly string[];
  labelSelector?: string;
  restartBackoff?: BackoffOptions;
  /** Server-side watch timeout (seconds, randomised up to 2x). Default 300. */
  watchTimeoutSeconds?: number;
  /** How long past its timeout a silent watch may stay open before we abort it. Default 15s. */
  watchDeadlineGraceMs?: number;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
  metrics?: OperatorMetrics;
  /** Shared by a manager's informers: one log line per failure cause, not per retry. */
  failures?: FailureLog;
  /**
   * Called on every object before it is cached and handed to handlers, to drop in place what
   * no reader needs (the cache holds every object of the kind).
   */
  trim?: (obj: T) => void;
}

export const DEFAULT_INFORMER_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

interface Index<T> {
  fn: IndexFunction<T>;
  keysByValue: Map<string, Set<string>>;
  valuesByKey: Map<string, string[]>;
}

interface Scope {
  namespace?: string;
  /** Holds raw API objects; they are handed on as T. */
  listWatch: ListWatch<KubernetesObject>;
  synced: boolean;
  backoff: Backoff;
  restartTimer?: Timer;
}

export class Informer<T extends KubeObject> implements CacheReader<T> {
  readonly kind: ResourceKind;
  readonly #client: KubeClient;
  readonly #options: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #objects = new Map<string, T>();
  readonly #handlers: InformerHandler<T>[] = [];
  readonly #indexes = new Map<string, Index<T>>();
  readonly #scopes: Scope[];
  #started = false;
  #stopped = false;
  #resolveSynced!: () => void;
  readonly #synced = new Promise<void>((resolve) => (this.#resolveSynced = resolve));

  constructor(client: KubeClient, kind: ResourceKind, options: InformerOptions<T> = {}) {
    this.kind = kind;
    this.#client = client;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const namespaces = kind.namespaced && options.namespaces?.length ? [...new Set(options.namespaces)] : [];
    this.#scopes = (namespaces.length ? namespaces : [undefined]).map((ns) => this.#makeScope(ns));
  }

  get label(): string {
    return kindLabel(this.kind);
  }

  /** Registers an event handler; handlers added after start see only later events. */
  on(handler: InformerHandler<T>): void {
    this.#handlers.push(handler);
  }

  addIndex(name: string, fn: IndexFunction<T>): void {
    if (this.#indexes.has(name)) throw new Error(`${this.label} informer: index ${name} already exists`);
    const index: Index<T> = { fn, keysByValue: new Map(), valuesByKey: new Map() };
    this.#indexes.set(name, index);
    for (const [key, obj] of this.#objects) this.#indexObject(index, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.#indexes.has(name);
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.#indexes.get(indexName);
    if (!index) throw new Error(`${this.label} informer has no index ${indexName}`);
    const keys = index.keysByValue.get(value);
    if (!keys) return [];
    return [...keys].map((key) => this.#objects.get(key)).filter((o): o is T => o !== undefined);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#objects.get(objectKey({ namespace: this.kind.namespaced ? namespace : undefined, name }));
  }

  list(namespace?: string): T[] {
    const all = [...this.#objects.values()];
    return namespace ? all.filter((o) => o.metadata?.namespace === namespace) : all;
  }

  /** True once every watched scope has completed its initial list. */
  hasSynced(): boolean {
    return this.#scopes.every((s) => s.synced);
  }

  /** Resolves once hasSynced() is true. */
  whenSynced(): Promise<void> {
    return this.#synced;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const scope of this.#scopes) this.#run(scope);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const scope of this.#scopes) {
      scope.restartTimer?.cancel();
      await scope.listWatch.stop();
    }
  }

  #makeScope(namespace: string | undefined): Scope {
    const path = resourcePath(this.kind, { namespace });
    const scope = { namespace, synced: false } as Scope;
    scope.backoff = new Backoff(
      this.#options.restartBackoff ?? DEFAULT_INFORMER_BACKOFF,
      this.#options.random,
    );
    const transport = new WatchTransport(this.#client, {
      timeoutSeconds: this.#options.watchTimeoutSeconds ?? 300,
      deadlineGraceMs: this.#options.watchDeadlineGraceMs ?? 15_000,
      minHealthyMs: 1_000,
      random: this.#options.random,
      onWatchStart: () => this.#markSynced(scope),
      onHealthy: () => scope.backoff.reset(),
    });
    const listFn = async () => {
      const list = await this.#client.listAll<T>(this.kind, {
        namespace,
        labelSelector: this.#options.labelSelector,
      });
      scope.backoff.reset();
      this.#options.failures?.succeeded();
      // List responses omit each item's apiVersion/kind; fill them so cached objects are complete.
      for (const item of list.items) {
        item.apiVersion ??= this.kind.apiVersion;
        item.kind ??= this.kind.kind;
      }
      return list as never;
    };
    const listWatch = new ListWatch<KubernetesObject>(
      path,
      transport,
      listFn,
      false,
      this.#options.labelSelector,
    );
    listWatch.on("add", (obj) => this.#apply("add", obj as T));
    listWatch.on("update", (obj) => this.#apply("update", obj as T));
    listWatch.on("delete", (obj) => this.#apply("delete", obj as T));
    listWatch.on("error", (err: unknown) => this.#scheduleRestart(scope, err));
    scope.listWatch = listWatch;
    return scope;
  }

  #run(scope: Scope): void {
    scope.listWatch.start().catch((err: unknown) => this.#scheduleRestart(scope, err));
  }

  #scheduleRestart(scope: Scope, err: unknown): void {
    if (this.#stopped) return;
    scope.restartTimer?.cancel();
    const delayMs = scope.backoff.next();
    this.#options.metrics?.informerRestarts.inc({ resource: this.label });
    const detail = { resource: this.label, namespace: scope.namespace, delayMs, err: errorMessage(err) };
    if (this.#options.failures) {
      this.#options.failures.failed(err, { resource: this.label });
      this.#options.log?.debug(detail, "informer list/watch failed; restarting");
    } else {
      this.#options.log?.warn(detail, "informer list/watch failed; restarting");
    }
    scope.restartTimer = this.#clock.setTimer(delayMs, () => {
      scope.restartTimer = undefined;
      if (!this.#stopped) this.#run(scope);
    });
  }

  #markSynced(scope: Scope): void {
    if (scope.synced) return;
    scope.synced = true;
    if (this.hasSynced()) {
      this.#resolveSynced();
      this.#options.metrics?.informerSynced.set({ resource: this.label }, 1);
      this.#options.log?.debug({ resource: this.label }, "informer synced");
    }
  }

  #apply(type: InformerEventType, obj: T): void {
    obj.apiVersion ??= this.kind.apiVersion;
    obj.kind ??= this.kind.kind;
    this.#options.trim?.(obj);
    const key = keyOf(obj);
    const old = this.#objects.get(key);
    if (type === "delete") this.#objects.delete(key);
    else this.#objects.set(key, obj);
    for (const index of this.#indexes.values()) {
      this.#unindexObject(index, key);
      if (type !== "delete") this.#indexObject(index, key, obj);
    }
    for (const handler of this.#handlers) {
      try {
        handler(type, obj, old);
      } catch (err) {
        this.#options.log?.error(
          { resource: this.label, key, err: errorMessage(err) },
          "informer handler failed",
        );
      }
    }
  }

  #indexObject(index: Index<T>, key: string, obj: T): void {
    let values: string[];
    try {
      values = [...new Set(index.fn(obj))];
    } catch (err) {
      this.#options.log?.error(
        { resource: this.label, key, err: errorMessage(err) },
        "index function failed",
      );
      values = [];
    }
    index.valuesByKey.set(key, values);
    for (const value of values) {
      let keys = index.keysByValue.get(value);
      if (!keys) index.keysByValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  #unindexObject(index: Index<T>, key: string): void {
    for (const value of index.valuesByKey.get(key) ?? []) {
      const keys = index.keysByValue.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.keysByValue.delete(value);
    }
    index.valuesByKey.delete(key);
  }
}
