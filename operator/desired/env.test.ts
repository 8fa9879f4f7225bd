import { describe, expect, it } from "vitest";
import type { V1EnvVar } from "@kubernetes/client-node";
import { buildChildren } from "./children.js";
import { buildDeployment } from "./deployment.js";
import { fullInput, minimalInput } from "./fixtures.js";

function envOf(input = fullInput()): V1EnvVar[] {
  return buildDeployment(input, "active").spec?.template.spec?.containers[0]?.env ?? [];
}

describe("runtime environment", () => {
  it("takes DATABASE_URL and REDIS_URL from Secret keys by reference only", () => {
    const env = envOf();
    expect(env.find((e) => e.name === "DATABASE_URL")).toEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "comments-db", key: "url" } },
    });
    expect(env.find((e) => e.name === "REDIS_URL")).toEqual({
      name: "REDIS_URL",
      valueFrom: { secretKeyRef: { name: "comments-redis", key: "connection-url" } },
    });
  });

  it("never renders a Secret's name or a connection string into a plain value anywhere", () => {
    const secretNames = ["comments-db", "comments-redis", "comments-api-keys", "comments-jwks"];
    for (const child of buildChildren(fullInput())) {
      const plainValues: string[] = [];
      JSON.stringify(child, (key, value: unknown) => {
        if (key === "value" && typeof value === "string") plainValues.push(value);
        return value;
      });
      for (const value of plainValues) {
        expect(value).not.toMatch(/^(postgres(ql)?|redis|rediss):\/\//);
        expect(secretNames).not.toContain(value);
      }
    }
    // The only places a Secret is named: secretKeyRef and secret (or projected secret) volumes.
    const pod = buildDeployment(fullInput(), "active").spec?.template.spec;
    const secretVolumes = (pod?.volumes ?? []).flatMap((v) => [
      ...(v.secret ? [v.secret.secretName] : []),
      ...(v.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret.name] : [])),
    ]);
    expect(secretVolumes).toEqual(["comments-api-keys", "comments-prod-quality-gate", "comments-jwks"]);
  });

  it("projects the quality gate's key next to the user's API keys, as a key without review rights", () => {
    const pod = buildDeployment(fullInput(), "active").spec?.template.spec;
    const apiKeys = pod?.volumes?.find((v) => v.name === "api-keys");
    expect(apiKeys?.projected?.sources).toEqual([
      { secret: { name: "comments-api-keys" } },
      {
        secret: {
          name: "comments-prod-quality-gate",
          items: [{ key: "api-key", path: "vigil-quality-gate" }],
        },
      },
    ]);
  });

  it("gives a JWT-only runtime an API keys directory holding just the gate's key", () => {
    const input = fullInput();
    delete (input.service.spec.runtime!.auth as { apiKeysSecretRef?: unknown }).apiKeysSecretRef;
    const deployment = buildDeployment(input, "active");
    const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.name === "api-keys");
    expect(volume?.projected?.sources?.map((s) => s.secret?.name)).toEqual(["comments-prod-quality-gate"]);
    expect(deployment.spec?.template.spec?.containers[0]?.env).toContainEqual({
      name: "VIGIL_API_KEYS_DIR",
      value: "/etc/vigil/api-keys",
    });
  });

  it("mounts the API keys Secret read-only and points the runtime at it", () => {
    const deployment = buildDeployment(fullInput(), "active");
    const runtime = deployment.spec?.template.spec?.containers[0];
    expect(runtime?.volumeMounts).toContainEqual({
      name: "api-keys",
      mountPath: "/etc/vigil/api-keys",
      readOnly: true,
    });
    expect(runtime?.env).toContainEqual({ name: "VIGIL_API_KEYS_DIR", value: "/etc/vigil/api-keys" });
    expect(runtime?.env).toContainEqual({ name: "VIGIL_JWT_JWKS_FILE", value: "/etc/vigil/jwks/jwks.json" });
  });

  it("has no storage, auth or rate-limit settings when the spec has none", () => {
    const names = envOf(minimalInput()).map((e) => e.name);
    for (const absent of ["DATABASE_URL", "REDIS_URL", "VIGIL_API_KEYS_DIR", "VIGIL_RATE_LIMIT_PER_MINUTE"]) {
      expect(names).not.toContain(absent);
    }
  });

  it("passes the contract's defaults explicitly", () => {
    expect(envOf(minimalInput())).toEqual(
      expect.arrayContaining([
        { name: "VIGIL_PORT", value: "8080" },
        { name: "VIGIL_MODEL_NAME", value: "toxic-bert" },
        { name: "VIGIL_MODEL_VERSION", value: "3.1.0" },
        { name: "VIGIL_MAX_BATCH_SIZE", value: "32" },
        { name: "VIGIL_MAX_DELAY_MS", value: "5" },
        { name: "VIGIL_MAX_QUEUE", value: "1024" },
        { name: "VIGIL_WORKERS", value: "1" },
        { name: "VIGIL_LOG_LEVEL", value: "info" },
        { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
        {
          name: "POD_NAMESPACE",
          valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
        },
      ]),
    );
  });

  it("sizes intra-op threads from the container's CPU, not the node's", () => {
    // full: cpu limit 4, 2 workers -> 2 threads each.
    expect(envOf()).toContainEqual({ name: "VIGIL_INTRA_OP_THREADS", value: "2" });
    // minimal: default request 500m -> at least 1 thread.
    expect(envOf(minimalInput())).toContainEqual({ name: "VIGIL_INTRA_OP_THREADS", value: "1" });
  });

  it("has no duplicate variable names", () => {
    for (const input of [minimalInput(), fullInput()]) {
      const names = envOf(input).map((e) => e.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
