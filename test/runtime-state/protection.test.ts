// Request protection through the real server: 400 naming the field, 413, 415 on every POST
// route; security headers, X-Process-Time and request ids in responses and in the JSON logs
// (which never hold the text); load shedding with 503 + Retry-After on a full batch queue and
// on event-loop delay while probes stay up; /metrics on its own port.
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../runtime/config.js";
import { startRuntime, type RunningRuntime } from "../../runtime/server/start.js";
import { SECURITY_HEADERS } from "../../runtime/server/response-headers.js";
import { waitFor } from "../harness/index.js";
import { startTestRuntime } from "../runtime/support/runtime.js";
import { blockEventLoop, call, sample } from "./support.js";

let runtime: RunningRuntime;
let modelName: string;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const config = loadConfig({
    VIGIL_PORT: "0",
    VIGIL_HOST: "127.0.0.1",
    VIGIL_METRICS_PORT: "0",
    VIGIL_MAX_BODY_BYTES: "8192",
    VIGIL_DECISION_LOG: "off",
    // These tests are about validation, headers and logs, so shedding is off as in
    // startTestRuntime; the shedding tests below start their own runtimes. With the default
    // bound a loaded CI machine stalled this process's event loop (1037 ms) and the first
    // requests were shed with 503.
    VIGIL_MAX_EVENT_LOOP_DELAY_MS: "0",
    VIGIL_MAX_HEAP_USED_MB: "0",
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  runtime = await startRuntime(config, { logger: pino({ level: "info" }, sink) });
  await runtime.modelReady;
  modelName = runtime.state.model.name;
});
afterAll(async () => {
  await runtime?.stop({ drainDelay: false });
});

const routes = () => [
  { url: "/v1/classify", valid: { text: "hello" }, invalid: { text: 42 }, field: "text" },
  { url: "/v1/moderations", valid: { input: "hello" }, invalid: { input: [1] }, field: "input" },
  {
    url: `/v2/models/${modelName}/infer`,
    valid: { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["hello"] }] },
    invalid: { inputs: [{ name: "text", shape: [1], datatype: "FP32", data: ["hello"] }] },
    field: "inputs[0].datatype",
  },
];

describe("request validation on every POST route", () => {
  it("answers schema errors with 400 naming the field", async () => {
    for (const route of routes()) {
      expect((await call(runtime.url, "POST", route.url, { json: route.valid })).status, route.url).toBe(200);
      const res = await call(runtime.url, "POST", route.url, { json: route.invalid });
      expect(res.status, route.url).toBe(400);
      const field = route.url.startsWith("/v2") ? undefined : (res.body.error.field ?? res.body.error.param);
      if (field !== undefined) expect(field, route.url).toBe(route.field);
      else expect(res.body.error, route.url).toContain(route.field);
    }
  });

  it("answers bodies over VIGIL_MAX_BODY_BYTES with 413", async () => {
    for (const route of routes()) {
      const res = await call(runtime.url, "POST", route.url, { json: { text: "x".repeat(10_000) } });
      expect(res.status, route.url).toBe(413);
    }
  });

  it("answers anything but JSON with 415", async () => {
    for (const route of routes()) {
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml", undefined]) {
        const res = await call(runtime.url, "POST", route.url, {
          body: "text=hello",
          headers: type ? { "content-type": type } : {},
        });
        expect(res.status, `${route.url} ${type}`).toBe(415);
      }
    }
  });
});

