// The operator <-> runtime contract end to end: the environment the operator renders into a
// fully specified runtime Deployment is fed to the runtime's own config loader, and every value
// must arrive as the operator meant it. A rename on one side only fails here, not in a cluster.
import type { V1EnvVar } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildDeployment } from "../../operator/desired/deployment.js";
import { fullInput, gpuInput, minimalInput } from "../../operator/desired/fixtures.js";
import { HTTP_PORT, MOUNT, SHUTDOWN_GRACE_MS } from "../../operator/desired/runtime-contract.js";
import { loadConfig, type RuntimeConfig } from "../../runtime/config.js";

// What Kubernetes would put in the variables the Deployment only references.
const REFERENCED: Record<string, string> = {
  DATABASE_URL: "postgres://vigil:secret@db.example:5432/vigil",
  REDIS_URL: "redis://redis.example:6379",
  POD_NAME: "comments-abc12-xyz",
  POD_NAMESPACE: "trust",
};

function renderedEnv(input: ReturnType<typeof fullInput>): Record<string, string> {
  const vars: V1EnvVar[] = buildDeployment(input, "active").spec?.template.spec?.containers[0]?.env ?? [];
  return Object.fromEntries(
    vars.map((v) => {
      const value = v.value ?? REFERENCED[v.name];
      if (value === undefined) throw new Error(`${v.name}: no stand-in for a reference of this kind`);
      return [v.name, value];
    }),
  );
}

/** Each variable the operator may render, and where the runtime must show it. */
const ARRIVES: Record<string, (config: RuntimeConfig, value: string) => void> = {
  VIGIL_PORT: (c, v) => expect(c.port).toBe(Number(v)),
  VIGIL_MODEL_DIR: (c, v) => expect(c.modelDir).toBe(v),
  VIGIL_MODEL_NAME: (c, v) => expect(c.modelName).toBe(v),
  VIGIL_MODEL_VERSION: (c, v) => expect(c.modelVersion).toBe(v),
  VIGIL_MAX_SEQUENCE_LENGTH: (c, v) => expect(c.maxSequenceLength).toBe(Number(v)),
  VIGIL_POLICY_FILE: (c, v) => expect(c.policyFile).toBe(v),
  VIGIL_MAX_BATCH_SIZE: (c, v) => expect(c.maxBatchSize).toBe(Number(v)),
  VIGIL_MAX_DELAY_MS: (c, v) => expect(c.maxDelayMs).toBe(Number(v)),
  VIGIL_MAX_QUEUE: (c, v) => expect(c.maxQueue).toBe(Number(v)),
  VIGIL_WORKERS: (c, v) => expect(c.workers).toBe(Number(v)),
  VIGIL_INTRA_OP_THREADS: (c, v) => expect(c.intraOpThreads).toBe(Number(v)),
  VIGIL_EXECUTION_PROVIDER: (c, v) => expect(c.executionProvider).toBe(v),
  VIGIL_LOG_LEVEL: (c, v) => expect(c.logLevel).toBe(v),
  VIGIL_SHUTDOWN_GRACE_MS: (c, v) => expect(c.shutdownGraceMs).toBe(Number(v)),
  VIGIL_LOG_RAW_TEXT: (c, v) => expect(c.logRawText).toBe(v === "true"),
  VIGIL_RATE_LIMIT_PER_MINUTE: (c, v) => expect(c.rateLimitPerMinute).toBe(Number(v)),
  VIGIL_API_KEYS_DIR: (c, v) => expect(c.apiKeysDir).toBe(v),
  VIGIL_JWT_ISSUER: (c, v) => expect(c.jwt?.issuer).toBe(v),
  VIGIL_JWT_AUDIENCE: (c, v) => expect(c.jwt?.audience).toBe(v),
  VIGIL_JWT_JWKS_FILE: (c, v) => expect(c.jwt?.jwksFile).toBe(v),
  DATABASE_URL: (c, v) => expect(c.databaseUrl).toBe(v),
  REDIS_URL: (c, v) => expect(c.redisUrl).toBe(v),
  POD_NAME: (c, v) => expect(c.podName).toBe(v),
  POD_NAMESPACE: (c, v) => expect(c.podNamespace).toBe(v),
};

describe.each([
  ["full", fullInput],
  ["gpu", gpuInput],
  ["minimal", minimalInput],
])("the %s fixture's runtime environment", (_name, fixture) => {
  const env = renderedEnv(fixture());
  const config = loadConfig(env, 64);

  it("is read in full by the runtime: no variable it does not know", () => {
    expect(config.warnings.filter((w) => w.includes("not a variable this runtime reads"))).toEqual([]);
  });

  it.each(Object.keys(env))("delivers %s", (name) => {
    const check = ARRIVES[name];
    expect(
      check,
      `${name} is rendered by the operator but this test does not know where it lands`,
    ).toBeDefined();
    check!(config, env[name]!);
  });
});

describe("contract constants both sides use", () => {
  it("agree on the port, the policy mount and the shutdown grace", () => {
    const defaults = loadConfig({}, 2);
    expect(defaults.port).toBe(HTTP_PORT);
    expect(defaults.shutdownGraceMs).toBe(SHUTDOWN_GRACE_MS);
    expect(renderedEnv(fullInput()).VIGIL_POLICY_FILE).toBe(MOUNT.policyFile);
  });
});

describe("unknown variables", () => {
  it("are named in a start-up warning instead of being silently ignored", () => {
    const config = loadConfig({ VIGIL_MAX_BATCH: "64", VIGIL_TEST_KUBECONFIG: "/x" }, 2);
    expect(config.warnings).toEqual([
      "VIGIL_MAX_BATCH is not a variable this runtime reads (ignored); check its spelling",
    ]);
  });
});
