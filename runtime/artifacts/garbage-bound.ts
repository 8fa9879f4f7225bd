// Keeps the garbage of streaming small. Every socket read and file read is a new Buffer, freed
// only when V8 collects it, and V8 counts these as external memory that may grow by tens of MB
// before it collects (its soft limit is 64 MB). Streaming 500 MB left 25-40 MB of dead
// buffers at any time on top of Node's ~60 MB, which broke fetch-model's 100 MB bound.
// A young-generation collection every few MB streamed frees them when they die; it costs
// well under a millisecond, since fetch-model's JS heap stays a few MB.
import v8 from "node:v8";
import vm from "node:vm";

type CollectGarbage = (options: { type: "minor" | "major" }) => void;

const EVERY_BYTES = 4 * 1024 * 1024;

let collect: CollectGarbage | undefined | null = null;

/** V8's gc(), installed in a new context; undefined where the flag cannot be set (then no-op). */
function collector(): CollectGarbage | undefined {
  if (collect === null) {
    try {
      v8.setFlagsFromString("--expose-gc");
      collect = vm.runInNewContext("gc") as CollectGarbage;
    } catch {
      collect = undefined;
    }
  }
  return collect;
}

/** Counts bytes streamed and collects the young generation every few MB. */
export class GarbageBound {
  private since = 0;

  streamed(bytes: number): void {
    this.since += bytes;
    if (this.since < EVERY_BYTES) return;
    this.since = 0;
    collector()?.({ type: "minor" });
  }
}
