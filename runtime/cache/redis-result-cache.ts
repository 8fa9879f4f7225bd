// The result cache shared by all pods of a service. Redis is an optimisation, never a
// dependency: commands fail fast while it is unreachable (no offline queue, short command
// timeout), a failure reads as a miss, and ioredis reconnects in the background.
import { Redis } from "ioredis";
import type { CachedResult, ResultCache } from "./result-cache.js";

export interface RedisResultCacheOptions {
  url: string;
  ttlMs: number;
  /** Longest a cache lookup may add to a request. */
  commandTimeoutMs?: number;
  onError?: (message: string) => void;
}

export interface RedisHealth {
  connected: boolean;
  errors: number;
}

export class RedisResultCache implements ResultCache {
  readonly description: string;
  readonly client: Redis;
  private readonly ttlMs: number;
  private errors = 0;
  private reportedDown = false;

  constructor(options: RedisResultCacheOptions) {
    this.ttlMs = options.ttlMs;
    const onError = options.onError ?? (() => undefined);
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 50,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
      lazyConnect: false,
    });
    const down = (why: string) => {
      if (!this.reportedDown) onError(`redis unavailable, serving uncached: ${why}`);
      this.reportedDown = true;
    };
    this.client.on("error", (err: Error) => down(err.message));
    this.client.on("close", () => down("connection closed"));
    this.client.on("ready", () => {
      this.reportedDown = false;
    });
    this.description = `Redis result cache (TTL ${Math.round(this.ttlMs / 1000)}s)`;
  }

  async get(key: string): Promise<CachedResult | undefined> {
    try {
      const raw = await this.client.get(key);
      return raw ? (JSON.parse(raw) as CachedResult) : undefined;
    } catch {
      this.errors++;
      return undefined;
    }
  }

  async set(key: string, value: CachedResult): Promise<void> {
    try {
      await this.client.set(key, JSON.stringify(value), "PX", this.ttlMs);
    } catch {
      this.errors++;
    }
  }

  health(): RedisHealth {
    return { connected: this.client.status === "ready", errors: this.errors };
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
