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
  });
});
