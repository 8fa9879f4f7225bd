// Closed-loop (N concurrent clients) or fixed-rate load with autocannon, recording every
// response time so p50/p95/p99 are exact rather than autocannon's fixed percentile set.
import type { EventEmitter } from "node:events";
import autocannon from "autocannon";
import { classifyBody } from "./texts.js";

export interface LoadResult {
  connections: number;
  /** Requested rate for fixed-rate runs. */
  rate?: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  peakRssMb?: number;
  /** Server CPU time (all threads) per answered request, in microseconds. */
  serverCpuUsPerRequest?: number;
  /** The part of it on the server's main thread (the HTTP event loop). */
  serverMainThreadCpuUsPerRequest?: number;
  /** Texts per model run the server's batcher formed (from its vigil_batch_size histogram). */
  meanBatchSize?: number;
}

/** The p-th percentile of an ascending list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runLoad(
  url: string,
  options: {
    connections: number;
    durationSeconds: number;
    rate?: number;
    path?: string;
    distinctBodies?: number;
    /** Extra request headers, e.g. an API key. */
    headers?: Record<string, string>;
  },
  sampleRss?: () => number,
): Promise<LoadResult> {
  // A global counter, not a per-connection list: connections iterating one list move in
  // lockstep and send the same text at the same moment, which the server coalesces into one
  // inference. Unbounded by default, so every request is a distinct text.
  const distinct = options.distinctBodies ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  const requests: autocannon.Request[] = [
    {
      method: "POST",
      path: options.path ?? "/v1/classify",
      headers: { "content-type": "application/json", ...options.headers },
      setupRequest: (request) => ({ ...request, body: classifyBody(sent++ % distinct) }),
    },
  ];
  const latencies: number[] = [];
  let peakRss = 0;
  const sampler = sampleRss ? setInterval(() => (peakRss = Math.max(peakRss, sampleRss())), 200) : undefined;
  // Without a callback autocannon returns an event emitter that is also a promise of the result.
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests,
    ...(options.rate ? { overallRate: options.rate } : {}),
  }) as unknown as EventEmitter & Promise<autocannon.Result>;
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode === 200) latencies.push(responseTime);
  });
  const result = await instance;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  return {
    connections: options.connections,
    ...(options.rate ? { rate: options.rate } : {}),
    durationSeconds: options.durationSeconds,
    requestsPerSecond: latencies.length / options.durationSeconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...(sampleRss ? { peakRssMb: Math.round(peakRss / 2 ** 20) } : {}),
  };
}
