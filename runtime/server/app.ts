// The fastify application, assembled in request-path order: errors and metrics wrap everything,
// the OpenAPI generator sees every route registered after it, then the probes and the three
// APIs. It knows nothing about how the model or policy are loaded: it serves a RuntimeState.
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { classifyRoutes } from "../routes/classify.js";
import { moderationRoutes } from "../routes/moderations.js";
import { oipV2Routes } from "../routes/oip-v2.js";
import { probeRoutes } from "../routes/probes.js";
import { errorHandlerPlugin } from "./error-handler.js";
import type { RuntimeMetrics } from "./metrics.js";
import { metricsPlugin } from "./metrics.js";
import { openApiPlugin } from "./openapi.js";
import type { RuntimeState } from "./runtime-state.js";

export interface AppOptions {
  state: RuntimeState;
  metrics: RuntimeMetrics;
  /** The process logger (pino); request logs go through it. Omitted: no logging (tests). */
  logger?: FastifyBaseLogger;
  /** Largest accepted request body; larger ones get 413. */
  bodyLimitBytes?: number;
}

export async function buildApp({
  state,
  metrics,
  logger,
  bodyLimitBytes,
}: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: bodyLimitBytes ?? 1024 * 1024,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    // Reject what the schemas do not allow instead of silently dropping or converting it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  // Every API takes JSON; anything else is a 415, not a string body failing schema checks.
  app.removeContentTypeParser("text/plain");
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  await app.register(errorHandlerPlugin);
  await app.register(metricsPlugin, { metrics });
  await app.register(openApiPlugin, { version: state.options.serverVersion });
  await app.register(probeRoutes, { state });
  await app.register(classifyRoutes, { state });
  await app.register(moderationRoutes, { state });
  await app.register(oipV2Routes, { state });
  return app;
}
