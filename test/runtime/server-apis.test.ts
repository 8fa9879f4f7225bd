// The three APIs of the real server (default model, onnxruntime workers, HTTP on a real port),
// each response checked field by field against the shape its owner publishes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import {
  OIP_INFERENCE_RESPONSE,
  OIP_METADATA_MODEL_RESPONSE,
  OIP_METADATA_SERVER_RESPONSE,
  OPENAI_MODERATION_RESPONSE,
  violations,
} from "./support/published-shapes.js";
import {
  DEFAULT_LABELS,
  getJson,
  metricValue,
  postJson,
  startTestRuntime,
  type JsonBody,
} from "./support/runtime.js";

let runtime: RunningRuntime;
let modelName: string;
// The first text is blocked by the default policy's term list whatever the model scores, so
// these tests do not depend on the trained weights; the model is only asked to rank them.
const TEXTS = ["kys, you worthless idiot, I will kill you", "Thanks, have a lovely weekend!"];

beforeAll(async () => {
  runtime = await startTestRuntime({ VIGIL_MODEL_VERSION: "1.2.3" });
  modelName = runtime.state.model.name;
});
afterAll(async () => runtime.stop());

async function nativeScores(texts: string[]): Promise<Record<string, number>[]> {
  const res = await postJson(runtime, "/v1/classify", { texts });
  return res.body.results.map((r: { scores: Record<string, number> }) => r.scores);
}

describe("native API: POST /v1/classify", () => {
  it("returns model, policy and one result per text with every documented field", async () => {
    const res = await postJson(runtime, "/v1/classify", { texts: TEXTS });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["model", "policy", "results"]);
    expect(res.body.model).toEqual({ name: modelName, version: "1.2.3" });
    expect(res.body.policy).toEqual({ name: "default", generation: 1 });
    expect(res.body.results).toHaveLength(2);
    res.body.results.forEach((result: Record<string, unknown>, i: number) => {
      expect(Object.keys(result).sort()).toEqual(
        ["cached", "decision", "decision_id", "language", "language_source", "scores", "text_index"].sort(),
      );
      expect(result.text_index).toBe(i);
      expect(result.language).toBe("en");
      expect(result.language_source).toBe("detected");
      const scores = result.scores as Record<string, number>;
      expect(Object.keys(scores)).toEqual(DEFAULT_LABELS);
      for (const score of Object.values(scores)) expect(score).toBeGreaterThanOrEqual(0);
      for (const score of Object.values(scores)) expect(score).toBeLessThanOrEqual(1);
      const decision = result.decision as { action: string; reasons: unknown[]; matched_terms: string[] };
      expect(Object.keys(decision).sort()).toEqual(["action", "matched_terms", "reasons"]);
      expect(["allow", "flag", "review", "block"]).toContain(decision.action);
    });
    const [abusive, friendly] = res.body.results;
    expect(abusive.decision.action).toBe("block");
    expect(abusive.decision.matched_terms).toEqual(["kys", "idiot"]);
    expect(abusive.decision.reasons).toContainEqual({ term: "kys", list: "block", action: "block" });
    expect(abusive.decision.reasons).toContainEqual({ term: "idiot", list: "flag", action: "flag" });
    // The model ranks abuse above friendliness.
    expect(abusive.scores.toxicity).toBeGreaterThan(friendly.scores.toxicity);
    expect(abusive.scores.threat).toBeGreaterThan(friendly.scores.threat);
  });

  it("serves a repeated text from the cache and counts the hit", async () => {
    const hitsBefore = (await metricValue(runtime, "vigil_cache_hits_total")) ?? 0;
    const first = await postJson(runtime, "/v1/classify", { text: "a text seen twice in this test" });
    const second = await postJson(runtime, "/v1/classify", { text: "a text seen twice in this test" });
    expect(first.body.results[0].cached).toBe(false);
    expect(second.body.results[0].cached).toBe(true);
    expect(second.body.results[0].scores).toEqual(first.body.results[0].scores);
    expect(await metricValue(runtime, "vigil_cache_hits_total")).toBe(hitsBefore + 1);
  });
});