describe("response headers and logs", () => {
  it("sends security headers, X-Process-Time and a request id on every response", async () => {
    for (const url of ["/v1/classify", "/ready", "/nope"]) {
      const res = await call(runtime.url, url === "/v1/classify" ? "POST" : "GET", url, {
        json: url === "/v1/classify" ? { text: "hi" } : undefined,
      });
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(res.headers.get(name), `${url} ${name}`).toBe(value);
      expect(res.headers.get("x-process-time")).toMatch(/^\d+\.\d{6}$/);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("keeps the caller's X-Request-Id and logs requests with it, in JSON, without the text", async () => {
    const secret = "my very private sentence 7d1e";
    const res = await call(runtime.url, "POST", "/v1/classify", {
      json: { text: secret },
      headers: { "x-request-id": "client-chosen-id-1" },
    });
    expect(res.headers.get("x-request-id")).toBe("client-chosen-id-1");
    await waitFor("the request log", async () =>
      logLines.some((l) => l.reqId === "client-chosen-id-1" && l.res),
    );
    const mine = logLines.filter((l) => l.reqId === "client-chosen-id-1");
    expect(mine.map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
    expect(mine[1]).toMatchObject({ res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(JSON.stringify(logLines)).not.toContain(secret);
  });
});

describe("load shedding", () => {
  it("answers 503 with Retry-After when the batch queue is full, and stays live", async () => {
    const small = await startTestRuntime({
      VIGIL_MAX_QUEUE: "4",
      VIGIL_MAX_BATCH_SIZE: "1",
      VIGIL_MAX_DELAY_MS: "0",
    });
    try {
      const burst = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          call(small.url, "POST", "/v1/classify", {
            json: { texts: Array.from({ length: 8 }, (_, j) => `burst ${i} ${j} ${"word ".repeat(50)}`) },
          }),
        ),
      );
      const shed = burst.filter((r) => r.status === 503);
      expect(shed.length).toBeGreaterThan(0);
      expect(burst.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      expect(shed[0]!.headers.get("retry-after")).toBe("1");
      expect(shed[0]!.body.error.code).toBe("queue_full");
      expect((await call(small.url, "GET", "/live")).status).toBe(200);
      expect(await sample(small.url, 'vigil_shed_requests_total{reason="queue_full"}')).toBe(shed.length);
    } finally {
      await small.stop({ drainDelay: false });
    }
  });

  it("answers 503 with Retry-After while the event loop lags, keeps probes up, and recovers", async () => {
    // The server runs in this process, so blocking the test's event loop blocks the server's.
    // under-pressure compares the *mean* delay of a sample interval (one delay sample every
    // 10 ms) with the bound: one block of B ms among up to 20 normal samples averages at least
    // B/21. A 1500 ms block clears a 50 ms bound wherever in the interval it falls.
    const lagging = await startTestRuntime({
      VIGIL_MAX_EVENT_LOOP_DELAY_MS: "50",
      VIGIL_PRESSURE_SAMPLE_MS: "200",
    });
    try {
      const classify = () => call(lagging.url, "POST", "/v1/classify", { json: { text: "under pressure" } });
      let shed: Awaited<ReturnType<typeof call>> | undefined;
      await waitFor("a request to be shed", async () => {
        blockEventLoop(1500);
        const res = await classify();
        if (res.status === 503) shed = res;
        return res.status === 503;
      });
      expect(shed!.headers.get("retry-after")).toBe("2");
      expect(shed!.body.error).toEqual({
        code: "overloaded",
        // A loop blocked for a whole sample interval has no delay sample: "over <interval>".
        message: expect.stringMatching(
          /^the server is overloaded \(event-loop delay (\d+|over 200) ms\); retry later$/,
        ),
      });
      blockEventLoop(1500);
      expect((await call(lagging.url, "GET", "/live")).status).toBe(200);
      expect(await sample(lagging.url, 'vigil_shed_requests_total{reason="eventLoopDelay"}')).toBeGreaterThan(
        0,
      );
      await waitFor("the lag to pass", async () => (await classify()).status === 200);
    } finally {
      await lagging.stop({ drainDelay: false });
    }
  });
});

describe("metrics on a separate port (VIGIL_METRICS_PORT)", () => {
  it("serves /metrics and the probes there, and not /metrics on the API port", async () => {
    expect(runtime.opsUrl).toBeDefined();
    expect(runtime.opsUrl).not.toBe(runtime.url);
    const metrics = await call(runtime.opsUrl!, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("vigil_http_requests_total");
    expect((await call(runtime.opsUrl!, "GET", "/ready")).status).toBe(200);
    expect((await call(runtime.opsUrl!, "POST", "/v1/classify", { json: { text: "x" } })).status).toBe(404);
    expect((await call(runtime.url, "GET", "/metrics")).status).toBe(404);
  });
});
