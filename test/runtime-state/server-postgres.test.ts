// The runtime with a real Postgres: schema migrated on start (and by `vigil-runtime migrate`,
// idempotently), every decision logged with what a reviewer needs (text hash, not the text,
// unless configured), the review queue over HTTP, Postgres killed under load with every
// decision in the table after it returns, and a start while Postgres is down.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { startPostgres, waitFor, type TestPostgres } from "../harness/index.js";
import { makeTempDir, startTestRuntime } from "../runtime/support/runtime.js";
import { call, runCli, sample, writeApiKeys } from "./support.js";

const APP_KEY = "pg-app-key-0a1b2c3d4e";
const REVIEW_KEY = "pg-review-key-5f6a7b8c9d";
// Every text is reviewed for toxicity (threshold 0), "kys" is blocked by term, and German texts
// also meet an insult threshold: three actions and categories the model's weights cannot change.
const POLICY = `
apiVersion: moderation.vigil.dev/v1alpha1
kind: Policy
metadata: { name: review-policy, generation: 4 }
spec:
  categories:
    toxicity: { review: 0 }
  terms:
    block: ["kys"]
  languages:
    de:
      categories:
        insult: { flag: 0 }
`;

let db: TestPostgres;
let admin: pg.Pool;
let runtime: RunningRuntime;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let env: Record<string, string>;

beforeAll(async () => {
  db = await startPostgres();
  admin = new pg.Pool({ connectionString: db.url, max: 2 });
  admin.on("error", () => undefined);
  await admin.query("DROP TABLE IF EXISTS vigil_decisions, vigil_migrations");
  temp = await makeTempDir();
  const policyFile = path.join(temp.dir, "policy.yaml");
  await writeFile(policyFile, POLICY);
  const keysDir = path.join(temp.dir, "keys");
  await writeApiKeys(keysDir, { app: APP_KEY, "alice.review": REVIEW_KEY });
  env = {
    DATABASE_URL: db.url,
    VIGIL_POLICY_FILE: policyFile,
    VIGIL_API_KEYS_DIR: keysDir,
    VIGIL_MODEL_VERSION: "2.0.1",
  };
  runtime = await startTestRuntime(env);
  await waitFor(
    "migrations on start",
    async () => runtime.state.readiness().dependencies.postgres?.migrations === "applied",
  );
});
afterAll(async () => {
  await runtime?.stop({ drainDelay: false });
  await admin?.end();
  await db?.close();
  await temp?.remove();
});

const asApp = { "x-api-key": APP_KEY };
const asReviewer = { "x-api-key": REVIEW_KEY };

async function classify(body: Record<string, unknown>, target: RunningRuntime = runtime) {
  const res = await call(target.url, "POST", "/v1/classify", { json: body, headers: asApp });
  expect(res.status).toBe(200);
  return res.body;
}

async function flushed(target: RunningRuntime = runtime): Promise<void> {
  await waitFor(
    "the decision buffer to drain",
    async () => target.storage.dependencies().postgres?.buffered === 0,
  );
}

