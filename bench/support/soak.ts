// Soak: the server under a fixed request rate for a long time, sampled window by window. Each
// window is one paced run (runPacedLoad: open loop, latency from the scheduled time), so its
// p99 is that window's own; after it the server's RSS (from /proc) and V8 heap (from its
// /metrics) are read. Windows follow each other with only the drain of the last requests
// between them.
import { runPacedLoad } from "./paced-load.js";
import { heapUsedBytes } from "./server-metrics.js";
import type { ServerProcess } from "./server-process.js";
import { trendOf, type Point, type Trend } from "./trend.js";

export interface SoakSample {
  minutes: number;
  requestsPerSecond: number;
  p99Ms: number;
  rssMb: number;
  heapUsedMb: number;
  failed: number;
}

export interface SoakResult {
  rate: number;
  durationSeconds: number;
  sampleSeconds: number;
  /** Samples before this are the warm-up (JIT, caches, heap sizing) and stay out of the fit. */
  warmupSamples: number;
  samples: SoakSample[];
  trends: { rssMb: Trend; heapUsedMb: Trend; p99Ms: Trend };
}

/** Share of the run treated as warm-up, at least one sample. */
const WARMUP_SHARE = 0.2;

export async function runSoak(
  server: ServerProcess,
  options: { rate: number; durationMs: number; sampleMs: number },
  onSample: (sample: SoakSample) => void = () => undefined,
): Promise<SoakResult> {
  const windows = Math.max(3, Math.round(options.durationMs / options.sampleMs));
  const windowSeconds = options.durationMs / windows / 1000;
  const started = performance.now();
  const samples: SoakSample[] = [];
  for (let i = 0; i < windows; i++) {
    const load = await runPacedLoad(server.url, { rate: options.rate, durationSeconds: windowSeconds });
    const sample: SoakSample = {
      minutes: (performance.now() - started) / 60_000,
      requestsPerSecond: load.requestsPerSecond,
      p99Ms: load.p99Ms,
      rssMb: server.rssBytes() / 2 ** 20,
      heapUsedMb: ((await heapUsedBytes(server.url)) ?? NaN) / 2 ** 20,
      failed: load.errors + load.non2xx,
    };
    samples.push(sample);
    onSample(sample);
  }
  const warmupSamples = Math.max(1, Math.floor(windows * WARMUP_SHARE));
  const fitted = samples.slice(warmupSamples);
  const series = (pick: (s: SoakSample) => number): Point[] =>
    fitted.map((s) => ({ minutes: s.minutes, value: pick(s) }));
  return {
    rate: options.rate,
    durationSeconds: options.durationMs / 1000,
    sampleSeconds: windowSeconds,
    warmupSamples,
    samples,
    trends: {
      rssMb: trendOf(series((s) => s.rssMb)),
      heapUsedMb: trendOf(series((s) => s.heapUsedMb)),
      p99Ms: trendOf(series((s) => s.p99Ms)),
    },
  };
}
