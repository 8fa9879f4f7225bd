// Read side of the decision log: the review queue. Keyset pagination on the insertion
// sequence, so pages stay stable while new decisions arrive.
import pg from "pg";
import type { Action } from "../../crds/index.js";

export interface DecisionFilter {
  action?: Action;
  category?: string;
  since?: string;
  until?: string;
  /** true: only reviewed; false: only awaiting review. */
  reviewed?: boolean;
  limit: number;
  /** Opaque cursor from the previous page's `next`. */
  cursor?: string;
}

export interface StoredDecision {
  id: string;
  decidedAt: string;
  requestId: string;
  api: string;
  textSha256: string;
  textLength: number;
  text?: string;
  language: string;
  action: Action;
  categories: string[];
  reasons: unknown[];
  scores: Record<string, number>;
  model: { name: string; version: string };
  policy: { name: string; generation: number };
  clientId: string | null;
  latencyMs: number | null;
  cached: boolean;
  context: Record<string, unknown> | null;
  review: { action: Action; reviewer: string | null; note: string | null; reviewedAt: string } | null;
}

export interface ReviewInput {
  action: Action;
  reviewer?: string;
  note?: string;
}

export class InvalidCursorError extends Error {}

interface Row {
  id: string;
  seq: string;
  decided_at: Date;
  request_id: string;
  api: string;
  text_sha256: string;
  text_length: number;
  raw_text: string | null;
  language: string;
  action: Action;
  categories: string[];
  reasons: unknown[];
  scores: Record<string, number>;
  model_name: string;
  model_version: string;
  policy_name: string;
  policy_generation: string;
  client_id: string | null;
  latency_ms: number | null;
  cached: boolean;
  context: Record<string, unknown> | null;
  review_action: Action | null;
  reviewer: string | null;
  review_note: string | null;
  reviewed_at: Date | null;
}

function fromRow(r: Row): StoredDecision {
  return {
    id: r.id,
    decidedAt: r.decided_at.toISOString(),
    requestId: r.request_id,
    api: r.api,
    textSha256: r.text_sha256,
    textLength: r.text_length,
    ...(r.raw_text !== null ? { text: r.raw_text } : {}),
    language: r.language,
    action: r.action,
    categories: r.categories,
    reasons: r.reasons,
    scores: r.scores,
    model: { name: r.model_name, version: r.model_version },
    policy: { name: r.policy_name, generation: Number(r.policy_generation) },
    clientId: r.client_id,
    latencyMs: r.latency_ms,
    cached: r.cached,
    context: r.context,
    review: r.reviewed_at
      ? {
          action: r.review_action!,
          reviewer: r.reviewer,
          note: r.review_note,
          reviewedAt: r.reviewed_at.toISOString(),
        }
      : null,
  };
}

const encodeCursor = (seq: string) => Buffer.from(`seq:${seq}`).toString("base64url");

function decodeCursor(cursor: string): string {
  const match = /^seq:(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new InvalidCursorError("cursor is not one this server issued");
  return match[1]!;
}

export class DecisionQueries {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 2000 });
    this.pool.on("error", () => undefined); // surfaced on the next query instead
  }

  async list(filter: DecisionFilter): Promise<{ decisions: StoredDecision[]; next: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      args.push(value);
      where.push(sql.replace("?", `$${args.length}`));
    };
    if (filter.action) add("action = ?", filter.action);
    if (filter.category) add("categories @> ARRAY[?]::text[]", filter.category);
    if (filter.since) add("decided_at >= ?", filter.since);
    if (filter.until) add("decided_at < ?", filter.until);
    if (filter.reviewed !== undefined)
      where.push(filter.reviewed ? "reviewed_at IS NOT NULL" : "reviewed_at IS NULL");
    if (filter.cursor) add("seq < ?", decodeCursor(filter.cursor));
    args.push(filter.limit + 1);
    const sql = `SELECT * FROM vigil_decisions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY seq DESC LIMIT $${args.length}`;
    const { rows } = await this.pool.query<Row>(sql, args);
    const page = rows.slice(0, filter.limit);
    const more = rows.length > filter.limit;
    return { decisions: page.map(fromRow), next: more ? encodeCursor(page[page.length - 1]!.seq) : null };
  }

  async get(id: string): Promise<StoredDecision | undefined> {
    const { rows } = await this.pool.query<Row>("SELECT * FROM vigil_decisions WHERE id = $1", [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Records a human verdict; undefined when no decision has that id. */
  async review(id: string, input: ReviewInput): Promise<StoredDecision | undefined> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE vigil_decisions SET review_action = $2, reviewer = $3, review_note = $4, reviewed_at = now()
       WHERE id = $1 RETURNING *`,
      [id, input.action, input.reviewer ?? null, input.note ?? null],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
