// Graceful shutdown of the real `vigil-runtime serve` process under load: on SIGTERM readiness
// fails at once while requests are still served for VIGIL_SHUTDOWN_DELAY_MS, every in-flight
// request completes with 200, the decision buffer is flushed to Postgres (one row per text
// answered), and the process exits 0 well within VIGIL_SHUTDOWN_GRACE_MS.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startPostgres, waitFor, type TestPostgres } from "../harness/index.js";
import { withoutStorageEnv } from "../runtime/support/runtime.js";
import { call, sample } from "./support.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const GRACE_MS = 20_000;
const DELAY_MS = 1000;

let db: TestPostgres;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db?.close();
});

describe("SIGTERM during load", () => {
  it("fails readiness first, completes in-flight requests, flushes decisions and exits 0 in time", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "runtime/main.ts", "serve", "--port", String(port)],
      {
        cwd: ROOT,
        env: {
          ...withoutStorageEnv(process.env),
          DATABASE_URL: db.url,
          VIGIL_HOST: "127.0.0.1",
          VIGIL_LOG_LEVEL: "info",
          VIGIL_MAX_QUEUE: "100000",
          VIGIL_MAX_EVENT_LOOP_DELAY_MS: "0", // this test is about draining, not shedding
          VIGIL_SHUTDOWN_GRACE_MS: String(GRACE_MS),
          VIGIL_SHUTDOWN_DELAY_MS: String(DELAY_MS),
        },
      },
    );
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor("readiness", async () => (await fetch(`${url}/ready`)).ok, 60_000);
      await waitFor(
        "migrations",
        async () => (await call(url, "GET", "/ready")).body.dependencies.postgres.migrations === "applied",
      );

      // 64 requests x 160 distinct texts: seconds of inference on two cores, so requests are
      // still in flight when the listener closes after the delay.
      const load = Array.from({ length: 64 }, (_, i) =>
        call(url, "POST", "/v1/moderations", {
          json: {
            input: Array.from(
              { length: 160 },
              (_, j) => `request ${i} text ${j}: ${"some words here ".repeat(12)}`,
            ),
          },
        }),
      );
      await waitFor(
        "texts queued for inference",
        async () => ((await sample(url, "vigil_queue_depth")) ?? 0) > 500,
      );

      const signalledAt = Date.now();
      child.kill("SIGTERM");
      await waitFor("readiness to fail", async () => (await fetch(`${url}/ready`)).status === 503, DELAY_MS);
      // Still serving while the endpoints controller takes the pod out of the Service.
      const late = await call(url, "POST", "/v1/classify", { json: { text: "arrived after SIGTERM" } });
      expect(late.status).toBe(200);

      const answers = await Promise.all(load);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      // Answered while draining: told to reconnect elsewhere.
      expect(answers.filter((a) => a.headers.get("connection") === "close").length).toBeGreaterThan(0);
      const code = await exited;
      const tookMs = Date.now() - signalledAt;
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(GRACE_MS);
      await expect(fetch(`${url}/live`)).rejects.toThrow();

      const messages = stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(messages).toContain("shutting down: readiness fails now; finishing in-flight requests");
      expect(messages.at(-1)).toBe("shut down cleanly");

      const texts = answers.reduce((n, a) => n + a.body.results.length, 0) + 1;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query("SELECT count(*)::int AS n FROM vigil_decisions");
        expect(rows[0].n).toBe(texts);
      } finally {
        await client.end();
      }
    } finally {
      child.kill("SIGKILL");
    }
  });
});
