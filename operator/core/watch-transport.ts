// The watch half of an informer. client-node's ListWatch drives the list/watch cycle and
// keeps resourceVersion; this replaces its Watch so that every watch (1) goes through
// KubeClient (counted, authenticated like every other call), (2) asks for bookmarks and a
// server-side timeout, (3) is ended by a client-side deadline when the server neither sends
// nor closes (a stalled watch would otherwise hang forever: client-node's own Watch has no
// timeout), and (4) reports an early, silent close as an error so reconnects back off.
import { createInterface } from "node:readline";
import { Watch } from "@kubernetes/client-node";
import type { KubeClient } from "./kubeclient.js";

export interface WatchTransportOptions {
  /** Server-side watch timeout; each watch picks a value in [t, 2t) so clients spread out. */
  timeoutSeconds: number;
  /** Extra time the server gets to close the watch itself before we abort it. */
  deadlineGraceMs: number;
  /** A watch that ends cleanly sooner than this without delivering anything counts as failed. */
  minHealthyMs: number;
  random?: () => number;
  /** A list finished and a watch is about to start: the cache holds a full snapshot. */
  onWatchStart?: () => void;
  /** The watch delivered an event or lived long enough: reset restart backoff. */
  onHealthy?: () => void;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

interface WatchEvent {
  type?: string;
  object?: { code?: number; message?: string; reason?: string; metadata?: unknown };
}

export class WatchStreamError extends Error {
  override readonly name = "WatchStreamError";
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export class WatchTransport extends Watch {
  readonly #client: KubeClient;
  readonly #options: WatchTransportOptions;

  constructor(client: KubeClient, options: WatchTransportOptions) {
    super(client.kubeConfig);
    this.#client = client;
    this.#options = options;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    this.#options.onWatchStart?.();
    const controller = new AbortController();
    const random = this.#options.random ?? Math.random;
    const timeoutSeconds = Math.round(this.#options.timeoutSeconds * (1 + random()));
    const startedAt = Date.now();
    let delivered = false;
    let finished = false;
    let deadline: NodeJS.Timeout | undefined;
    let healthTimer: NodeJS.Timeout | undefined;

    // `done` re-enters ListWatch, which may start the next list/watch; defer it so this call
    // has returned and ListWatch has stored the controller for this watch first.
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearTimeout(healthTimer);
      controller.abort();
      setImmediate(() => done(err));
    };
    const healthy = () => {
      if (!delivered) {
        delivered = true;
        this.#options.onHealthy?.();
      }
    };

    try {
      const response = await this.#client.stream({
        path,
        verb: "watch",
        query: { ...queryParams, watch: true, allowWatchBookmarks: true, timeoutSeconds },
        signal: controller.signal,
      });
      response.on("error", (err) => finish(err));
      if (controller.signal.aborted) {
        response.destroy();
        finish(null);
        return controller;
      }
      deadline = setTimeout(
        () => finish(new WatchStreamError(`watch ${path} stalled: no close after ${timeoutSeconds}s`)),
        timeoutSeconds * 1000 + this.#options.deadlineGraceMs,
      );
      healthTimer = setTimeout(healthy, this.#options.minHealthyMs);
      controller.signal.addEventListener("abort", () => {
        response.destroy();
        finish(null);
      });
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      lines.on("line", (line) => {
        if (finished || line.trim() === "") return;
        let event: WatchEvent;
        try {
          event = JSON.parse(line) as WatchEvent;
        } catch {
          finish(new WatchStreamError(`watch ${path}: undecodable event`));
          return;
        }
        if (event.type === "ERROR") {
          // ListWatch resets its resourceVersion on a 410 ERROR event; ending the stream here
          // makes it relist now instead of waiting for the server to close.
          callback(event.type, event.object, event);
          const code = event.object?.code;
          if (code === 410) finish(null);
          else finish(new WatchStreamError(`watch ${path}: ${event.object?.message ?? "error event"}`, code));
          return;
        }
        healthy();
        callback(event.type ?? "", event.object, event);
      });
      lines.on("close", () => {
        const early = !delivered && Date.now() - startedAt < this.#options.minHealthyMs;
        finish(early ? new WatchStreamError(`watch ${path} closed by the server before any event`) : null);
      });
    } catch (err) {
      finish(err);
    }
    return controller;
  }
}
