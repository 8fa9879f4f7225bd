import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
import { startPostgres, waitFor, type TestPostgres } from "../harness/index.js";
import { migrateDecisionLog } from "../../runtime/decisions/migrate.js";
import { PostgresDecisionLog, type LoggedDecision } from "../../runtime/decisions/postgres-decision-log.js";
import { DecisionQueries, InvalidCursorError } from "../../runtime/decisions/decision-queries.js";
import type { Action } from "../../crds/index.js";

let db: TestPostgres;
let admin: pg.Pool;

beforeAll(async () => {
  db = await startPostgres();
  admin = new pg.Pool({ connectionString: db.url, max: 1 });
  admin.on("error", () => undefined);
});
afterAll(async () => {
  await admin?.end();
  await db?.close();
});

function decision(i: number, action: Action = "allow", category?: string): LoggedDecision {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    requestId: `req-${i}`,
    api: "classify",
    textSha256: i.toString(16).padStart(64, "0"),
    textLength: 10 + i,
    language: "en",
    action,
    reasons: category ? [{ category, score: 0.91, threshold: 0.9, action }] : [],
    modelName: "vigil-default",
    modelVersion: "1.0.0",
    policyName: "comments",
    policyGeneration: 3,
    cached: false,
    scores: { toxicity: 0.1 },
    clientId: "client-a",
    latencyMs: 4.5,
  };
}

async function requestIds(): Promise<string[]> {
  const { rows } = await admin.query<{ request_id: string }>(
    "SELECT request_id FROM vigil_decisions ORDER BY seq",
  );
  return rows.map((r) => r.request_id);
}

describe("decision log migrations", () => {
  it("create the table once and are idempotent", async () => {
    const first = await migrateDecisionLog(db.url);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await migrateDecisionLog(db.url);
    expect(second.applied).toEqual([]);
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM vigil_decisions");
    expect(rows[0].n).toBe(0);
  });
});

describe("PostgresDecisionLog", () => {
  beforeAll(async () => {
    await migrateDecisionLog(db.url);
  });
  beforeEach(async () => {
    await admin.query("TRUNCATE vigil_decisions");
  });

  it("writes every record, in order, in batches", async () => {
    const log = new PostgresDecisionLog({ databaseUrl: db.url, batchSize: 64 });
    for (let i = 0; i < 1000; i++) log.record(decision(i));
    await log.drain();
    expect(await requestIds()).toEqual(Array.from({ length: 1000 }, (_, i) => `req-${i}`));
    expect(log.stats()).toMatchObject({ buffered: 0, dropped: 0, written: 1000, healthy: true });
    await log.close();
  });

  it.skipIf(!!process.env.DATABASE_URL)(
    "buffers while Postgres is down and loses nothing when it returns",
    async () => {
      const log = new PostgresDecisionLog({ databaseUrl: db.url, batchSize: 50, maxRetryDelayMs: 200 });
      for (let i = 0; i < 100; i++) log.record(decision(i));
      await log.drain();
      await db.stop();
      for (let i = 100; i < 400; i++) log.record(decision(i));
      await waitFor("the log to notice the outage", async () => !log.stats().healthy);
      expect(log.stats().buffered).toBe(300);
      await db.start();
      await log.drain();
      expect(await requestIds()).toEqual(Array.from({ length: 400 }, (_, i) => `req-${i}`));
      expect(log.stats()).toMatchObject({ dropped: 0, healthy: true });
      await log.close();
    },
  );

  it.skipIf(!!process.env.DATABASE_URL)("drops only past its bound, and counts what it drops", async () => {
    const log = new PostgresDecisionLog({ databaseUrl: db.url, maxBuffered: 50, maxRetryDelayMs: 200 });
    await db.stop();
    try {
      for (let i = 0; i < 80; i++) log.record(decision(i));
      expect(log.stats()).toMatchObject({ buffered: 50, dropped: 30, maxBuffered: 50 });
    } finally {
      await db.start();
    }
    await log.drain();
    expect(await requestIds()).toEqual(Array.from({ length: 50 }, (_, i) => `req-${i}`));
    await log.close();
  });

  it("writes around a record Postgres refuses as data, counting it, instead of stalling the log", async () => {
    const errors: string[] = [];
    const log = new PostgresDecisionLog({ databaseUrl: db.url, onError: (m) => errors.push(m) });
    log.record(decision(1));
    // Violates the action CHECK constraint: no retry can ever write it.
    log.record({ ...decision(2), action: "escalate" as Action });
    log.record(decision(3));
    await log.drain();
    expect(await requestIds()).toEqual(["req-1", "req-3"]);
    expect(log.stats()).toMatchObject({ buffered: 0, rejected: 1, written: 2, healthy: true });
    expect(errors).toEqual([expect.stringMatching(/^decision .+ rejected by Postgres: .*check constraint/)]);
    await log.close();
  });

  it("stores user-supplied strings Postgres cannot hold (NUL, lone surrogates) with U+FFFD", async () => {
    const log = new PostgresDecisionLog({ databaseUrl: db.url });
    log.record({ ...decision(1), rawText: "a\u0000b\ud83d", context: { "k\u0000": ["\udc00x"] } });
    await log.drain();
    const { rows } = await admin.query("SELECT raw_text, context FROM vigil_decisions");
    expect(rows).toEqual([{ raw_text: "a\uFFFDb\uFFFD", context: { "k\uFFFD": ["\uFFFDx"] } }]);
    expect(log.stats().rejected).toBe(0);
    await log.close();
  });

  it("does not duplicate a record written twice (retry after a lost acknowledgement)", async () => {
    const log = new PostgresDecisionLog({ databaseUrl: db.url });
    const d = { ...decision(1), id: "5f0c1c3e-8f0a-4a57-9d62-0d7f1a0b9e11" };
    log.record(d);
    log.record(d);
    await log.drain();
    expect(await requestIds()).toEqual(["req-1"]);
    await log.close();
  });
});

