// One Redis connection per pod, shared by the result cache and the rate limiter. Redis is an
// optimisation, never a dependency: commands fail fast while it is unreachable (no offline
// queue, no retries, a short command timeout) so callers fall back at once, and ioredis
// reconnects in the background with capped exponential backoff.
import { Redis } from "ioredis";

export interface RedisConnectionOptions {
  url: string;
  /** Longest one command may add to a request before it counts as failed. */
  commandTimeoutMs?: number;
  /** Called once per outage, with the first reason seen. */
  onDown?: (reason: string) => void;
  /** Called when the connection is (again) ready. */
  onUp?: () => void;
}

export class RedisConnection {
  readonly client: Redis;
  private down = false;

  constructor(options: RedisConnectionOptions) {
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 100,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
      lazyConnect: false,
    });
    const markDown = (why: string) => {
      if (!this.down) options.onDown?.(why);
      this.down = true;
    };
    // Without an 'error' listener ioredis would report every failed reconnect as unhandled.
    this.client.on("error", (err: Error) => markDown(err.message || err.name));
    this.client.on("close", () => markDown("connection closed"));
    this.client.on("ready", () => {
      this.down = false;
      options.onUp?.();
    });
  }

  /** Connected and accepting commands. */
  get up(): boolean {
    return this.client.status === "ready";
  }

  async close(): Promise<void> {
    // QUIT lets Redis finish what it has; a dead connection just gets cut.
    if (this.up) await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}
