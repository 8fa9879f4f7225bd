// Environment -> typed runtime configuration. The variable names are the contract with the
// operator (see the Pod it renders); every value is validated here so a bad one fails the
// start with a one-line message naming the variable instead of misbehaving later.
import { availableParallelism } from "node:os";
import path from "node:path";
import { ConfigError } from "./errors.js";
import { LANGUAGE_DATABASES, type LanguageDatabase } from "./language/language-detector.js";
import { PACKAGE_ROOT } from "./paths.js";

export type ExecutionProvider = "cpu" | "cuda";
export type DecisionLogTarget = "stdout" | "off";
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RuntimeConfig {
  port: number;
  host: string;
  modelDir: string;
  /** Overrides the name derived from config.json / the directory. */
  modelName: string | undefined;
  modelVersion: string;
  policyFile: string;
  /** How often the policy file is re-read in case a file-system event was missed. */
  policyPollMs: number;
  maxBatchSize: number;
  maxDelayMs: number;
  maxQueue: number;
  workers: number;
  intraOpThreads: number;
  executionProvider: ExecutionProvider;
  logLevel: LogLevel;
  shutdownGraceMs: number;
  /** 0 disables the result cache. */
  cacheMaxEntries: number;
  cacheTtlMs: number;
  decisionLog: DecisionLogTarget;
  /** eld database size: larger is more accurate on very short texts and costs memory. */
  languageDatabase: LanguageDatabase;
  podName: string | undefined;
  podNamespace: string | undefined;
  /** Non-fatal findings (e.g. more threads than cores) for the start-up log. */
  warnings: string[];
}

export const DEFAULT_MODEL_DIR = path.join(PACKAGE_ROOT, "runtime/models/default");
export const DEFAULT_POLICY_FILE = path.join(PACKAGE_ROOT, "runtime/default-policy.yaml");

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got '${raw}'`);
  }
  return value as T;
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/** Reads and validates the configuration; throws ConfigError with a one-line message. */
export function loadConfig(env: Env = process.env, cores = availableParallelism()): RuntimeConfig {
  const warnings: string[] = [];
  const workers = integer(env, "VIGIL_WORKERS", 1, 1, 64);
  const intraOpThreads = integer(
    env,
    "VIGIL_INTRA_OP_THREADS",
    Math.max(1, Math.floor(cores / workers)),
    1,
    256,
  );
  if (workers * intraOpThreads > cores) {
    warnings.push(
      `VIGIL_WORKERS x VIGIL_INTRA_OP_THREADS = ${workers * intraOpThreads} exceeds the ${cores} cores; ` +
        "inference threads will contend for CPU",
    );
  }
  return {
    port: integer(env, "VIGIL_PORT", 8080, 0, 65535),
    host: text(env, "VIGIL_HOST") ?? "0.0.0.0",
    modelDir: path.resolve(text(env, "VIGIL_MODEL_DIR") ?? DEFAULT_MODEL_DIR),
    modelName: text(env, "VIGIL_MODEL_NAME"),
    modelVersion: text(env, "VIGIL_MODEL_VERSION") ?? "0.0.0",
    policyFile: path.resolve(text(env, "VIGIL_POLICY_FILE") ?? DEFAULT_POLICY_FILE),
    policyPollMs: integer(env, "VIGIL_POLICY_POLL_MS", 5000, 100, 3_600_000),
    maxBatchSize: integer(env, "VIGIL_MAX_BATCH_SIZE", 32, 1, 1024),
    maxDelayMs: integer(env, "VIGIL_MAX_DELAY_MS", 5, 0, 10_000),
    maxQueue: integer(env, "VIGIL_MAX_QUEUE", 1024, 1, 1_000_000),
    workers,
    intraOpThreads,
    executionProvider: oneOf(env, "VIGIL_EXECUTION_PROVIDER", ["cpu", "cuda"] as const, "cpu"),
    logLevel: oneOf(env, "VIGIL_LOG_LEVEL", LOG_LEVELS, "info"),
    shutdownGraceMs: integer(env, "VIGIL_SHUTDOWN_GRACE_MS", 25_000, 0, 3_600_000),
    cacheMaxEntries: integer(env, "VIGIL_CACHE_MAX_ENTRIES", 10_000, 0, 10_000_000),
    cacheTtlMs: integer(env, "VIGIL_CACHE_TTL_SECONDS", 300, 1, 86_400 * 30) * 1000,
    decisionLog: oneOf(env, "VIGIL_DECISION_LOG", ["stdout", "off"] as const, "stdout"),
    languageDatabase: oneOf(env, "VIGIL_LANGUAGE_DATABASE", LANGUAGE_DATABASES, "extrasmall"),
    podName: text(env, "POD_NAME"),
    podNamespace: text(env, "POD_NAMESPACE"),
    warnings,
  };
}