async function count(where: string, args: unknown[] = []): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM vigil_decisions WHERE ${where}`,
    args,
  );
  return rows[0]!.n;
}

describe("migrations", () => {
  it("ran on start, and `vigil-runtime migrate` applies them once and is idempotent", async () => {
    const { rows } = await admin.query("SELECT name FROM vigil_migrations");
    expect(rows.map((r) => r.name)).toEqual(["1763800000000_decision-log"]);

    await admin.query("DROP DATABASE IF EXISTS fresh");
    await admin.query("CREATE DATABASE fresh");
    const fresh = db.url.replace(/\/postgres$/, "/fresh");
    const [applied, unset, unreachable] = await Promise.all([
      runCli(["migrate"], { DATABASE_URL: fresh }),
      runCli(["migrate"], {}),
      runCli(["migrate"], { DATABASE_URL: "postgres://vigil:vigil@127.0.0.1:1/none" }),
    ]);
    expect(applied).toMatchObject({
      code: 0,
      stdout: "applied 1 migration(s): 1763800000000_decision-log\n",
    });
    expect(unset).toMatchObject({
      code: 2,
      stderr: "vigil-runtime: DATABASE_URL is not set: nothing to migrate\n",
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^vigil-runtime: migration failed: .+\n$/);
    expect(unreachable.stderr.split("\n")).toHaveLength(2);
    const again = await runCli(["migrate"], { DATABASE_URL: fresh });
    expect(again).toMatchObject({ code: 0, stdout: "schema up to date\n" });
  });
});

describe("decision log", () => {
  it("records each decision with hash, scores, action, categories, language, versions, client and latency", async () => {
    const texts = ["kys right now", "ein ganz normaler Satz"];
    const body = await classify({ texts, context: { contentId: "post-1", userId: 42 } });
    const ids: string[] = body.results.map((r: { decision_id: string }) => r.decision_id);
    await flushed();
    const { rows } = await admin.query("SELECT * FROM vigil_decisions WHERE id = ANY($1) ORDER BY seq", [
      ids,
    ]);
    expect(rows).toHaveLength(2);
    const [blocked, german] = rows;
    expect(blocked).toMatchObject({
      text_sha256: createHash("sha256").update(texts[0]!).digest("hex"),
      text_length: texts[0]!.length,
      raw_text: null,
      action: "block",
      categories: ["toxicity"],
      model_version: "2.0.1",
      policy_name: "review-policy",
      policy_generation: "4",
      client_id: "key:app",
      api: "classify",
      context: { contentId: "post-1", userId: 42 },
      cached: false,
    });
    expect(blocked.latency_ms).toBeGreaterThan(0);
    // jsonb keeps its own key order
    expect(blocked.scores).toEqual(body.results[0].scores);
    expect(blocked.reasons).toContainEqual({ term: "kys", list: "block", action: "block" });
    expect(german).toMatchObject({ language: "de", action: "review" });
    expect(german.categories.sort()).toEqual(["insult", "toxicity"]);
    expect(JSON.stringify(rows)).not.toContain("right now");

    const one = await call(runtime.url, "GET", `/v1/decisions/${ids[0]}`, { headers: asReviewer });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: ids[0],
      action: "block",
      client_id: "key:app",
      model: { name: runtime.state.model.name, version: "2.0.1" },
      policy: { name: "review-policy", generation: 4 },
      review: null,
    });
    expect(one.body).not.toHaveProperty("text");
  });

  it("stores raw text only when VIGIL_LOG_RAW_TEXT is set, made storable (NUL, lone surrogates)", async () => {
    const withText = await startTestRuntime({ ...env, VIGIL_LOG_RAW_TEXT: "true" });
    try {
      const text = "raw \u0000 text \ud800 kept";
      const body = await classify({ text }, withText);
      await flushed(withText);
      const { rows } = await admin.query("SELECT raw_text, text_sha256 FROM vigil_decisions WHERE id = $1", [
        body.results[0].decision_id,
      ]);
      expect(rows[0]).toEqual({
        raw_text: "raw \uFFFD text \uFFFD kept",
        text_sha256: createHash("sha256").update(text).digest("hex"),
      });
      const fetched = await call(withText.url, "GET", `/v1/decisions/${body.results[0].decision_id}`, {
        headers: asReviewer,
      });
      expect(fetched.body.text).toBe("raw \uFFFD text \uFFFD kept");
    } finally {
      await withText.stop({ drainDelay: false });
    }
  });
});

describe("review queue", () => {
  let marker: string;
  beforeAll(async () => {
    marker = `batch-${Date.now()}`;
    // 6 decisions: 2 blocked, 2 German (insult), 2 plain reviews.
    await classify({ texts: ["kys 1", "kys 2"], context: { batch: marker } });
    await classify({
      texts: ["Das ist ein Satz", "Noch ein Satz"],
      language: "de",
      context: { batch: marker },
    });
    await classify({ texts: ["plain one", "plain two"], context: { batch: marker } });
    await flushed();
  });

  const list = (query: string, headers = asReviewer) =>
    call(runtime.url, "GET", `/v1/decisions?${query}`, { headers });

  it("filters by action, category and time, newest first", async () => {
    const blocked = await list("action=block&limit=500");
    expect(blocked.status).toBe(200);
    expect(blocked.body.decisions.every((d: { action: string }) => d.action === "block")).toBe(true);
    expect(
      blocked.body.decisions.filter((d: { context: { batch?: string } }) => d.context?.batch === marker),
    ).toHaveLength(2);
    const insult = await list("category=insult&limit=500");
    const mine = insult.body.decisions.filter(
      (d: { context: { batch?: string } }) => d.context?.batch === marker,
    );
    expect(mine.map((d: { language: string }) => d.language)).toEqual(["de", "de"]);
    const future = await list(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(future.body).toEqual({ decisions: [], next: null });
    const past = await list(`until=2000-01-01T00:00:00Z`);
    expect(past.body.decisions).toEqual([]);
    const seqOrder = blocked.body.decisions.map((d: { decided_at: string }) => d.decided_at);
    expect([...seqOrder].sort().reverse()).toEqual(seqOrder);
  });

  it("pages with an opaque cursor until next is null", async () => {
    const total = await count("true");
    const seen = new Set<string>();
    let cursor = "";
    let pages = 0;
    for (;;) {
      const page = await list(`limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      for (const d of page.body.decisions) seen.add(d.id);
      pages++;
      if (!page.body.next) break;
      cursor = page.body.next;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 4));
  });

  it("records a review by the authenticated reviewer and moves it out of the pending queue", async () => {
    const pending = await list("action=review&reviewed=false&limit=500");
    const target = pending.body.decisions[0];
    const reviewed = await call(runtime.url, "POST", `/v1/decisions/${target.id}/review`, {
      json: { action: "allow", note: "benign \u0000 quote" },
      headers: asReviewer,
    });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.review).toMatchObject({
      action: "allow",
      reviewer: "key:alice.review",
      note: "benign \uFFFD quote",
    });
    const after = await list("action=review&reviewed=false&limit=500");
    expect(after.body.decisions.map((d: { id: string }) => d.id)).not.toContain(target.id);
    const done = await list("reviewed=true&limit=500");
    expect(done.body.decisions.map((d: { id: string }) => d.id)).toContain(target.id);
  });

  it("answers bad input with 400 naming the field, unknown ids with 404, and non-reviewers with 403", async () => {
    const cases: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=abc", "limit"],
      ["action=delete", "action"],
      ["since=yesterday", "since"],
      ["since=0000-01-01T00:00:00Z", "since"],
      ["cursor=bm90LWEtY3Vyc29y", "cursor"],
      ["colour=blue", "colour"],
    ];
    for (const [query, field] of cases) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
    const badId = await call(runtime.url, "POST", "/v1/decisions/not-a-uuid/review", {
      json: { action: "allow" },
      headers: asReviewer,
    });
    expect(badId.status).toBe(400);
    expect(badId.body.error.field).toBe("id");
    const unknown = await call(
      runtime.url,
      "POST",
      "/v1/decisions/00000000-0000-4000-8000-000000000000/review",
      {
        json: { action: "allow" },
        headers: asReviewer,
      },
    );
    expect(unknown.status).toBe(404);
    const badBody = await call(
      runtime.url,
      "POST",
      "/v1/decisions/00000000-0000-4000-8000-000000000000/review",
      {
        json: { action: "approve", reviewer: "mallory" },
        headers: asReviewer,
      },
    );
    expect(badBody.status).toBe(400);
    expect((await list("limit=5", asApp)).status).toBe(403);
  });
});