describe("OpenAI-compatible API: POST /v1/moderations", () => {
  it("answers in exactly OpenAI's published shape", async () => {
    const res = await postJson(runtime, "/v1/moderations", { input: TEXTS, model: "omni-moderation-latest" });
    expect(res.status).toBe(200);
    expect(violations(OPENAI_MODERATION_RESPONSE, res.body)).toEqual([]);
    expect(res.body.id).toMatch(/^modr-[0-9a-f]{32}$/);
    expect(res.body.model).toBe(modelName);
    expect(res.body.results).toHaveLength(2);
    for (const result of res.body.results) {
      expect(Object.values(result.category_applied_input_types)).toEqual(Array(13).fill(["text"]));
    }
  });

  it("maps label scores through the Policy's categoryMap and flags by the Policy decision", async () => {
    const native = (await postJson(runtime, "/v1/classify", { text: TEXTS[0] })).body.results[0];
    const scores = native.scores as Record<string, number>;
    const res = await postJson(runtime, "/v1/moderations", { input: TEXTS[0] });
    const result = res.body.results[0];
    expect(result.category_scores.harassment).toBeCloseTo(Math.max(scores.toxicity!, scores.insult!), 6);
    expect(result.category_scores["harassment/threatening"]).toBeCloseTo(scores.threat!, 6);
    expect(result.category_scores["self-harm"]).toBeCloseTo(scores.self_harm!, 6);
    expect(result.category_scores.illicit).toBe(0);
    expect(result.flagged).toBe(true);
    // A category is true exactly when a threshold reason of a label mapped to it fired.
    const mapped: Record<string, string> = {
      toxicity: "harassment",
      insult: "harassment",
      threat: "harassment/threatening",
      hate: "hate",
      sexual: "sexual",
      self_harm: "self-harm",
      violence: "violence",
    };
    const expectedTrue = new Set(
      native.decision.reasons
        .filter((r: { category?: string }) => r.category)
        .map((r: { category: string }) => mapped[r.category]),
    );
    for (const [category, value] of Object.entries(result.categories)) {
      expect(value, category).toBe(expectedTrue.has(category));
    }
    // A single string and a one-element array give the same scores.
    const asArray = await postJson(runtime, "/v1/moderations", { input: [TEXTS[0]] });
    expect(asArray.body.results[0].category_scores).toEqual(result.category_scores);
  });
});