describe("DecisionQueries (review queue)", () => {
  let queries: DecisionQueries;
  beforeAll(async () => {
    await migrateDecisionLog(db.url);
    await admin.query("TRUNCATE vigil_decisions");
    const log = new PostgresDecisionLog({ databaseUrl: db.url });
    for (let i = 0; i < 25; i++) {
      const action: Action = i % 5 === 0 ? "review" : i % 3 === 0 ? "block" : "allow";
      log.record(decision(i, action, action === "allow" ? undefined : i % 2 ? "threat" : "toxicity"));
    }
    await log.drain();
    await log.close();
    queries = new DecisionQueries(db.url);
  });
  afterAll(async () => {
    await queries?.close();
  });

  it("pages through all decisions newest first with a stable cursor", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await queries.list({ limit: 7, cursor });
      seen.push(...page.decisions.map((d) => d.requestId));
      if (!page.next) break;
      cursor = page.next;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `req-${24 - i}`));
  });

  it("filters by action, category and time", async () => {
    const review = await queries.list({ limit: 100, action: "review" });
    expect(review.decisions.map((d) => d.requestId)).toEqual([
      "req-20",
      "req-15",
      "req-10",
      "req-5",
      "req-0",
    ]);
    const threat = await queries.list({ limit: 100, category: "threat" });
    expect(threat.decisions.every((d) => d.categories.includes("threat"))).toBe(true);
    expect(threat.decisions.length).toBeGreaterThan(0);
    const window = await queries.list({
      limit: 100,
      since: "2026-01-01T00:00:10Z",
      until: "2026-01-01T00:00:12Z",
    });
    expect(window.decisions.map((d) => d.requestId)).toEqual(["req-11", "req-10"]);
  });

  it("records a review and takes it out of the pending queue", async () => {
    const pending = await queries.list({ limit: 100, action: "review", reviewed: false });
    const target = pending.decisions[0]!;
    const reviewed = await queries.review(target.id, {
      action: "block",
      reviewer: "alice",
      note: "clear threat",
    });
    expect(reviewed?.review).toMatchObject({ action: "block", reviewer: "alice", note: "clear threat" });
    const after = await queries.list({ limit: 100, action: "review", reviewed: false });
    expect(after.decisions.map((d) => d.id)).not.toContain(target.id);
    expect(after.decisions.length).toBe(pending.decisions.length - 1);
  });

  it("returns nothing for an unknown id and rejects a forged cursor", async () => {
    expect(await queries.review("00000000-0000-4000-8000-000000000000", { action: "allow" })).toBeUndefined();
    await expect(queries.list({ limit: 5, cursor: "bm90LWEtY3Vyc29y" })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });
});
