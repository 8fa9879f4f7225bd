// The optional second listener (VIGIL_METRICS_PORT): /metrics and the probes, no API and no
// credentials, so Prometheus and the kubelet can reach the pod on a port the public Service
// does not expose.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { probeRoutes } from "../routes/probes.js";
import { errorHandlerPlugin } from "./error-handler.js";
import { metricsRoute, type RuntimeMetrics } from "./metrics.js";
import { responseHeadersPlugin } from "./response-headers.js";
import type { RuntimeState } from "./runtime-state.js";

export async function buildOpsApp(
  state: RuntimeState,
  metrics: RuntimeMetrics,
  logger?: FastifyBaseLogger,
): Promise<FastifyInstance> {
  // Scrapes and probes every few seconds would drown the request log.
  const app: FastifyInstance = Fastify({
    ...(logger
      ? { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) }
      : { logger: false }),
  });
  await app.register(errorHandlerPlugin);
  await app.register(responseHeadersPlugin);
  await app.register(probeRoutes, { state });
  metricsRoute(app, metrics);
  return app;
}
