// Records the events of one watch stream (client-node's Watch, as informers use it).
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { waitFor } from "./harness.js";

export interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    apiVersion?: string;
    code?: number;
    reason?: string;
    message?: string;
    metadata?: { name?: string; resourceVersion?: string; namespace?: string };
  };
}

export interface RecordedWatch {
  events: WatchEvent[];
  /** Set when the server ended the stream (null: cleanly). */
  ended: { error: unknown } | undefined;
  waitForEvents(n: number, what?: string): Promise<WatchEvent[]>;
  waitForEnd(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export async function recordWatch(
  kc: KubeConfig,
  path: string,
  params: Record<string, string | number | boolean | undefined> = {},
): Promise<RecordedWatch> {
  const rec: RecordedWatch = {
    events: [],
    ended: undefined,
    waitForEvents: (n, what = `${n} watch events`) =>
      waitFor(what, () => (rec.events.length >= n ? rec.events.slice(0, n) : undefined)),
    waitForEnd: (timeoutMs = 15_000) =>
      waitFor("the watch to end", () => rec.ended !== undefined, timeoutMs).then(() => undefined),
    stop: () => controller.abort(),
  };
  const controller = await new Watch(kc).watch(
    path,
    params,
    (type, object) => rec.events.push({ type, object: object as WatchEvent["object"] }),
    (err) => {
      rec.ended = { error: err };
    },
  );
  return rec;
}
