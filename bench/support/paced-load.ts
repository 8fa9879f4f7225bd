// Open-loop load at a steady rate: requests leave on schedule whether or not earlier ones have
// answered, and each latency counts from its scheduled time (so a stalled server cannot hide its
// queueing, the "coordinated omission" problem). autocannon's rate option instead spends each
// connection's per-second quota in a burst at the start of every second, which measures
// saturation half the time, not a steady half load.
import http from "node:http";
import type { LoadResult } from "./load.js";
import { classifyBody } from "./texts.js";

export async function runPacedLoad(
  url: string,
  options: { rate: number; durationSeconds: number; maxSockets?: number },
  sampleRss?: () => number,
): Promise<LoadResult> {
  const target = new URL("/v1/classify", url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let peakRss = 0;
  const pending = new Set<Promise<void>>();

  const send = (scheduledAt: number, body: string): Promise<void> =>
    new Promise<void>((resolve) => {
      const request = http.request(
        target,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on("end", () => {
            if (response.statusCode === 200) latencies.push(performance.now() - scheduledAt);
            else non2xx++;
            resolve();
          });
        },
      );
      request.on("error", () => {
        errors++;
        resolve();
      });
      request.end(body);
    });

  const started = performance.now();
  const intervalMs = 1000 / options.rate;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      if (sampleRss) peakRss = Math.max(peakRss, sampleRss());
      if (now - started >= options.durationSeconds * 1000) {
        clearInterval(tick);
        resolve();
        return;
      }
      // Every request whose scheduled time has come, each stamped with that time.
      while (started + sent * intervalMs <= now) {
        const promise = send(started + sent * intervalMs, classifyBody(1_000_000 + sent));
        pending.add(promise);
        void promise.then(() => pending.delete(promise));
        sent++;
      }
    }, 1);
  });
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  return {
    connections: agent.maxSockets,
    rate: options.rate,
    durationSeconds: options.durationSeconds,
    requestsPerSecond: latencies.length / options.durationSeconds,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    errors,
    non2xx,
    ...(sampleRss ? { peakRssMb: Math.round(peakRss / 2 ** 20) } : {}),
  };
}
