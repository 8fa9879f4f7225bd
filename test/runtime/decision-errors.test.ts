// The review queue's error mapping: only an unreachable Postgres is a 503 (retry later); any
// other failure is a bug, answered 500 and logged with its stack, not disguised as an outage.
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { isConnectionError } from "../../runtime/decisions/connection-errors.js";
import type { DecisionQueries } from "../../runtime/decisions/decision-queries.js";
import { buildApp } from "../../runtime/server/app.js";
import { RuntimeMetrics } from "../../runtime/server/metrics.js";
import { RuntimeState } from "../../runtime/server/runtime-state.js";
import { DEFAULT_LABELS } from "./support/runtime.js";

describe("isConnectionError", () => {
  it.each([
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    [Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    [Object.assign(new Error("connection failure"), { code: "08006" })],
    [Object.assign(new Error("sorry, too many clients already"), { code: "53300" })],
    [new Error("Connection terminated unexpectedly")],
    [new Error("timeout exceeded when trying to connect")],
    [new AggregateError([Object.assign(new Error("refused"), { code: "ECONNREFUSED" })], "all failed")],
  ])("counts %s as an outage", (error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    [new TypeError("Cannot read properties of undefined (reading 'rows')")],
    [Object.assign(new Error('relation "decisions" does not exist'), { code: "42P01" })],
    [Object.assign(new Error("syntax error"), { code: "42601" })],
    ["a string"],
    [undefined],
  ])("does not count %s as an outage", (error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});

describe("GET /v1/decisions/{id} when the query fails", () => {
  const logs: { level: number; msg: string; err?: { stack?: string } }[] = [];
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    logs.length = 0;
    await close?.();
  });

  async function appFailingWith(error: unknown) {
    const logger = pino(
      { level: "info" },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
          done();
        },
      }),
    );
    const queries = {
      get: async () => {
        throw error;
      },
    } as unknown as DecisionQueries;
    const state = new RuntimeState({
      model: { name: "m", version: "1", labels: DEFAULT_LABELS },
      policyStatus: () => ({}) as never,
      cacheDescription: "test",
      decisionsDescription: "test",
      serverVersion: "test",
    });
    const app = await buildApp({ state, metrics: new RuntimeMetrics(), logger, decisionQueries: queries });
    close = () => app.close();
    return app;
  }

  const id = "0b5f7f4e-5e4c-4c1e-9d7e-6a0c2f1f2b3a";

  it("answers 503 with Retry-After when Postgres is unreachable, and logs the cause", async () => {
    const app = await appFailingWith(
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    );
    const res = await app.inject({ method: "GET", url: `/v1/decisions/${id}` });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBeDefined();
    expect(res.json().error.code).toBe("decision_log_unavailable");
    expect(logs.some((l) => l.err?.stack?.includes("ECONNREFUSED"))).toBe(true);
  });

  it("answers 500 for anything else and logs it with its stack", async () => {
    const app = await appFailingWith(new TypeError("Cannot read properties of undefined (reading 'rows')"));
    const res = await app.inject({ method: "GET", url: `/v1/decisions/${id}` });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe("internal_error");
    expect(res.body).not.toMatch(/rows/);
    const logged = logs.find((l) => l.msg === "unhandled error");
    expect(logged?.err?.stack).toMatch(/TypeError: Cannot read properties/);
  });
});