describe.skipIf(!!process.env.DATABASE_URL)("Postgres outages", () => {
  it("loses no decision when Postgres is killed under load and comes back", async () => {
    const marker = `outage-${Date.now()}`;
    let sent = 0;
    let stop = false;
    const statuses: number[] = [];
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const res = await call(runtime.url, "POST", "/v1/classify", {
          json: { texts: [`load ${w}-${i} a`, `load ${w}-${i} b`], context: { run: marker } },
          headers: asApp,
        });
        statuses.push(res.status);
        if (res.status === 200) sent += 2;
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    await waitFor("some decisions", async () => sent >= 40);
    await db.stop();
    const atOutage = sent;
    await waitFor("decisions buffered during the outage", async () => {
      const buffered = await sample(runtime.url, "vigil_decision_log_buffered");
      return sent > atOutage + 100 && (buffered ?? 0) > 0;
    });
    expect(await sample(runtime.url, "vigil_decision_log_up")).toBe(0);
    expect((await call(runtime.url, "GET", "/ready")).body).toMatchObject({
      ready: true,
      dependencies: { postgres: { healthy: false } },
    });
    await db.start();
    await waitFor("more load after recovery", async () => sent > atOutage + 200);
    stop = true;
    await load;
    expect(new Set(statuses)).toEqual(new Set([200]));
    await flushed();
    expect(await count("context->>'run' = $1", [marker])).toBe(sent);
    expect(await sample(runtime.url, "vigil_decision_log_dropped_total")).toBe(0);
  });

  it("starts and serves while Postgres is down, then migrates and flushes when it appears", async () => {
    const late = await startPostgres();
    await late.stop();
    const pod = await startTestRuntime({ ...env, DATABASE_URL: late.url });
    try {
      expect((await call(pod.url, "GET", "/ready")).body).toMatchObject({
        ready: true,
        dependencies: { postgres: { migrations: "pending" } },
      });
      const body = await classify({ texts: ["while down 1", "while down 2", "while down 3"] }, pod);
      expect(body.results).toHaveLength(3);
      await late.start();
      await waitFor(
        "background migrations",
        async () => pod.state.readiness().dependencies.postgres?.migrations === "applied",
        20_000,
      );
      await flushed(pod);
      const check = new pg.Client({ connectionString: late.url });
      await check.connect();
      try {
        const { rows } = await check.query("SELECT count(*)::int AS n FROM vigil_decisions");
        expect(rows[0].n).toBe(3);
      } finally {
        await check.end();
      }
    } finally {
      await pod.stop({ drainDelay: false });
      await late.close();
    }
  });
});
