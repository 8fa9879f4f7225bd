// Watch streams: newline-delimited JSON events (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR) over
// a chunked HTTP response, replayed from the store's bounded history when the client gives a
// resourceVersion, filtered by namespace and label/field selectors the way the watch cache
// does (an object leaving the selector is a DELETED, entering it an ADDED), with bookmarks
// and server-side timeouts. Faults can drop or stall streams.
import type { ServerResponse } from "node:http";
import { expired } from "./errors.js";
import type { ResourceType } from "./resource-type.js";
import { matchesFields, matchesLabels, type FieldRequirement, type LabelSelector } from "./selectors.js";
import { ResourceVersionTooOld, type ObjectStore, type StoredEvent } from "./store.js";
import type { KubeObject, RecordedRequest } from "./types.js";

export interface WatchOptions {
  type: ResourceType;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldRequirement[];
  bookmarks: boolean;
  timeoutMs: number;
  /** `undefined`/`"0"`: start with ADDED events for what exists now; otherwise replay after it. */
  resourceVersion?: string;
  /** Serves a stored object as the watched version (apiVersion/kind). */
  present: (type: ResourceType, obj: KubeObject) => KubeObject;
  request: RecordedRequest;
}

type WatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"; object: unknown };

class Watcher {
  stalled = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly opts: WatchOptions,
    private readonly res: ServerResponse,
    private readonly onClose: (w: Watcher) => void,
  ) {
    res.on("close", () => this.close());
  }

  get request(): RecordedRequest {
    return this.opts.request;
  }

  matches(obj: KubeObject | undefined): boolean {
    if (!obj) return false;
    if (this.opts.namespace && obj.metadata?.namespace !== this.opts.namespace) return false;
    return (
      matchesLabels(this.opts.labels, obj.metadata?.labels) &&
      matchesFields(this.opts.fields, obj, this.opts.type)
    );
  }

  /** The event this watcher sees for a store change, if any. */
  translate(e: StoredEvent): WatchEvent | undefined {
    if (e.storageKey !== this.opts.type.storageKey) return undefined;
    const present = (o: KubeObject): KubeObject => this.opts.present(this.opts.type, o);
    const now = this.matches(e.object);
    const before = e.type === "MODIFIED" && this.matches(e.prev);
    if (e.type === "ADDED") return now ? { type: "ADDED", object: present(e.object) } : undefined;
    if (e.type === "DELETED") return now ? { type: "DELETED", object: present(e.object) } : undefined;
    if (now && before) return { type: "MODIFIED", object: present(e.object) };
    if (now) return { type: "ADDED", object: present(e.object) };
    if (before) {
      const gone = structuredClone(e.prev!);
      gone.metadata = { ...gone.metadata, resourceVersion: String(e.rv) };
      return { type: "DELETED", object: present(gone) };
    }
    return undefined;
  }

  send(event: WatchEvent): void {
    if (this.closed || this.stalled) return;
    this.res.write(`${JSON.stringify(event)}\n`);
  }

  bookmark(rv: number): void {
    if (!this.opts.bookmarks) return;
    this.send({
      type: "BOOKMARK",
      object: {
        kind: this.opts.type.kind,
        apiVersion: this.opts.present(this.opts.type, {}).apiVersion,
        metadata: { resourceVersion: String(rv) },
      },
    });
  }

  schedule(fn: () => void, ms: number): void {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    this.timers.push(t);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    if (!this.res.writableEnded) this.res.end();
    this.onClose(this);
  }
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(
    private readonly store: ObjectStore,
    private readonly bookmarkIntervalMs: number,
  ) {
    store.subscribe((e) => {
      for (const w of this.watchers) {
        const event = w.translate(e);
        if (event) w.send(event);
      }
    });
  }

  get open(): number {
    return this.watchers.size;
  }

  /** Starts a stream; `stalled` makes it a black hole from the start. */
  start(opts: WatchOptions, res: ServerResponse, stalled: boolean): void {
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Transfer-Encoding": "chunked",
      "Cache-Control": "no-cache",
    });
    res.flushHeaders();
    const w = new Watcher(opts, res, (x) => this.watchers.delete(x));
    w.stalled = stalled;
    const rv = opts.resourceVersion;
    if (rv === undefined || rv === "" || rv === "0") {
      for (const obj of this.store.list(opts.type.storageKey, opts.namespace))
        if (w.matches(obj)) w.send({ type: "ADDED", object: opts.present(opts.type, obj) });
    } else {
      let events: StoredEvent[];
      try {
        events = this.store.eventsAfter(Number(rv));
      } catch (err) {
        if (!(err instanceof ResourceVersionTooOld)) throw err;
        w.send({ type: "ERROR", object: expired(err.message).toStatus() });
        w.close();
        return;
      }
      for (const e of events) {
        const event = w.translate(e);
        if (event) w.send(event);
      }
    }
    this.watchers.add(w);
    const deadline = Date.now() + opts.timeoutMs;
    w.schedule(() => {
      if (!w.stalled) w.close();
    }, opts.timeoutMs);
    const scheduleBookmark = (): void => {
      // Like the watch cache: a bookmark 2s before the deadline, else one per interval.
      const next = Math.min(Date.now() + this.bookmarkIntervalMs, deadline - 2000);
      if (next <= Date.now()) return;
      w.schedule(() => {
        w.bookmark(this.store.resourceVersion);
        scheduleBookmark();
      }, next - Date.now());
    };
    scheduleBookmark();
  }

  /** Ends matching streams cleanly (the client sees the response end and re-watches). */
  drop(match: (r: RecordedRequest) => boolean): number {
    const hit = [...this.watchers].filter((w) => match(w.request));
    for (const w of hit) w.close();
    return hit.length;
  }

  /** Matching open streams stop delivering anything, including their end. */
  stall(match: (r: RecordedRequest) => boolean): number {
    const hit = [...this.watchers].filter((w) => match(w.request));
    for (const w of hit) w.stalled = true;
    return hit.length;
  }

  /** Ends the streams of resources that stop being served (a deleted CRD). */
  closeWhere(match: (type: ResourceType) => boolean): void {
    for (const w of [...this.watchers]) if (match(w.opts.type)) w.close();
  }

  /** Ends every stream cleanly (clients see the end of a watch, not a reset connection). */
  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }
}
