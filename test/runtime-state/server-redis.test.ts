// The runtime with a real Redis: results cached across pods and invalidated by a Policy change,
// per-client rate limits shared by two pods, and Redis killed mid-test: every request still
// answers 200 (uncached, limits counted per pod), the outage shows in metrics, and both the
// cache and the shared limits come back with Redis.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { startRedis, waitFor, type TestRedis } from "../harness/index.js";
import { makeTempDir, startTestRuntime } from "../runtime/support/runtime.js";
import { call, policyYaml, sample, writeApiKeys } from "./support.js";

const LIMIT = 5;
let redis: TestRedis;
let podA: RunningRuntime;
let podB: RunningRuntime;
let inspector: Redis;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let policyFile: string;
const keys = {
  "client-1": "key-client-1-abcdef",
  "client-2": "key-client-2-abcdef",
  "client-3": "key-client-3-abcdef",
};

beforeAll(async () => {
  redis = await startRedis();
  inspector = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  inspector.on("error", () => undefined);
  await inspector.connect();
  temp = await makeTempDir();
  policyFile = path.join(temp.dir, "policy.yaml");
  await writeFile(policyFile, policyYaml(1));
  const keysDir = path.join(temp.dir, "keys");
  await writeApiKeys(keysDir, keys);
  const env = {
    REDIS_URL: redis.url,
    VIGIL_POLICY_FILE: policyFile,
    VIGIL_POLICY_POLL_MS: "100",
    VIGIL_API_KEYS_DIR: keysDir,
    VIGIL_RATE_LIMIT_PER_MINUTE: String(LIMIT),
  };
  [podA, podB] = await Promise.all([startTestRuntime(env), startTestRuntime(env)]);
  await waitFor(
    "both pods to connect to Redis",
    async () => podA.storage.redis!.up && podB.storage.redis!.up,
  );
});
afterAll(async () => {
  await Promise.all([podA?.stop({ drainDelay: false }), podB?.stop({ drainDelay: false })]);
  inspector?.disconnect();
  await redis?.close();
  await temp?.remove();
});

const classify = (pod: RunningRuntime, text: string, client: keyof typeof keys = "client-1") =>
  call(pod.url, "POST", "/v1/classify", { json: { text }, headers: { "x-api-key": keys[client] } });

describe("result cache in Redis", () => {
  it("serves a repeat from the cache, on another pod too, and misses after a Policy change", async () => {
    const text = `cache test ${Date.now()}`;
    const first = await classify(podA, text, "client-3");
    expect(first.status).toBe(200);
    expect(first.body.results[0].cached).toBe(false);
    const stored = await inspector.keys("vigil:result:v1:*");
    expect(stored.length).toBeGreaterThan(0);
    expect(await inspector.pttl(stored[0]!)).toBeGreaterThan(0);
    const again = await classify(podB, text, "client-3");
    expect(again.body.results[0]).toMatchObject({ cached: true, scores: first.body.results[0].scores });
    expect(await sample(podB.url, "vigil_cache_hits_total")).toBeGreaterThanOrEqual(1);

    await writeFile(policyFile, policyYaml(2, 0.99));
    await waitFor("pod A to apply generation 2", async () => podA.policies.current.generation === 2, 10_000);
    const afterChange = await classify(podA, text, "client-3");
    expect(afterChange.body.policy.generation).toBe(2);
    expect(afterChange.body.results[0].cached).toBe(false);
  });
});

describe("rate limits shared through Redis", () => {
  it("counts one client across pods, sends X-RateLimit-* headers, and answers 429 with Retry-After", async () => {
    await inspector.del(`vigil:ratelimit:key:client-1`);
    const seen: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await classify(i % 2 ? podB : podA, `limit ${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe(String(LIMIT));
      expect(Number(res.headers.get("x-ratelimit-reset"))).toBeGreaterThan(0);
      seen.push(Number(res.headers.get("x-ratelimit-remaining")));
    }
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    const limited = await classify(podB, "one too many");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.body.error).toEqual({
      code: "rate_limited",
      message: expect.stringMatching(/^rate limit of 5 requests per minute exceeded; retry in \d+ s$/),
    });
    // Another client has its own budget.
    expect((await classify(podA, "someone else", "client-2")).status).toBe(200);
    expect(await sample(podB.url, "vigil_rate_limited_requests_total")).toBeGreaterThanOrEqual(1);
  });
});

describe.skipIf(!!process.env.REDIS_URL)("Redis killed mid-test", () => {
  it("keeps answering 200, limits per pod, and recovers cache and shared limits when Redis returns", async () => {
    await redis.stop();
    await waitFor("pod A to see the outage", async () => (await sample(podA.url, "vigil_redis_up")) === 0);
    await inspector.quit().catch(() => undefined);

    // Uncached and unlimited by Redis, but never a 5xx: the same text twice is computed twice
    // (the in-process coalescing only joins concurrent requests).
    const text = `during outage ${Date.now()}`;
    const first = await classify(podA, text, "client-2");
    const second = await classify(podA, text, "client-2");
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.results[0].cached).toBe(false);
    expect(await sample(podA.url, "vigil_rate_limit_local_decisions_total")).toBeGreaterThan(0);
    const redisErrors =
      ((await sample(podA.url, 'vigil_redis_errors_total{operation="cache_get"}')) ?? 0) +
      ((await sample(podA.url, 'vigil_redis_errors_total{operation="cache_set"}')) ?? 0);
    expect(redisErrors).toBeGreaterThan(0);
    expect((await call(podA.url, "GET", "/ready")).body).toMatchObject({
      ready: true,
      dependencies: { redis: { connected: false } },
    });

    // The local fallback still limits: client-3 has LIMIT requests on this pod, then 429.
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await classify(podB, `local ${i}`, "client-3")).status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);

    await redis.start();
    await waitFor(
      "both pods to reconnect",
      async () => podA.storage.redis!.up && podB.storage.redis!.up,
      15_000,
    );
    expect(await sample(podA.url, "vigil_redis_up")).toBe(1);
    const fresh = `after outage ${Date.now()}`;
    await classify(podA, fresh, "client-2");
    expect((await classify(podB, fresh, "client-2")).body.results[0].cached).toBe(true);
    const check = new Redis(redis.url);
    try {
      expect(Number(await check.get("vigil:ratelimit:key:client-2"))).toBeGreaterThan(0);
    } finally {
      check.disconnect();
    }
  });
});
