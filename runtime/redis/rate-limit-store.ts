// The store behind @fastify/rate-limit: the plugin's own Redis store (one fixed-window counter
// per client, shared by every pod), falling back to the plugin's in-process store whenever
// Redis cannot answer. A Redis outage then means per-pod limits, never an unlimited API and
// never a 5xx. Counts kept locally during an outage are not merged back: limits are
// approximate for at most one window after Redis returns.
import { createRequire } from "node:module";
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { RedisConnection } from "./redis-connection.js";

type Callback = Parameters<FastifyRateLimitStore["incr"]>[1];
type Result = { current: number; ttl: number };

interface PluginStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: Result) => void,
    timeWindow: number,
    max: number,
  ): void;
}

// The plugin ships both stores without type declarations or an export map entry.
const require = createRequire(import.meta.url);
const RedisStore = require("@fastify/rate-limit/store/RedisStore.js") as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: unknown,
  keyPrefix: string,
) => PluginStore;
const LocalStore = require("@fastify/rate-limit/store/LocalStore.js") as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cacheSize?: number,
) => PluginStore;

export const RATE_LIMIT_KEY_PREFIX = "vigil:ratelimit:";

export interface FallbackStoreEvents {
  /** A Redis command failed (the local store answered instead). */
  onRedisError?: (error: Error) => void;
  /** The local store answered because Redis was not connected or failed. */
  onFallback?: () => void;
}

/** A store class for the plugin's `store` option (the plugin constructs it). */
export function redisWithLocalFallback(
  connection: RedisConnection,
  events: FallbackStoreEvents = {},
): FastifyRateLimitStoreCtor {
  class RedisWithLocalFallback implements FastifyRateLimitStore {
    private readonly redis = new RedisStore(false, false, connection.client, RATE_LIMIT_KEY_PREFIX);
    private readonly local = new LocalStore(false, false, 10_000);

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      const local = () => {
        events.onFallback?.();
        this.local.incr(key, callback, timeWindow, max);
      };
      // Skip the round trip (and its timeout) while the connection is known to be down.
      if (!connection.up) return local();
      this.redis.incr(
        key,
        (error, result) => {
          if (error || !result) {
            if (error) events.onRedisError?.(error);
            return local();
          }
          callback(null, result);
        },
        timeWindow,
        max,
      );
    }

    // One limit per client across routes: route-specific stores are never created.
    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return RedisWithLocalFallback;
}
