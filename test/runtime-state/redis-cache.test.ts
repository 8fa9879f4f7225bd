import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, waitFor, type TestRedis } from "../harness/index.js";
import { RedisResultCache } from "../../runtime/cache/redis-result-cache.js";
import type { CachedResult } from "../../runtime/cache/result-cache.js";

const RESULT: CachedResult = {
  language: "en",
  languageSource: "detected",
  scores: { toxicity: 0.93 },
  decision: {
    action: "block",
    reasons: [{ category: "toxicity", score: 0.93, threshold: 0.9, action: "block" }],
    matchedTerms: [],
  },
};

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

describe("RedisResultCache", () => {
  it("stores and returns results, shared between clients (pods)", async () => {
    const podA = new RedisResultCache({ url: redis.url, ttlMs: 60_000 });
    const podB = new RedisResultCache({ url: redis.url, ttlMs: 60_000 });
    try {
      await waitFor("redis connection", async () => podA.health().connected && podB.health().connected);
      expect(await podB.get("k1")).toBeUndefined();
      await podA.set("k1", RESULT);
      expect(await podB.get("k1")).toEqual(RESULT);
    } finally {
      await podA.close();
      await podB.close();
    }
  });

  it("expires entries after the TTL", async () => {
    const cache = new RedisResultCache({ url: redis.url, ttlMs: 150 });
    try {
      await waitFor("redis connection", async () => cache.health().connected);
      await cache.set("k2", RESULT);
      expect(await cache.get("k2")).toEqual(RESULT);
      await waitFor("expiry", async () => (await cache.get("k2")) === undefined, 5000);
      expect(await cache.client.pttl("k2")).toBe(-2);
    } finally {
      await cache.close();
    }
  });

  it.skipIf(!!process.env.REDIS_URL)(
    "reads as a miss while Redis is down, and recovers when it returns",
    async () => {
      const messages: string[] = [];
      const cache = new RedisResultCache({ url: redis.url, ttlMs: 60_000, onError: (m) => messages.push(m) });
      try {
        await waitFor("redis connection", async () => cache.health().connected);
        await cache.set("k3", RESULT);
        await redis.stop();
        await waitFor("the client to see the outage", async () => !cache.health().connected);
        expect(await cache.get("k3")).toBeUndefined();
        await cache.set("k4", RESULT); // must not throw
        expect(cache.health().errors).toBeGreaterThanOrEqual(2);
        expect(messages.some((m) => m.includes("serving uncached"))).toBe(true);
        await redis.start();
        await waitFor("reconnect", async () => cache.health().connected, 15_000);
        await cache.set("k5", RESULT);
        expect(await cache.get("k5")).toEqual(RESULT);
      } finally {
        await cache.close();
      }
    },
  );
});
