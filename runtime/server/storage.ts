// Where state lives, chosen from the configuration:
//   REDIS_URL     -> Redis result cache + shared rate-limit counters (one connection);
//                    otherwise an in-memory LRU and per-pod counters.
//   DATABASE_URL  -> Postgres decision log (buffered, batched) + the review queue, with the
//                    schema migrated on start and, while Postgres is unreachable, in the
//                    background until it succeeds (a pod never crash-loops on its database);
//                    otherwise decisions go to stdout (or nowhere).
// Neither dependency can fail a request: both degrade, and the readiness report says how.
import type { Logger } from "pino";
import { RedisResultCache } from "../cache/redis-result-cache.js";
import { DisabledResultCache, InMemoryResultCache, type ResultCache } from "../cache/result-cache.js";
import type { RuntimeConfig } from "../config.js";
import { DecisionQueries } from "../decisions/decision-queries.js";
import { DiscardingDecisionSink, StdoutDecisionSink, type DecisionSink } from "../decisions/decision-sink.js";
import { migrateDecisionLog } from "../decisions/migrate.js";
import { PostgresDecisionLog } from "../decisions/postgres-decision-log.js";
import { RedisConnection, redactUrl } from "../redis/redis-connection.js";
import { observeDecisionLog, type RuntimeMetrics } from "./metrics.js";
import type { DependencyReport } from "./runtime-state.js";

const MIGRATION_RETRY_MAX_MS = 30_000;

export class Storage {
  private migrationsApplied = false;
  private migrationTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly cache: ResultCache,
    readonly decisions: DecisionSink,
    readonly redis: RedisConnection | undefined,
    readonly queries: DecisionQueries | undefined,
    private readonly postgresLog: PostgresDecisionLog | undefined,
    private readonly log: Logger,
  ) {}

  static open(config: RuntimeConfig, metrics: RuntimeMetrics, log: Logger): Storage {
    let redis: RedisConnection | undefined;
    if (config.redisUrl) {
      metrics.redisUp.set(0);
      redis = new RedisConnection({
        url: config.redisUrl,
        commandTimeoutMs: config.redisCommandTimeoutMs,
        onDown: (why) => {
          metrics.redisUp.set(0);
          log.warn({ reason: why }, "redis unavailable: serving uncached, rate limits per pod");
        },
        onUp: () => {
          metrics.redisUp.set(1);
          log.info({ redis: redactUrl(config.redisUrl!) }, "redis connected");
        },
      });
    }

    let cache: ResultCache;
    if (config.cacheMaxEntries === 0) cache = new DisabledResultCache();
    else if (redis) {
      cache = new RedisResultCache({
        connection: redis,
        ttlMs: config.cacheTtlMs,
        onCommandError: (operation) => metrics.redisErrors.inc({ operation: `cache_${operation}` }),
      });
    } else cache = new InMemoryResultCache(config.cacheMaxEntries, config.cacheTtlMs);

    let decisions: DecisionSink;
    let postgresLog: PostgresDecisionLog | undefined;
    let queries: DecisionQueries | undefined;
    if (config.databaseUrl) {
      postgresLog = new PostgresDecisionLog({
        databaseUrl: config.databaseUrl,
        maxBuffered: config.decisionBufferMax,
        onError: (message) => log.warn(message),
      });
      observeDecisionLog(metrics, postgresLog);
      decisions = postgresLog;
      queries = new DecisionQueries(config.databaseUrl);
    } else if (config.decisionLog === "stdout") {
      decisions = new StdoutDecisionSink(undefined, config.logRawText);
    } else {
      decisions = new DiscardingDecisionSink();
    }
    const storage = new Storage(cache, decisions, redis, queries, postgresLog, log);
    if (config.databaseUrl) storage.migrate(config.databaseUrl, 1000);
    return storage;
  }

  /** The start-up line that says where state lives (and that it is local when it is). */
  describe(config: RuntimeConfig): string {
    const where = `result cache ${this.cache.description}; ${this.decisions.description}`;
    if (!config.redisUrl && !config.databaseUrl) return `no Redis/Postgres configured: ${where}`;
    const parts = [
      config.redisUrl ? `Redis ${redactUrl(config.redisUrl)}` : "no Redis (cache and rate limits per pod)",
      config.databaseUrl ? `Postgres ${redactUrl(config.databaseUrl)}` : "no Postgres (no review queue)",
    ];
    return `${parts.join(", ")}: ${where}`;
  }

  dependencies(): DependencyReport {
    const report: DependencyReport = {};
    if (this.redis) report.redis = { connected: this.redis.up };
    if (this.postgresLog) {
      const stats = this.postgresLog.stats();
      report.postgres = {
        healthy: stats.healthy && this.migrationsApplied,
        migrations: this.migrationsApplied ? "applied" : "pending",
        buffered: stats.buffered,
        dropped: stats.dropped,
        maxBuffered: stats.maxBuffered,
      };
    }
    return report;
  }

  /** Flushes the decision buffer (bounded by `deadlineMs`) and closes every connection. */
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.migrationTimer);
    await this.decisions.close(deadlineMs);
    await Promise.all([
      this.cache.close?.(),
      this.queries?.close().catch(() => undefined),
      this.redis?.close(),
    ]);
  }

  private migrate(databaseUrl: string, retryMs: number): void {
    migrateDecisionLog(databaseUrl)
      .then(({ applied }) => {
        this.migrationsApplied = true;
        this.log.info(
          { applied },
          applied.length ? "decision log schema migrated" : "decision log schema up to date",
        );
      })
      .catch((error: unknown) => {
        if (this.closed) return;
        this.log.warn(
          { error: error instanceof Error ? error.message : String(error), retryMs },
          "decision log migrations failed; buffering decisions and retrying",
        );
        this.migrationTimer = setTimeout(
          () => this.migrate(databaseUrl, Math.min(retryMs * 2, MIGRATION_RETRY_MAX_MS)),
          retryMs,
        );
        this.migrationTimer.unref();
      });
  }
}
