import { describe, expect, it } from "vitest";
import { InMemoryResultCache, resultCacheKey, type CachedResult } from "../../runtime/cache/result-cache.js";
import { StdoutDecisionSink, type DecisionRecord } from "../../runtime/decisions/decision-sink.js";
import { waitFor } from "../harness/index.js";

const value: CachedResult = {
  language: "en",
  languageSource: "detected",
  scores: { toxicity: 0.5 },
  decision: { action: "flag", reasons: [], matchedTerms: [] },
};
const parts = {
  textSha256: "ab".repeat(32),
  requestedLanguage: undefined,
  modelName: "m",
  modelVersion: "1",
  policyGeneration: 3,
  policyFingerprint: "f00",
};

describe("resultCacheKey", () => {
  it("changes with the model version, the policy revision and a requested language", () => {
    const base = resultCacheKey(parts);
    expect(resultCacheKey({ ...parts })).toBe(base);
    for (const changed of [
      { modelVersion: "2" },
      { policyGeneration: 4 },
      { policyFingerprint: "f01" },
      { requestedLanguage: "de" },
      { textSha256: "cd".repeat(32) },
    ]) {
      expect(resultCacheKey({ ...parts, ...changed })).not.toBe(base);
    }
  });
});

describe("InMemoryResultCache", () => {
  it("returns what was stored until its TTL runs out", async () => {
    const cache = new InMemoryResultCache(10, 50);
    await cache.set("k", value);
    expect(await cache.get("k")).toEqual(value);
    await waitFor("expiry", async () => (await cache.get("k")) === undefined, 5000);
  });

  it("evicts the least recently used entry beyond its size", async () => {
    const cache = new InMemoryResultCache(2, 60_000);
    await cache.set("a", value);
    await cache.set("b", value);
    await cache.get("a");
    await cache.set("c", value);
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toEqual(value);
    expect(cache.description).toBe("in-memory LRU (2 entries, TTL 60s)");
  });
});

describe("StdoutDecisionSink", () => {
  it("writes one JSON line per decision", () => {
    const lines: string[] = [];
    const sink = new StdoutDecisionSink((line) => lines.push(line));
    const record: DecisionRecord = {
      id: "5f0c1c3e-8f0a-4a57-9d62-0d7f1a0b9e11",
      time: "2026-01-01T00:00:00.000Z",
      requestId: "r1",
      api: "classify",
      textSha256: "ab".repeat(32),
      textLength: 12,
      language: "en",
      action: "block",
      reasons: [{ term: "kys", list: "block", action: "block" }],
      scores: { toxicity: 0.4 },
      modelName: "m",
      modelVersion: "1",
      policyName: "p",
      policyGeneration: 2,
      cached: false,
      latencyMs: 3.5,
      clientId: "key:app",
    };
    sink.record(record);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({ msg: "decision", ...record });
  });
});
