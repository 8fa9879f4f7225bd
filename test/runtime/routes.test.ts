// The HTTP layer against a fake classifier: request validation, error formats per API,
// status codes, and the OpenAPI document. The real model is exercised in server-*.test.ts.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InMemoryResultCache } from "../../runtime/cache/result-cache.js";
import { DEFAULT_POLICY_FILE } from "../../runtime/config.js";
import type { DecisionRecord } from "../../runtime/decisions/decision-sink.js";
import { QueueFullError } from "../../runtime/errors.js";
import { Moderator } from "../../runtime/moderation/moderator.js";
import { PolicyStore } from "../../runtime/policy/policy-store.js";
import { buildApp } from "../../runtime/server/app.js";
import { RuntimeMetrics } from "../../runtime/server/metrics.js";
import { RuntimeState } from "../../runtime/server/runtime-state.js";
import { FakeClassifier } from "./support/fake-classifier.js";
import { DEFAULT_LABELS } from "./support/runtime.js";

let app: FastifyInstance;
let policies: PolicyStore;
const classifier = new FakeClassifier();
const records: DecisionRecord[] = [];

async function build(options: {
  loaded: boolean;
  bodyLimitBytes?: number;
}): Promise<{ app: FastifyInstance; state: RuntimeState }> {
  const metrics = new RuntimeMetrics();
  const runtimeState = new RuntimeState({
    model: { name: classifier.info.name, version: classifier.info.version, labels: DEFAULT_LABELS },
    policyStatus: () => policies.status(),
    cacheDescription: "test",
    decisionsDescription: "test",
    serverVersion: "1.0.0-test",
  });
  if (options.loaded) {
    const moderator = new Moderator({
      classifier,
      languages: { detect: (text) => (text.includes("Idiot") ? "de" : "en") },
      policies,
      cache: new InMemoryResultCache(100, 60_000),
      decisions: { description: "test", record: (r) => records.push(r), close: async () => {} },
      metrics,
    });
    runtimeState.modelLoaded(moderator, "cpu");
  }
  const built = await buildApp({ state: runtimeState, metrics, bodyLimitBytes: options.bodyLimitBytes });
  return { app: built, state: runtimeState };
}

beforeAll(async () => {
  policies = await PolicyStore.open(DEFAULT_POLICY_FILE, { labels: DEFAULT_LABELS, pollMs: 0 });
  ({ app } = await build({ loaded: true, bodyLimitBytes: 64 * 1024 }));
});
afterAll(async () => {
  await app.close();
  policies.close();
});
beforeEach(() => {
  classifier.failWith = undefined;
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: "POST", url, payload: payload as object });

