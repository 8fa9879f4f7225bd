// Load shedding for the API routes of the scope it is registered in: @fastify/under-pressure
// refuses new requests with 503 + Retry-After while the mean event-loop delay or the V8 heap
// in use is past its bound, before any parsing or inference work is spent on them. The
// batcher's bounded queue sheds the rest (QueueFullError); both are counted by reason. Probes
// and /metrics are outside the scope: a loaded pod stays live and observable.
import underPressure from "@fastify/under-pressure";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { OverloadedError, QueueFullError } from "../errors.js";
import type { RuntimeMetrics } from "./metrics.js";

export interface LoadSheddingOptions {
  /** 0 disables the check. */
  maxEventLoopDelayMs: number;
  /** 0 disables the check. */
  maxHeapUsedBytes: number;
  sampleIntervalMs: number;
  metrics: RuntimeMetrics;
}

const RETRY_AFTER_SECONDS = 2;

export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, options: LoadSheddingOptions) => {
    const { metrics } = options;
    await app.register(underPressure, {
      maxEventLoopDelay: options.maxEventLoopDelayMs,
      maxHeapUsedBytes: options.maxHeapUsedBytes,
      sampleInterval: options.sampleIntervalMs,
      // Rejecting (not throwing) hands the error to the error handler, which answers in the
      // route's API format.
      pressureHandler: async (_request, _reply, type, value) => {
        metrics.shedRequests.inc({ reason: type });
        // under-pressure reports Infinity when the loop was blocked for a whole sample interval.
        const delay = Number.isFinite(Number(value))
          ? `${Math.round(Number(value))} ms`
          : `over ${options.sampleIntervalMs} ms`;
        const reading =
          type === "eventLoopDelay"
            ? `event-loop delay ${delay}`
            : `heap in use ${Math.round(Number(value) / 2 ** 20)} MiB`;
        throw new OverloadedError(reading, RETRY_AFTER_SECONDS);
      },
    });
    app.addHook("onError", async (_request, _reply, error) => {
      if (error instanceof QueueFullError) metrics.shedRequests.inc({ reason: "queue_full" });
    });
  },
  { name: "vigil-load-shedding" },
);
