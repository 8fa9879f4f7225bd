// The result cache shared by all pods of a service. A Redis failure (down, slow, evicted)
// reads as a miss and a failed write is forgotten: the request is served uncached, never
// failed. The connection (runtime/redis) fails fast and reconnects in the background.
import type { Redis } from "ioredis";
import { RedisConnection } from "../redis/redis-connection.js";
import type { CachedResult, ResultCache } from "./result-cache.js";

export interface RedisResultCacheOptions {
  ttlMs: number;
  /** A shared connection (the runtime's); the cache then leaves closing it to its owner. */
  connection?: RedisConnection;
  /** Without a shared connection: the cache opens and owns one to this URL. */
  url?: string;
  /** Longest a cache lookup may add to a request (own connection only). */
  commandTimeoutMs?: number;
  /** Outage reports of an own connection. */
  onError?: (message: string) => void;
  /** Every failed command (for metrics). */
  onCommandError?: (operation: "get" | "set") => void;
}

export interface RedisHealth {
  connected: boolean;
  errors: number;
}

export class RedisResultCache implements ResultCache {
  readonly description: string;
  private readonly connection: RedisConnection;
  private readonly ownsConnection: boolean;
  private readonly ttlMs: number;
  private readonly onCommandError: (operation: "get" | "set") => void;
  private errors = 0;

  constructor(options: RedisResultCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.onCommandError = options.onCommandError ?? (() => undefined);
    if (options.connection) {
      this.connection = options.connection;
      this.ownsConnection = false;
    } else {
      if (!options.url) throw new Error("RedisResultCache needs a connection or a url");
      const onError = options.onError ?? (() => undefined);
      this.connection = new RedisConnection({
        url: options.url,
        commandTimeoutMs: options.commandTimeoutMs ?? 50,
        onDown: (why) => onError(`redis unavailable, serving uncached: ${why}`),
      });
      this.ownsConnection = true;
    }
    this.description = `Redis result cache (TTL ${Math.round(this.ttlMs / 1000)}s)`;
  }

  get client(): Redis {
    return this.connection.client;
  }

  async get(key: string): Promise<CachedResult | undefined> {
    try {
      const raw = await this.client.get(key);
      return raw ? (JSON.parse(raw) as CachedResult) : undefined;
    } catch {
      this.failed("get");
      return undefined;
    }
  }

  async set(key: string, value: CachedResult): Promise<void> {
    try {
      await this.client.set(key, JSON.stringify(value), "PX", this.ttlMs);
    } catch {
      this.failed("set");
    }
  }

  health(): RedisHealth {
    return { connected: this.connection.up, errors: this.errors };
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private failed(operation: "get" | "set"): void {
    this.errors++;
    this.onCommandError(operation);
  }
}
