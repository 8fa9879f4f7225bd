// Object storage with etcd's semantics: one global, monotonically increasing resourceVersion
// stamped on every write, and a bounded history of changes (the watch cache) from which
// watches replay and paginated lists read a consistent snapshot. Anything older than the
// history is "compacted" and answers 410.
import type { KubeObject } from "./types.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  rv: number;
  type: WatchEventType;
  storageKey: string;
  /** `namespace/name` or `name` for cluster-scoped objects. */
  key: string;
  object: KubeObject;
  /** The object before this change (absent for ADDED). */
  prev?: KubeObject;
}

export type StoreListener = (event: StoredEvent) => void;

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ResourceVersionTooOld extends Error {
  constructor(
    readonly requested: number,
    readonly oldestAvailable: number,
  ) {
    super(`too old resource version: ${requested} (${oldestAvailable})`);
  }
}

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoredEvent[] = [];
  private readonly listeners: StoreListener[] = [];
  private rv = 0;
  /** Changes at or below this resourceVersion are no longer in the history. */
  private compactedRv = 0;

  constructor(private readonly historyLimit: number) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestWatchableRv(): number {
    return this.compactedRv;
  }

  subscribe(listener: StoreListener): void {
    this.listeners.push(listener);
  }

  get(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.objects.get(storageKey)?.get(objectKey(namespace, name));
    return obj && structuredClone(obj);
  }

  /** Current objects of one resource, in key order (namespace, then name), optionally one namespace only. */
  list(storageKey: string, namespace?: string): KubeObject[] {
    const bucket = this.objects.get(storageKey);
    if (!bucket) return [];
    return [...bucket.entries()]
      .filter(([, o]) => !namespace || o.metadata?.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /**
   * The stored objects themselves, without copying, for controllers scanning everything on
   * each change. Callers must not modify them.
   */
  peek(storageKey: string): readonly KubeObject[] {
    return [...(this.objects.get(storageKey)?.values() ?? [])];
  }

  /** Objects of one resource as they were at `rv` (for list continuation), in key order. */
  listAt(storageKey: string, rv: number, namespace?: string): KubeObject[] {
    if (rv < this.compactedRv) throw new ResourceVersionTooOld(rv, this.compactedRv + 1);
    const state = new Map<string, KubeObject | undefined>(
      [...(this.objects.get(storageKey) ?? new Map<string, KubeObject>())].map(([k, o]) => [k, o]),
    );
    // Undo newer changes, newest first, so each key ends at its value as of `rv`.
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.rv > rv; i--) {
      const e = this.history[i]!;
      if (e.storageKey === storageKey) state.set(e.key, e.prev);
    }
    return [...state.entries()]
      .filter((entry): entry is [string, KubeObject] => entry[1] !== undefined)
      .filter(([, o]) => !namespace || o.metadata?.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /** Changes after `rv`, oldest first; throws ResourceVersionTooOld when the history no longer has them. */
  eventsAfter(rv: number): StoredEvent[] {
    if (rv < this.compactedRv) throw new ResourceVersionTooOld(rv, this.compactedRv + 1);
    return this.history.filter((e) => e.rv > rv);
  }

  /** Creates or replaces an object, stamping the next resourceVersion on it. Returns the stored copy. */
  put(storageKey: string, object: KubeObject): KubeObject {
    const meta = object.metadata ?? {};
    const key = objectKey(meta.namespace, meta.name ?? "");
    let bucket = this.objects.get(storageKey);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(storageKey, bucket);
    }
    const prev = bucket.get(key);
    const stored = structuredClone(object);
    this.rv += 1;
    stored.metadata = { ...stored.metadata, resourceVersion: String(this.rv) };
    bucket.set(key, stored);
    this.record({ rv: this.rv, type: prev ? "MODIFIED" : "ADDED", storageKey, key, object: stored, prev });
    return structuredClone(stored);
  }

  /** Removes an object; the DELETED event carries it with a fresh resourceVersion, as etcd does. */
  remove(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(namespace, name);
    const bucket = this.objects.get(storageKey);
    const prev = bucket?.get(key);
    if (!bucket || !prev) return undefined;
    bucket.delete(key);
    this.rv += 1;
    const gone = structuredClone(prev);
    gone.metadata = { ...gone.metadata, resourceVersion: String(this.rv) };
    this.record({ rv: this.rv, type: "DELETED", storageKey, key, object: gone, prev });
    return structuredClone(gone);
  }

  /** Forgets all history up to now, like an etcd compaction. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift()!;
      this.compactedRv = dropped.rv;
    }
    for (const l of this.listeners) l(event);
  }
}
