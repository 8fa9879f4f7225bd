// The fastify application, assembled in request-path order. At the root: error rendering,
// response headers (request id, X-Process-Time, security headers), request metrics, the
// OpenAPI generator (it sees every route registered after it), then what must answer without
// credentials or shedding: the probes, OIP v2 health, /metrics (unless it has its own port).
// In the API scope, each request then passes load shedding -> authentication -> rate limit ->
// validation -> route. It knows nothing about how the model or policy are loaded: it serves a
// RuntimeState.
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { Authenticator } from "../auth/authenticator.js";
import type { DecisionQueries } from "../decisions/decision-queries.js";
import type { RedisConnection } from "../redis/redis-connection.js";
import { classifyRoutes } from "../routes/classify.js";
import { decisionRoutes } from "../routes/decisions.js";
import { moderationRoutes } from "../routes/moderations.js";
import { oipV2HealthRoutes, oipV2Routes } from "../routes/oip-v2.js";
import { probeRoutes } from "../routes/probes.js";
import { authPlugin } from "./auth-plugin.js";
import { clientErrorHandler } from "./client-errors.js";
import {
  applyConnectionLimits,
  connectionServerOptions,
  type ConnectionLimits,
} from "./connection-limits.js";
import { errorHandlerPlugin } from "./error-handler.js";
import { loadSheddingPlugin } from "./load-shedding.js";
import type { RuntimeMetrics } from "./metrics.js";
import { metricsPlugin } from "./metrics.js";
import { openApiPlugin } from "./openapi.js";
import { rateLimitPlugin } from "./rate-limit-plugin.js";
import { requestPreconditionsPlugin } from "./request-preconditions.js";
import { responseHeadersPlugin } from "./response-headers.js";
import type { RuntimeState } from "./runtime-state.js";

export interface LoadSheddingSettings {
  /** 0 disables the check. */
  maxEventLoopDelayMs: number;
  /** 0 disables the check. */
  maxHeapUsedBytes: number;
  sampleIntervalMs: number;
}

export interface AppOptions {
  state: RuntimeState;
  metrics: RuntimeMetrics;
  /** The process logger (pino); request logs go through it. Omitted: no logging (tests). */
  logger?: FastifyBaseLogger;
  /** Largest accepted request body; larger ones get 413. */
  bodyLimitBytes?: number;
  /** Omitted: auth off, every caller allowed (a local run). */
  authenticator?: Authenticator;
  /** Requests per minute per client; omitted: no limit. */
  rateLimitPerMinute?: number | undefined;
  /** Shares rate-limit counters between pods. */
  redis?: RedisConnection | undefined;
  /** Omitted: no event-loop/heap shedding (the batcher's queue bound still applies). */
  loadShedding?: LoadSheddingSettings | undefined;
  /** The review queue; omitted: /v1/decisions answers 404 (no Postgres). */
  decisionQueries?: DecisionQueries | undefined;
  /** false when /metrics is served on its own port (VIGIL_METRICS_PORT). */
  serveMetrics?: boolean;
  /** Timeouts and the connection bound; omitted: Node's defaults (tests that build an app only). */
  connectionLimits?: ConnectionLimits;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { state, metrics, logger } = options;
  const app: FastifyInstance = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    // Reject what the schemas do not allow instead of silently dropping or converting it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    clientErrorHandler,
    ...(options.connectionLimits && connectionServerOptions(options.connectionLimits)),
  });
  if (options.connectionLimits) applyConnectionLimits(app.server, options.connectionLimits);
  // Every API takes JSON; anything else is a 415, not a string body failing schema checks.
  app.removeContentTypeParser("text/plain");
  await app.register(errorHandlerPlugin);
  await app.register(requestPreconditionsPlugin);
  await app.register(responseHeadersPlugin, { draining: () => state.isDraining });
  await app.register(metricsPlugin, { metrics, serveEndpoint: options.serveMetrics ?? true });
  await app.register(openApiPlugin, { version: state.options.serverVersion });
  await app.register(probeRoutes, { state });
  await app.register(oipV2HealthRoutes, { state });

  await app.register(async (api) => {
    if (options.loadShedding) await api.register(loadSheddingPlugin, { ...options.loadShedding, metrics });
    await api.register(authPlugin, {
      authenticator: options.authenticator ?? Authenticator.disabled(),
      metrics,
    });
    if (options.rateLimitPerMinute !== undefined) {
      await api.register(rateLimitPlugin, {
        perMinute: options.rateLimitPerMinute,
        redis: options.redis,
        metrics,
      });
    }
    await api.register(classifyRoutes, { state });
    await api.register(moderationRoutes, { state });
    await api.register(oipV2Routes, { state });
    await api.register(decisionRoutes, { queries: options.decisionQueries });
  });
  return app;
}
