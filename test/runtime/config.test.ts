import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, DEFAULT_POLICY_FILE, loadConfig } from "../../runtime/config.js";
import { ConfigError } from "../../runtime/errors.js";

describe("loadConfig", () => {
  it("uses the contract's defaults", () => {
    const config = loadConfig({}, 2);
    expect(config).toMatchObject({
      port: 8080,
      modelDir: DEFAULT_MODEL_DIR,
      modelVersion: "0.0.0",
      policyFile: DEFAULT_POLICY_FILE,
      maxBatchSize: 32,
      maxDelayMs: 5,
      maxQueue: 1024,
      workers: 1,
      intraOpThreads: 2,
      executionProvider: "cpu",
      logLevel: "info",
      shutdownGraceMs: 25_000,
      warnings: [],
    });
    expect(config.modelName).toBeUndefined();
    expect(path.isAbsolute(config.modelDir)).toBe(true);
  });

  it("divides the cores between workers for intra-op threads, at least one each", () => {
    expect(loadConfig({ VIGIL_WORKERS: "2" }, 8).intraOpThreads).toBe(4);
    expect(loadConfig({ VIGIL_WORKERS: "4" }, 2).intraOpThreads).toBe(1);
  });

  it("warns when workers x threads exceed the cores", () => {
    const config = loadConfig({ VIGIL_WORKERS: "2", VIGIL_INTRA_OP_THREADS: "2" }, 2);
    expect(config.warnings).toEqual([expect.stringContaining("exceeds the 2 cores")]);
  });

  it("reads every variable of the operator contract", () => {
    const config = loadConfig(
      {
        VIGIL_PORT: "9090",
        VIGIL_MODEL_DIR: "/models/model",
        VIGIL_MODEL_NAME: "toxic-bert",
        VIGIL_MODEL_VERSION: "3.1.0",
        VIGIL_POLICY_FILE: "/etc/vigil/policy/policy.yaml",
        VIGIL_MAX_BATCH_SIZE: "64",
        VIGIL_MAX_DELAY_MS: "2",
        VIGIL_MAX_QUEUE: "10",
        VIGIL_EXECUTION_PROVIDER: "CUDA",
        VIGIL_LOG_LEVEL: "debug",
        VIGIL_SHUTDOWN_GRACE_MS: "1000",
        POD_NAME: "comments-7d9f-abc",
        POD_NAMESPACE: "trust",
      },
      4,
    );
    expect(config).toMatchObject({
      port: 9090,
      modelDir: "/models/model",
      modelName: "toxic-bert",
      modelVersion: "3.1.0",
      policyFile: "/etc/vigil/policy/policy.yaml",
      maxBatchSize: 64,
      maxDelayMs: 2,
      maxQueue: 10,
      executionProvider: "cuda",
      logLevel: "debug",
      shutdownGraceMs: 1000,
      podName: "comments-7d9f-abc",
      podNamespace: "trust",
    });
  });

  it("reads the state and protection variables the operator renders", () => {
    const config = loadConfig(
      {
        DATABASE_URL: "postgres://vigil:s3cret@db:5432/vigil",
        REDIS_URL: "redis://:pw@redis:6379/0",
        VIGIL_API_KEYS_DIR: "/etc/vigil/api-keys",
        VIGIL_API_KEYS_FILE: "keys.txt",
        VIGIL_JWT_ISSUER: "https://idp.example/",
        VIGIL_JWT_AUDIENCE: "vigil",
        VIGIL_JWT_JWKS_FILE: "/etc/vigil/jwks/jwks.json",
        VIGIL_RATE_LIMIT_PER_MINUTE: "600",
        VIGIL_LOG_RAW_TEXT: "true",
        VIGIL_MAX_SEQUENCE_LENGTH: "256",
        VIGIL_METRICS_PORT: "9091",
        VIGIL_MAX_BODY_BYTES: "65536",
        VIGIL_DECISION_BUFFER_MAX: "5000",
        VIGIL_MAX_HEAP_USED_MB: "512",
        VIGIL_SHUTDOWN_GRACE_MS: "10000",
        VIGIL_SHUTDOWN_DELAY_MS: "3000",
      },
      2,
    );
    expect(config).toMatchObject({
      databaseUrl: "postgres://vigil:s3cret@db:5432/vigil",
      redisUrl: "redis://:pw@redis:6379/0",
      apiKeysDir: "/etc/vigil/api-keys",
      apiKeysFile: path.resolve("keys.txt"),
      jwt: { issuer: "https://idp.example/", audience: "vigil", jwksFile: "/etc/vigil/jwks/jwks.json" },
      rateLimitPerMinute: 600,
      logRawText: true,
      maxSequenceLength: 256,
      metricsPort: 9091,
      maxBodyBytes: 65536,
      decisionBufferMax: 5000,
      maxHeapUsedBytes: 512 * 1024 * 1024,
      shutdownDelayMs: 3000,
    });
  });

  it("leaves storage, auth and limits off by default", () => {
    const config = loadConfig({}, 2);
    expect(config).toMatchObject({
      databaseUrl: undefined,
      redisUrl: undefined,
      apiKeysDir: undefined,
      apiKeysFile: undefined,
      jwt: undefined,
      rateLimitPerMinute: undefined,
      logRawText: false,
      maxSequenceLength: undefined,
      metricsPort: undefined,
      maxBodyBytes: 1024 * 1024,
      maxEventLoopDelayMs: 1000,
      maxHeapUsedBytes: undefined,
      shutdownDelayMs: 2000,
    });
  });

  it("keeps the readiness-first delay within half the grace period", () => {
    expect(
      loadConfig({ VIGIL_SHUTDOWN_GRACE_MS: "3000", VIGIL_SHUTDOWN_DELAY_MS: "5000" }, 2).shutdownDelayMs,
    ).toBe(1500);
  });

  it("bounds slow clients and connections, keeping the headers timeout within the request timeout", () => {
    expect(loadConfig({}, 2)).toMatchObject({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 10_000,
    });
    const tight = loadConfig({ VIGIL_REQUEST_TIMEOUT_MS: "2000", VIGIL_HEADERS_TIMEOUT_MS: "5000" }, 2);
    expect(tight.headersTimeoutMs).toBe(2000);
  });

  it("rejects bad values with a one-line message naming the variable", () => {
    const message = (env: Record<string, string>): string => {
      try {
        loadConfig(env, 2);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error("expected a ConfigError");
    };
    expect(message({ VIGIL_PORT: "http" })).toBe("VIGIL_PORT must be an integer from 0 to 65535, got 'http'");
    expect(message({ VIGIL_MAX_BATCH_SIZE: "0" })).toContain(
      "VIGIL_MAX_BATCH_SIZE must be an integer from 1",
    );
    expect(message({ VIGIL_MAX_DELAY_MS: "1.5" })).toContain("VIGIL_MAX_DELAY_MS");
    expect(message({ VIGIL_EXECUTION_PROVIDER: "tpu" })).toBe(
      "VIGIL_EXECUTION_PROVIDER must be one of cpu, cuda, got 'tpu'",
    );
    expect(message({ VIGIL_LOG_LEVEL: "loud" })).toContain("VIGIL_LOG_LEVEL must be one of");
    expect(message({ VIGIL_LOG_RAW_TEXT: "sometimes" })).toBe(
      "VIGIL_LOG_RAW_TEXT must be true or false, got 'sometimes'",
    );
    expect(message({ VIGIL_MAX_SEQUENCE_LENGTH: "4" })).toContain(
      "VIGIL_MAX_SEQUENCE_LENGTH must be an integer from 8",
    );
    expect(message({ VIGIL_RATE_LIMIT_PER_MINUTE: "0" })).toContain("VIGIL_RATE_LIMIT_PER_MINUTE");
    expect(message({ VIGIL_JWT_ISSUER: "https://idp/" })).toBe(
      "JWT auth needs VIGIL_JWT_ISSUER, VIGIL_JWT_AUDIENCE, VIGIL_JWT_JWKS_FILE; missing VIGIL_JWT_AUDIENCE, VIGIL_JWT_JWKS_FILE",
    );
    // Connection strings hold passwords: the message names the variable, never the value.
    const secretMessage = message({ DATABASE_URL: "mysql://root:hunter2@db/x" });
    expect(secretMessage).toBe("DATABASE_URL must be a postgres:// or postgresql:// URL, got mysql://");
    expect(message({ REDIS_URL: "not a url hunter2" })).toBe("REDIS_URL is not a URL");
  });
});