describe("POST /v1/classify", () => {
  it("classifies one text", async () => {
    const res = await post("/v1/classify", { text: "toxic stuff" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-request-id"]).toMatch(/[0-9a-f-]{36}/);
    expect(res.json()).toEqual({
      model: { name: "fake-model", version: "9.9.9" },
      policy: { name: "default", generation: 1 },
      results: [
        {
          text_index: 0,
          language: "en",
          language_source: "detected",
          scores: expect.objectContaining({ toxicity: 0.95, insult: 0.01 }),
          decision: {
            action: "block",
            reasons: [{ category: "toxicity", score: 0.95, threshold: 0.92, action: "block" }],
            matched_terms: [],
          },
          cached: false,
          decision_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      ],
    });
  });

  it("classifies several texts in order and uses a given language", async () => {
    const res = await post("/v1/classify", { texts: ["fine", "toxic"], language: "de" });
    const body = res.json();
    expect(body.results.map((r: { text_index: number }) => r.text_index)).toEqual([0, 1]);
    expect(body.results[1]).toMatchObject({ language: "de", language_source: "request" });
    // de raises toxicity's block threshold to 0.97: 0.95 is only reviewed there.
    expect(body.results[1].decision.action).toBe("review");
  });

  it("serves a repeated text from the cache and logs every decision without the text", async () => {
    records.length = 0;
    await post("/v1/classify", { text: "cache me insult" });
    const calls = classifier.calls.length;
    const res = await post("/v1/classify", { text: "cache me insult", context: { contentId: "c-1" } });
    expect(res.json().results[0].cached).toBe(true);
    expect(classifier.calls.length).toBe(calls);
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({
      id: res.json().results[0].decision_id,
      api: "classify",
      cached: true,
      context: { contentId: "c-1" },
      textLength: 15,
      scores: expect.objectContaining({ insult: 0.85 }),
      latencyMs: expect.any(Number),
    });
    expect(records[0]!.id).not.toBe(records[1]!.id);
    expect(records[1]!.textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(records)).not.toContain("cache me");
  });

  it.each([
    [{}, "text", "text: give exactly one of 'text' or 'texts'"],
    [{ text: "a", texts: ["b"] }, "text", "give exactly one"],
    [{ text: 42 }, "text", "text: must be string"],
    [{ texts: ["ok", 7] }, "texts[1]", "texts[1]: must be string"],
    [{ texts: [] }, "texts", "texts: must NOT have fewer than 1 items"],
    [{ texts: Array(257).fill("x") }, "texts", "texts: must NOT have more than 256 items"],
    [{ text: "a", language: "German" }, "language", "language: must match pattern"],
    [{ text: "a", txt: "typo" }, "txt", "txt: is not a known field"],
  ])("rejects %j with 400 naming %s", async (payload, field, message) => {
    const res = await post("/v1/classify", payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: "invalid_request", field, message: expect.stringContaining(message) },
    });
  });

  it("answers malformed JSON, wrong content types and oversized bodies with JSON errors", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/v1/classify",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid_request");
    const text = await app.inject({
      method: "POST",
      url: "/v1/classify",
      headers: { "content-type": "text/plain" },
      payload: "hi",
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe("unsupported_media_type");
    const big = await post("/v1/classify", { text: "x".repeat(70 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe("payload_too_large");
  });

  it("sheds load with 503 and Retry-After when the queue is full", async () => {
    classifier.failWith = new QueueFullError(1024);
    const res = await post("/v1/classify", { text: "x" });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.json()).toEqual({
      error: { code: "queue_full", message: expect.stringContaining("queue is full") },
    });
  });

  it("hides unexpected errors behind a generic 500", async () => {
    classifier.failWith = new Error("secret internal detail");
    const res = await post("/v1/classify", { text: "x" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: "internal_error", message: "internal error; see the server log" },
    });
    expect(res.body).not.toContain("secret");
  });
});

describe("POST /v1/moderations errors", () => {
  it("uses OpenAI's error shape with the failing param", async () => {
    const res = await post("/v1/moderations", {
      input: [{ type: "image_url", image_url: { url: "https://x/y.png" } }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        message: "input[0]: image inputs are not supported; this model classifies text only",
        type: "invalid_request_error",
        param: "input[0]",
        code: "invalid_request",
      },
    });
    const missing = await post("/v1/moderations", { model: "omni-moderation-latest" });
    expect(missing.json().error).toMatchObject({ param: "input", message: "input: is required" });
    const wrong = await post("/v1/moderations", { input: [1, 2] });
    expect(wrong.json().error).toMatchObject({
      param: "input",
      message: "input: has none of the accepted forms (see /openapi.json)",
    });
    classifier.failWith = new QueueFullError(8);
    const full = await post("/v1/moderations", { input: "x" });
    expect(full.statusCode).toBe(503);
    expect(full.json().error).toMatchObject({ type: "server_error", code: "queue_full", param: null });
  });

  it("accepts text content parts", async () => {
    const res = await post("/v1/moderations", {
      input: [
        { type: "text", text: "toxic" },
        { type: "text", text: "fine" },
      ],
      model: "omni-moderation-latest",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results.map((r: { flagged: boolean }) => r.flagged)).toEqual([true, false]);
  });
});

describe("Open Inference Protocol v2 errors", () => {
  const infer = (payload: unknown, model = "fake-model") => post(`/v2/models/${model}/infer`, payload);
  const text = (data: unknown[], shape = [data.length], datatype = "BYTES") => ({
    inputs: [{ name: "text", shape, datatype, data }],
  });

  it.each([
    [{ inputs: [] }, "inputs: must NOT have fewer than 1 items"],
    [
      { inputs: [{ name: "input_ids", shape: [1], datatype: "BYTES", data: ["x"] }] },
      "expected exactly one input named 'text'",
    ],
    [text(["x"], [1], "INT64"), "inputs[0].datatype: must be BYTES, got 'INT64'"],
    [text(["a", "b"], [3]), "inputs[0].data: shape [3] needs 3 elements, got 2"],
    [text(["a"], [1, 2, 3]), "inputs[0].shape: must be [n] or [n, 1]"],
    [text([1]), "inputs[0].data[0]: BYTES elements must be strings"],
    [{ ...text(["a"]), outputs: [{ name: "logits" }] }, "outputs: unknown output 'logits'"],
    [{ ...text(["a"]), parameters: { language: "German" } }, "parameters.language: must be an ISO 639 code"],
    [{ inputs: [{ name: "text", shape: [1], datatype: "BYTES" }] }, "inputs[0].data: is required"],
  ])("rejects a bad request with 400 {error} (%#)", async (payload, message) => {
    const res = await infer(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.stringContaining(message) });
  });

  it("answers an unknown model or version with 404 {error}", async () => {
    const res = await infer(text(["a"]), "other");
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: "model 'other' is not served here; this server serves 'fake-model'",
    });
    expect((await app.inject({ url: "/v2/models/fake-model/versions/1.0.0" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/v2/models/fake-model/versions/9.9.9" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v2/models/other/ready" })).statusCode).toBe(404);
  });

  it("accepts nested [n, 1] data and returns only the requested outputs", async () => {
    const res = await infer({
      id: "req-7",
      inputs: [{ name: "text", shape: [2, 1], datatype: "BYTES", data: [["toxic"], ["fine"]] }],
      outputs: [{ name: "action" }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe("req-7");
    expect(res.json().outputs).toEqual([
      { name: "action", datatype: "BYTES", shape: [2], data: ["block", "allow"] },
    ]);
  });
});

describe("probes and model loading", () => {
  it("serves probes and 503s the APIs while the model loads", async () => {
    const loading = await build({ loaded: false });
    try {
      expect((await loading.app.inject({ url: "/live" })).statusCode).toBe(200);
      expect((await loading.app.inject({ url: "/startup" })).json()).toEqual({ status: "loading" });
      expect((await loading.app.inject({ url: "/startup" })).statusCode).toBe(503);
      const ready = await loading.app.inject({ url: "/ready" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks.model.status).toBe("loading");
      expect((await loading.app.inject({ url: "/v2/health/ready" })).statusCode).toBe(400);
      expect((await loading.app.inject({ url: "/v2/health/live" })).statusCode).toBe(200);
      const res = await loading.app.inject({ method: "POST", url: "/v1/classify", payload: { text: "x" } });
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("2");
      expect(res.json().error.code).toBe("model_not_ready");
      loading.state.modelFailed("model.onnx: missing output 'logits'");
      expect((await loading.app.inject({ url: "/ready" })).json().checks.model).toMatchObject({
        status: "failed",
        error: "model.onnx: missing output 'logits'",
      });
    } finally {
      await loading.app.close();
    }
  });

  it("reports ready with its checks, and not ready while draining", async () => {
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: {
        model: { status: "ready", name: "fake-model", version: "9.9.9", provider: "cpu" },
        policy: { status: "ok", name: "default", generation: 1 },
        shutdown: { draining: false },
      },
    });
    const draining = await build({ loaded: true });
    try {
      draining.state.startDraining();
      expect((await draining.app.inject({ url: "/ready" })).statusCode).toBe(503);
      expect((await draining.app.inject({ url: "/live" })).statusCode).toBe(200);
    } finally {
      await draining.app.close();
    }
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await app.inject({ url: "/v1/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: "not_found", message: "no route for GET /v1/nope" } });
    expect((await app.inject({ url: "/v2/nope" })).json()).toEqual({ error: "no route for GET /v2/nope" });
  });
});

describe("GET /openapi.json", () => {
  it("documents every API route with the schemas fastify validates", async () => {
    const doc = (await app.inject({ url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.0.3");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/classify",
        "/v1/moderations",
        "/v2",
        "/v2/health/live",
        "/v2/health/ready",
        "/v2/models/{model}",
        "/v2/models/{model}/ready",
        "/v2/models/{model}/infer",
        "/v2/models/{model}/versions/{version}/infer",
        "/live",
        "/ready",
        "/startup",
      ]),
    );
    const classify = doc.paths["/v1/classify"].post;
    expect(classify.requestBody.content["application/json"].schema.properties).toHaveProperty("texts");
    expect(classify.responses["200"].content["application/json"].schema.properties).toHaveProperty("results");
  });
});