describe("Open Inference Protocol v2", () => {
  it("serves server metadata and health endpoints with the bodies KServe's client reads", async () => {
    const server = await getJson(runtime, "/v2");
    expect(violations(OIP_METADATA_SERVER_RESPONSE, server.body)).toEqual([]);
    expect(server.body).toMatchObject({ name: "vigil-runtime", extensions: [] });
    const expected: Record<string, unknown> = {
      "/v2/health/live": { live: true },
      "/v2/health/ready": { ready: true },
      [`/v2/models/${modelName}/ready`]: { name: modelName, ready: true },
    };
    for (const [path, body] of Object.entries(expected)) {
      const res = await fetch(`${runtime.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toBe("application/json");
      expect(await res.json(), path).toEqual(body);
    }
  });

  describe("bodies as Triton's and older KServe clients send them", () => {
    const infer = JSON.stringify({
      inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["hello"] }],
    });
    const send = (headers: Record<string, string>, body = infer) =>
      fetch(`${runtime.url}/v2/models/${modelName}/infer`, { method: "POST", headers, body });

    it("takes JSON sent as application/octet-stream (Triton's HTTP client)", async () => {
      const res = await send({
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(Buffer.byteLength(infer)),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as JsonBody).outputs.map((o: { name: string }) => o.name)).toEqual([
        "scores",
        "action",
      ]);
    });

    it("takes JSON sent without a content type (KServe clients before 0.20)", async () => {
      const res = await fetch(`${runtime.url}/v2/models/${modelName}/infer`, {
        method: "POST",
        body: new Blob([infer]),
      });
      expect(res.status).toBe(200);
    });

    it("refuses binary tensor data after the JSON header with 400 naming the header", async () => {
      const res = await send(
        { "content-type": "application/octet-stream", "inference-header-content-length": "10" },
        infer,
      );
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(((await res.json()) as JsonBody).error).toMatch(/binary tensor data/);
    });

    it("answers errors with content-type exactly application/json", async () => {
      const res = await send({ "content-type": "application/json" }, '{"inputs": []}');
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/json");
    });

    it("still refuses a content type that is neither JSON nor octet-stream", async () => {
      const res = await send({ "content-type": "text/csv" });
      expect(res.status).toBe(415);
    });
  });

  it("describes the model: BYTES text in, FP32 scores and BYTES action out", async () => {
    const res = await getJson(runtime, `/v2/models/${modelName}`);
    expect(res.status).toBe(200);
    expect(violations(OIP_METADATA_MODEL_RESPONSE, res.body)).toEqual([]);
    expect(res.body).toEqual({
      name: modelName,
      versions: ["1.2.3"],
      platform: "onnx_onnxv1",
      inputs: [{ name: "text", datatype: "BYTES", shape: [-1] }],
      outputs: [
        { name: "scores", datatype: "FP32", shape: [-1, 7] },
        { name: "action", datatype: "BYTES", shape: [-1] },
      ],
    });
    expect((await getJson(runtime, `/v2/models/${modelName}/versions/1.2.3`)).body).toEqual(res.body);
  });

  it("infers in the published response shape, with the same scores as the native API", async () => {
    const res = await postJson(runtime, `/v2/models/${modelName}/infer`, {
      id: "request-42",
      inputs: [{ name: "text", shape: [2], datatype: "BYTES", data: TEXTS }],
    });
    expect(res.status).toBe(200);
    expect(violations(OIP_INFERENCE_RESPONSE, res.body)).toEqual([]);
    expect(res.body).toMatchObject({ model_name: modelName, model_version: "1.2.3", id: "request-42" });
    expect(res.body.parameters).toEqual({ policy_name: "default", policy_generation: 1 });
    const [scores, action] = res.body.outputs;
    expect(scores).toMatchObject({ name: "scores", datatype: "FP32", shape: [2, 7] });
    expect(scores.parameters).toEqual({ labels: DEFAULT_LABELS.join(",") });
    expect(action).toMatchObject({ name: "action", datatype: "BYTES", shape: [2] });
    const native = await nativeScores(TEXTS);
    const expected = native.flatMap((s) => DEFAULT_LABELS.map((l) => s[l]!));
    expect(scores.data).toHaveLength(14);
    scores.data.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(action.data[0]).toBe("block");
    expect(["allow", "flag", "review", "block"]).toContain(action.data[1]);
    const versioned = await postJson(runtime, `/v2/models/${modelName}/versions/1.2.3/infer`, {
      inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: [TEXTS[1]] }],
    });
    expect(versioned.status).toBe(200);
    expect(versioned.body.id).toEqual(expect.any(String));
  });
});

describe("probes and metrics", () => {
  it("answers the Kubernetes probes", async () => {
    expect(await getJson(runtime, "/live")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await getJson(runtime, "/startup")).toEqual({ status: 200, body: { status: "ok" } });
    const ready = await getJson(runtime, "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks.model).toEqual({
      status: "ready",
      name: modelName,
      version: "1.2.3",
      provider: "cpu",
    });
    expect(ready.body.checks.policy).toMatchObject({ status: "ok", name: "default", generation: 1 });
  });

  it("exports the documented metrics", async () => {
    await postJson(runtime, "/v1/classify", { text: "metrics warm-up" });
    const text = await (await fetch(`${runtime.url}/metrics`)).text();
    for (const name of [
      "vigil_http_requests_total",
      "vigil_http_request_duration_seconds_bucket",
      "vigil_inference_duration_seconds_bucket",
      "vigil_batch_size_bucket",
      "vigil_queue_depth",
      "vigil_queue_rejections_total",
      "vigil_cache_hits_total",
      "vigil_cache_misses_total",
      "vigil_decisions_total",
      "vigil_policy_generation",
      "vigil_policy_reload_failures_total",
      "vigil_policy_file_valid",
      "vigil_model_info",
      "vigil_process_resident_memory_bytes",
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, "m"));
    }
    expect(text).toContain('vigil_http_requests_total{route="/v1/classify",method="POST",code="200"}');
    expect(text).toContain(
      `vigil_model_info{model="${modelName}",version="1.2.3",provider="cpu",labels="${DEFAULT_LABELS.join(",")}"`,
    );
    expect(text).toContain('vigil_policy_generation{policy="default"} 1');
  });
});
