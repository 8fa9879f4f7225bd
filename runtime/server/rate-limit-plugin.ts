// Per-client rate limiting with @fastify/rate-limit: one fixed one-minute window per Principal
// across all API routes, counted in Redis when it is configured (so the limit holds across
// pods) and in this process otherwise or while Redis is down. Answers carry X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset; a 429 also carries Retry-After.
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { RateLimitedError } from "../errors.js";
import type { RedisConnection } from "../redis/redis-connection.js";
import { redisWithLocalFallback } from "../redis/rate-limit-store.js";
import type { RuntimeMetrics } from "./metrics.js";

export const RATE_LIMIT_WINDOW_MS = 60_000;

export interface RateLimitPluginOptions {
  perMinute: number;
  /** Shared counters; without it each pod counts on its own. */
  redis?: RedisConnection | undefined;
  metrics: RuntimeMetrics;
}

export const rateLimitPlugin = fp(
  async (app: FastifyInstance, { perMinute, redis, metrics }: RateLimitPluginOptions) => {
    await app.register(rateLimit, {
      global: true,
      max: perMinute,
      timeWindow: RATE_LIMIT_WINDOW_MS,
      hook: "onRequest",
      ...(redis
        ? {
            store: redisWithLocalFallback(redis, {
              onRedisError: () => metrics.redisErrors.inc({ operation: "rate_limit" }),
              onFallback: () => metrics.rateLimitLocalFallbacks.inc(),
            }),
          }
        : {}),
      // The auth hook ran first; the IP is only the key when auth is off.
      keyGenerator: (request) => request.principal?.id ?? `ip:${request.ip}`,
      onExceeded: () => metrics.rateLimited.inc(),
      errorResponseBuilder: (_request, context) =>
        new RateLimitedError(context.max, Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: "vigil-rate-limit" },
);
