import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Redis } from "ioredis";
import { startPostgres, startRedis, type TestPostgres, type TestRedis } from "./index.js";
import { redisServerBinary } from "./binaries.js";

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("test harness: PostgreSQL", () => {
  let db: TestPostgres;
  beforeAll(async () => {
    db = await startPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("talks to a real PostgreSQL server", async () => {
    const { rows } = await query(db.url, "select version() as v");
    expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
  });

  it.skipIf(!!process.env.DATABASE_URL)(
    "keeps data across stop/start and refuses connections while stopped",
    async () => {
      await query(db.url, "create table t (id int); insert into t values (1), (2)");
      await db.stop();
      await expect(query(db.url, "select 1")).rejects.toThrow();
      await db.start();
      const { rows } = await query(db.url, "select count(*)::int as n from t");
      expect(rows[0].n).toBe(2);
    },
  );

  it.skipIf(!!process.env.DATABASE_URL)("removes its process and temp dir on close", async () => {
    const own = await startPostgres();
    expect(existsSync(own.dir!)).toBe(true);
    await own.close();
    expect(existsSync(own.dir!)).toBe(false);
    await expect(query(own.url, "select 1")).rejects.toThrow();
  });
});

describe("test harness: Redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it("talks to a real Redis server", async () => {
    const client = new Redis(redis.url);
    try {
      await client.set("vigil:harness", "ok");
      expect(await client.get("vigil:harness")).toBe("ok");
      expect(await client.info("server")).toMatch(/redis_version:\d+/);
    } finally {
      client.disconnect();
    }
  });

  it.skipIf(!!process.env.REDIS_URL)("goes down on stop and comes back on start", async () => {
    await redis.stop();
    const down = new Redis(redis.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on("error", () => undefined); // the rejected connect() below is the assertion
    await expect(down.connect()).rejects.toThrow();
    down.disconnect();
    await redis.start();
    const up = new Redis(redis.url);
    try {
      expect(await up.ping()).toBe("PONG");
    } finally {
      up.disconnect();
    }
  });

  it.skipIf(!!process.env.REDIS_URL)("removes its temp dir on close", async () => {
    const own = await startRedis();
    expect(existsSync(own.dir!)).toBe(true);
    await own.close();
    expect(existsSync(own.dir!)).toBe(false);
  });
});

describe("test harness: missing binaries", () => {
  it("names the Debian package to install", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => redisServerBinary()).toThrow("apt-get install -y redis-server");
    } finally {
      process.env.PATH = path;
    }
  });
});
