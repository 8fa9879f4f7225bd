// The durable decision log. record() never waits on Postgres: records go into an in-memory
// buffer that a background loop writes in batches. While Postgres is down the buffer grows up
// to `maxBuffered` records and is written, in order, when it returns; only records arriving
// past that bound are dropped, and they are counted. Each record carries a client-side UUID
// and inserts are ON CONFLICT DO NOTHING, so retrying a batch whose commit was acknowledged
// too late never duplicates a decision. A record Postgres refuses as data (not an outage) is
// written around and counted as rejected, so one bad row can never hold the log up forever.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { DecisionRecord, DecisionSink } from "./decision-sink.js";
import { storableJson, storableText as storable } from "./storable-text.js";

/** What the log needs; the id, scores and latency are filled in when a caller has none. */
export type LoggedDecision = Omit<DecisionRecord, "id" | "scores" | "latencyMs"> &
  Partial<Pick<DecisionRecord, "id" | "scores" | "latencyMs">>;

export interface PostgresDecisionLogOptions {
  databaseUrl: string;
  /** Records per INSERT. */
  batchSize?: number;
  /** Longest a record waits in the buffer while Postgres is healthy. */
  flushIntervalMs?: number;
  /** Bound on buffered records while Postgres is unreachable; past it new records are dropped. */
  maxBuffered?: number;
  /** Longest wait between reconnect attempts while Postgres is down. */
  maxRetryDelayMs?: number;
  onError?: (message: string) => void;
}

export interface DecisionLogStats {
  buffered: number;
  dropped: number;
  /** Records Postgres refused as data (e.g. an invalid value); each is logged. */
  rejected: number;
  written: number;
  healthy: boolean;
  maxBuffered: number;
}

export const DEFAULT_MAX_BUFFERED = 100_000;

const COLUMNS = `id uuid, decided_at timestamptz, request_id text, api text, text_sha256 text, text_length int,
  raw_text text, language text, action text, categories text[], reasons jsonb, scores jsonb, model_name text,
  model_version text, policy_name text, policy_generation bigint, client_id text, latency_ms real,
  cached boolean, context jsonb, pod text`;
const NAMES = COLUMNS.split(",").map((c) => c.trim().split(/\s+/)[0]!);

const INSERT = `
  INSERT INTO vigil_decisions (${NAMES.join(", ")})
  SELECT ${NAMES.join(", ")}
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${COLUMNS})) WITH ORDINALITY AS r(${NAMES.join(", ")}, ord)
  ORDER BY ord
  ON CONFLICT (id) DO NOTHING`;

// Class 22 (data exception) and 23 (integrity constraint): the row is at fault, not the server.
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}

function toRow(d: LoggedDecision & { id: string }): Record<string, unknown> {
  const categories = d.reasons.flatMap((r) => ("category" in r ? [r.category] : []));
  return {
    id: d.id,
    decided_at: d.time,
    request_id: storable(d.requestId),
    api: d.api,
    text_sha256: d.textSha256,
    text_length: d.textLength,
    raw_text: d.rawText === undefined ? null : storable(d.rawText),
    language: d.language,
    action: d.action,
    categories,
    reasons: d.reasons,
    scores: d.scores ?? {},
    model_name: d.modelName,
    model_version: d.modelVersion,
    policy_name: d.policyName,
    policy_generation: d.policyGeneration,
    client_id: d.clientId === undefined ? null : storable(d.clientId),
    latency_ms: d.latencyMs ?? null,
    cached: d.cached,
    context: d.context === undefined ? null : storableJson(d.context),
    pod: d.pod ?? null,
  };
}

export class PostgresDecisionLog implements DecisionSink {
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly maxRetryDelayMs: number;
  private readonly onError: (message: string) => void;
  // A queue with a moving head: shifting a 100k-element array per batch would be quadratic.
  private buffer: Record<string, unknown>[] = [];
  private head = 0;
  private dropped = 0;
  private rejected = 0;
  private written = 0;
  private healthy = true;
  private failures = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: PostgresDecisionLogOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
    this.onError = options.onError ?? (() => undefined);
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 2,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 10_000,
    });
    // An idle client losing its server emits 'error' on the pool; unhandled, it would crash the process.
    this.pool.on("error", (err) => this.onError(`postgres connection lost: ${err.message}`));
    this.description = `Postgres decision log (batched, buffer bound ${this.maxBuffered} records)`;
    this.schedule(this.flushIntervalMs);
  }

  record(decision: LoggedDecision): void {
    if (this.closed) return;
    if (this.pending() >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push(toRow({ ...decision, id: decision.id ?? randomUUID() }));
    if (this.healthy && this.pending() >= this.batchSize) this.kick();
  }

  stats(): DecisionLogStats {
    return {
      buffered: this.pending(),
      dropped: this.dropped,
      rejected: this.rejected,
      written: this.written,
      healthy: this.healthy,
      maxBuffered: this.maxBuffered,
    };
  }

  /** Writes everything buffered, retrying until `deadlineMs` from now; stats().buffered is what was lost. */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const deadline = Date.now() + deadlineMs;
    while (this.pending() > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.pending() > 0 && !this.healthy) await new Promise((r) => setTimeout(r, 100));
    }
    const left = this.pending();
    if (left > 0) this.onError(`decision log closed with ${left} records unwritten (Postgres unreachable)`);
    await this.pool.end().catch(() => undefined);
  }

  /** Resolves when the buffer is empty (tests and shutdown). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending() > 0) {
      if (Date.now() > deadline) throw new Error(`decision log still holds ${this.pending()} records`);
      await this.flush();
      if (this.pending() > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  private pending(): number {
    return this.buffer.length - this.head;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.flush().finally(() => {
        const retryDelay = Math.min(this.maxRetryDelayMs, 100 * 2 ** Math.min(this.failures, 10));
        this.schedule(this.healthy ? this.flushIntervalMs : retryDelay);
      });
    }, ms);
    this.timer.unref();
  }

  private flush(): Promise<void> {
    this.flushing ??= this.writeBatches().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * Inserts a batch and returns how many rows Postgres accepted. If it refuses the batch as
   * data, the rows go in one by one and the bad ones are skipped (counted and logged).
   */
  private async insert(batch: Record<string, unknown>[]): Promise<number> {
    try {
      await this.pool.query(INSERT, [JSON.stringify(batch)]);
      return batch.length;
    } catch (err) {
      if (!isDataError(err)) throw err;
    }
    let accepted = 0;
    for (const row of batch) {
      try {
        await this.pool.query(INSERT, [JSON.stringify([row])]);
        accepted++;
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.rejected++;
        this.onError(`decision ${String(row.id)} rejected by Postgres: ${(err as Error).message}`);
      }
    }
    return accepted;
  }

  private async writeBatches(): Promise<void> {
    while (this.pending() > 0) {
      const batch = this.buffer.slice(this.head, this.head + this.batchSize);
      let accepted: number;
      try {
        accepted = await this.insert(batch);
      } catch (err) {
        if (this.healthy) this.onError(`decision log write failed, buffering: ${(err as Error).message}`);
        this.healthy = false;
        this.failures++;
        return;
      }
      this.head += batch.length;
      this.written += accepted;
      this.healthy = true;
      this.failures = 0;
      if (this.head > 10_000 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
    }
  }
}
