// Every Prometheus metric the runtime exports, on its own Registry (no global state, so tests
// can run several servers in one process), and the fastify plugin that times requests and
// serves GET /metrics. Route labels use the route template (/v2/models/:model/infer), never the
// raw URL, to keep cardinality bounded.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class RuntimeMetrics {
  readonly registry = new Registry();
  /** Run before each scrape, for values read from other components (e.g. decision log stats). */
  readonly beforeScrape: (() => void)[] = [];

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

  readonly windowsPerText = new Histogram({
    name: "vigil_windows_per_text",
    help: "Windows a text was scored in: 1 when it fits the model's limit, more for long texts.",
    buckets: [1, 2, 4, 8, 16, 32],
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

  readonly redisUp = new Gauge({
    name: "vigil_redis_up",
    help: "1 while the Redis connection is ready; 0 while the pod serves uncached with local rate limits. Absent without REDIS_URL.",
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: "vigil_redis_errors_total",
    help: "Redis commands that failed or timed out, by operation (cache_get, cache_set, rate_limit); each was answered without Redis.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: "vigil_rate_limited_requests_total",
    help: "Requests answered 429 because their client exceeded its per-minute limit.",
    registers: [this.registry],
  });

  readonly rateLimitLocalFallbacks = new Counter({
    name: "vigil_rate_limit_local_decisions_total",
    help: "Rate-limit checks answered by this pod's local counters because Redis was unavailable.",
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: "vigil_auth_failures_total",
    help: "Requests refused by authentication (401) or authorisation (403), by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly shedRequests = new Counter({
    name: "vigil_shed_requests_total",
    help: "Requests answered 503 to shed load, by reason (eventLoopDelay, heapUsedBytes, queue_full).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly decisionLogBuffered = new Gauge({
    name: "vigil_decision_log_buffered",
    help: "Decisions waiting in memory to be written to Postgres (grows while Postgres is down).",
    registers: [this.registry],
  });

  readonly decisionLogCapacity = new Gauge({
    name: "vigil_decision_log_buffer_capacity",
    help: "Bound on buffered decisions (VIGIL_DECISION_BUFFER_MAX); past it new decisions are dropped.",
    registers: [this.registry],
  });

  readonly decisionLogDropped = new Counter({
    name: "vigil_decision_log_dropped_total",
    help: "Decisions dropped because the buffer was full while Postgres was down.",
    registers: [this.registry],
  });

  readonly decisionLogRejected = new Counter({
    name: "vigil_decision_log_rejected_total",
    help: "Decisions Postgres refused as invalid data; each is logged.",
    registers: [this.registry],
  });

  readonly decisionLogWritten = new Counter({
    name: "vigil_decision_log_written_total",
    help: "Decisions written to Postgres.",
    registers: [this.registry],
  });

  readonly decisionLogUp = new Gauge({
    name: "vigil_decision_log_up",
    help: "1 while the last write to Postgres succeeded; 0 while decisions are being buffered.",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "vigil_" });
  }

  /**
   * Runs `refresh` before every scrape until the returned function is called: for values that
   * are cheaper to read once per scrape than to publish on every change (a queue's depth).
   */
  refreshOnScrape(refresh: () => void): () => void {
    this.beforeScrape.push(refresh);
    return () => {
      const at = this.beforeScrape.indexOf(refresh);
      if (at >= 0) this.beforeScrape.splice(at, 1);
    };
  }
}

/** The decision log's counters, read at scrape time. */
export interface DecisionLogStatsSource {
  stats(): {
    buffered: number;
    dropped: number;
    rejected: number;
    written: number;
    healthy: boolean;
    maxBuffered: number;
  };
}

/** Publishes the Postgres decision log's stats on every scrape. */
export function observeDecisionLog(metrics: RuntimeMetrics, log: DecisionLogStatsSource): void {
  // The log keeps running totals; counters only go up, so publish the growth since last time.
  const published = { dropped: 0, rejected: 0, written: 0 };
  const advance = (counter: Counter, key: keyof typeof published, total: number) => {
    if (total > published[key]) counter.inc(total - published[key]);
    published[key] = total;
  };
  const refresh = () => {
    const s = log.stats();
    metrics.decisionLogBuffered.set(s.buffered);
    metrics.decisionLogCapacity.set(s.maxBuffered);
    advance(metrics.decisionLogDropped, "dropped", s.dropped);
    advance(metrics.decisionLogRejected, "rejected", s.rejected);
    advance(metrics.decisionLogWritten, "written", s.written);
    metrics.decisionLogUp.set(s.healthy ? 1 : 0);
  };
  refresh();
  metrics.refreshOnScrape(refresh);
}

/** Serves the registry (GET /metrics), refreshing values that are read at scrape time. */
export function metricsRoute(app: FastifyInstance, metrics: RuntimeMetrics): void {
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    for (const refresh of metrics.beforeScrape) refresh();
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

/** Times every request; serves GET /metrics too unless it lives on a separate port. */
export const metricsPlugin = fp(
  async (
    app: FastifyInstance,
    { metrics, serveEndpoint = true }: { metrics: RuntimeMetrics; serveEndpoint?: boolean },
  ) => {
    // Callback-style (not async) hook: it runs on every request, and a promise per hook shows.
    app.addHook("onResponse", (request, reply, done) => {
      const route = request.routeOptions.url ?? "unmatched";
      const labels = { route, method: request.method, code: String(reply.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
    if (serveEndpoint) metricsRoute(app, metrics);
  },
  { name: "vigil-metrics" },
);
