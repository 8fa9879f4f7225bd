// Every Prometheus metric the runtime exports, on its own Registry (no global state, so tests
// can run several servers in one process), and the fastify plugin that times requests and
// serves GET /metrics. Route labels use the route template (/v2/models/:model/infer), never the
// raw URL, to keep cardinality bounded.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class RuntimeMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: "vigil_http_requests_total",
    help: "HTTP requests by route template, method and status code.",
    labelNames: ["route", "method", "code"] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: "vigil_http_request_duration_seconds",
    help: "HTTP request latency by route template, method and status code.",
    labelNames: ["route", "method", "code"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly inferenceDuration = new Histogram({
    name: "vigil_inference_duration_seconds",
    help: "Time one batch spends in the model (tokenisation + onnxruntime session.run), per batch.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: "vigil_batch_size",
    help: "Texts per inference batch formed by the dynamic batcher.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: "vigil_queue_depth",
    help: "Texts waiting in the batcher queue for a free inference worker.",
    registers: [this.registry],
  });

  readonly queueRejections = new Counter({
    name: "vigil_queue_rejections_total",
    help: "Texts rejected with 503 because the batcher queue was full.",
    registers: [this.registry],
  });

  readonly cacheHits = new Counter({
    name: "vigil_cache_hits_total",
    help: "Result cache hits.",
    registers: [this.registry],
  });

  readonly cacheMisses = new Counter({
    name: "vigil_cache_misses_total",
    help: "Result cache misses.",
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: "vigil_decisions_total",
    help: "Decisions by action and by the category (or term list) of their strictest reason; 'none' when the default action applied.",
    labelNames: ["action", "category"] as const,
    registers: [this.registry],
  });

  readonly policyGeneration = new Gauge({
    name: "vigil_policy_generation",
    help: "metadata.generation of the Policy this pod applies.",
    labelNames: ["policy"] as const,
    registers: [this.registry],
  });

  readonly policyReloadFailures = new Counter({
    name: "vigil_policy_reload_failures_total",
    help: "Policy file revisions rejected as invalid (the previous policy stays in force).",
    registers: [this.registry],
  });

  readonly policyValid = new Gauge({
    name: "vigil_policy_file_valid",
    help: "1 when the policy file on disk is the policy in force, 0 while a newer revision is rejected.",
    registers: [this.registry],
  });

  readonly modelInfo = new Gauge({
    name: "vigil_model_info",
    help: "Always 1; labels describe the loaded model.",
    labelNames: ["model", "version", "provider", "labels", "max_length"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "vigil_" });
  }
}

declare module "fastify" {
  interface FastifyRequest {
    metricsStart?: bigint;
  }
}

/** Times every request and serves the registry at GET /metrics. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, { metrics }: { metrics: RuntimeMetrics }) => {
    app.addHook("onRequest", async (request) => {
      request.metricsStart = process.hrtime.bigint();
    });
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "unmatched";
      const labels = { route, method: request.method, code: String(reply.statusCode) };
      metrics.httpRequests.inc(labels);
      if (request.metricsStart !== undefined) {
        metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - request.metricsStart) / 1e9);
      }
    });
    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: "vigil-metrics" },
);
