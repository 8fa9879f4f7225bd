// Environment of the runtime container, per the runtime <-> operator contract. Secrets are
// only ever referenced (secretKeyRef, Secret volumes), never copied into the pod spec.
import type { V1EnvVar } from "@kubernetes/client-node";
import {
  runtimeAuthEnabled,
  type ResolvedModel,
  type ResolvedService,
  type ResolvedStorageEndpoint,
} from "./defaults.js";
import type { ModelSourceLocation } from "./model-source.js";
import { HTTP_PORT, JWKS_FILE, MOUNT } from "./runtime-contract.js";

function value(name: string, v: string | number | boolean): V1EnvVar {
  return { name, value: String(v) };
}

function secretKey(name: string, endpoint: ResolvedStorageEndpoint): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: endpoint.secretName, key: endpoint.secretKey } } };
}

function fieldRef(name: string, fieldPath: string): V1EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } };
}

export interface RuntimeEnvInput {
  service: ResolvedService;
  model: ResolvedModel;
  source: ModelSourceLocation;
  /** CPU cores of the container (limit, else request), when known. */
  cpuCores: number | undefined;
}

export function runtimeEnv({ service, model, source, cpuCores }: RuntimeEnvInput): V1EnvVar[] {
  const rt = service.runtime;
  const { postgres, redis } = service.storage;
  const env: V1EnvVar[] = [value("VIGIL_PORT", HTTP_PORT)];
  // A builtin model lives where the image's own VIGIL_MODEL_DIR default points.
  if (source.kind !== "builtin") env.push(value("VIGIL_MODEL_DIR", MOUNT.model));
  env.push(value("VIGIL_MODEL_NAME", model.name), value("VIGIL_MODEL_VERSION", model.version));
  if (model.maxSequenceLength !== undefined)
    env.push(value("VIGIL_MAX_SEQUENCE_LENGTH", model.maxSequenceLength));
  env.push(
    value("VIGIL_POLICY_FILE", MOUNT.policyFile),
    value("VIGIL_MAX_BATCH_SIZE", rt.maxBatchSize),
    value("VIGIL_MAX_DELAY_MS", rt.maxDelayMs),
    value("VIGIL_MAX_QUEUE", rt.maxQueue),
    value("VIGIL_WORKERS", rt.workers),
  );
  // workers x intra-op threads <= cores of the container, not of the node.
  if (cpuCores !== undefined) {
    env.push(value("VIGIL_INTRA_OP_THREADS", Math.max(1, Math.floor(cpuCores / rt.workers))));
  }
  env.push(
    value("VIGIL_EXECUTION_PROVIDER", model.gpu ? "cuda" : "cpu"),
    value("VIGIL_LOG_LEVEL", rt.logLevel),
    value("VIGIL_SHUTDOWN_GRACE_MS", rt.shutdownGraceMs),
  );
  if (rt.logRawText !== undefined) env.push(value("VIGIL_LOG_RAW_TEXT", rt.logRawText));
  if (rt.rateLimitPerMinute !== undefined)
    env.push(value("VIGIL_RATE_LIMIT_PER_MINUTE", rt.rateLimitPerMinute));
  if (runtimeAuthEnabled(rt)) env.push(value("VIGIL_API_KEYS_DIR", MOUNT.apiKeysDir));
  if (rt.jwt) {
    env.push(
      value("VIGIL_JWT_ISSUER", rt.jwt.issuer),
      value("VIGIL_JWT_AUDIENCE", rt.jwt.audience),
      value("VIGIL_JWT_JWKS_FILE", `${MOUNT.jwksDir}/${JWKS_FILE}`),
    );
  }
  if (postgres) env.push(secretKey("DATABASE_URL", postgres));
  if (redis) env.push(secretKey("REDIS_URL", redis));
  env.push(fieldRef("POD_NAME", "metadata.name"), fieldRef("POD_NAMESPACE", "metadata.namespace"));
  return env;
}

/** The env helpers, for the other containers built from the same contract (the backup Job). */
export { value as envValue, secretKey as secretKeyEnv, fieldRef as fieldRefEnv };
