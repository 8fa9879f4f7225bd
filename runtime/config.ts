// Environment -> typed runtime configuration. The variable names are the contract with the
// operator (see the Pod it renders); every value is validated here so a bad one fails the
// start with a one-line message naming the variable instead of misbehaving later.
import { availableParallelism } from "node:os";
import path from "node:path";
import { ConfigError } from "./errors.js";
import { LANGUAGE_DATABASES, type LanguageDatabase } from "./language/language-detector.js";
import { PACKAGE_ROOT } from "./paths.js";

export type ExecutionProvider = "cpu" | "cuda";
export interface JwtConfig {
  issuer: string;
  audience: string;
  /** A JSON Web Key Set file (the mounted Secret); re-read while running, for key rotation. */
  jwksFile: string;
}
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
  /** Overrides the model's truncation length (tokens, special tokens included). */
  maxSequenceLength: number | undefined;
  /** A text longer than the model's limit is scored in up to this many overlapping windows. */
  maxWindows: number;
  /** Tokens per window (default: the model's limit); smaller windows dilute a harmful phrase less. */
  windowTokens: number | undefined;
  /** Largest accepted request body; larger ones get 413. */
  maxBodyBytes: number;
  /** Slow clients: the whole request (headers and body) must arrive within this, else 408. */
  requestTimeoutMs: number;
  /** Slow clients: the request headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; longer than a load balancer's idle timeout. */
  keepAliveTimeoutMs: number;
  /** Open connections the listener accepts; past it new ones are refused at once. */
  maxConnections: number;
  /** Postgres decision log and review queue; unset: decisions go to stdout (or nowhere). */
  databaseUrl: string | undefined;
  /** Redis result cache and distributed rate limits; unset: both stay in this process. */
  redisUrl: string | undefined;
  /** Longest a Redis command may add to a request before it counts as a failure. */
  redisCommandTimeoutMs: number;
  /** Decisions held in memory while Postgres is unreachable; past it new ones are dropped (counted). */
  decisionBufferMax: number;
  /** Store raw text in the decision log (otherwise only its sha256). */
  logRawText: boolean;
  /** A mounted Secret: every file is one API key, named by its file name. */
  apiKeysDir: string | undefined;
  /** One API key per line (`key` or `name key`), for local runs. */
  apiKeysFile: string | undefined;
  jwt: JwtConfig | undefined;
  /** How often API keys and the JWKS are re-read (Secret rotation). */
  credentialsPollMs: number;
  /** Requests per minute per client; unset: no rate limit. */
  rateLimitPerMinute: number | undefined;
  /** Serve /metrics (and the probes) on this port instead of the API port. */
  metricsPort: number | undefined;
  /** Shed load (503) when the mean event-loop delay exceeds this; 0 disables. */
  maxEventLoopDelayMs: number;
  /** Shed load when the V8 heap in use exceeds this; undefined: 90% of the heap limit; 0 disables. */
  maxHeapUsedBytes: number | undefined;
  /** How often event-loop delay and heap are sampled for load shedding. */
  pressureSampleMs: number;
  /** On SIGTERM: how long readiness fails while requests are still served, before the listener closes. */
  shutdownDelayMs: number;
  /** Non-fatal findings (e.g. more threads than cores) for the start-up log. */
  warnings: string[];
}

export const DEFAULT_MODEL_DIR = path.join(PACKAGE_ROOT, "runtime/models/default");
export const DEFAULT_POLICY_FILE = path.join(PACKAGE_ROOT, "runtime/default-policy.yaml");

type Env = Record<string, string | undefined>;

/** VIGIL_* variables of the test suites and tools, not of the runtime. */
const IGNORED_PREFIXES = ["VIGIL_TEST_", "VIGIL_FUZZ_", "VIGIL_BENCH_"];

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

function optionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  return text(env, name) === undefined ? undefined : integer(env, name, 0, min, max);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got '${env[name]}'`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The value is a secret: name the variable, never echo it.
    throw new ConfigError(`${name} is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    const accepted = protocols.map((p) => `${p}//`).join(" or ");
    throw new ConfigError(`${name} must be a ${accepted} URL, got ${parsed.protocol}//`);
  }
  return raw;
}

function jwtConfig(env: Env): JwtConfig | undefined {
  const names = ["VIGIL_JWT_ISSUER", "VIGIL_JWT_AUDIENCE", "VIGIL_JWT_JWKS_FILE"] as const;
  const [issuer, audience, jwksFile] = names.map((n) => text(env, n));
  if (issuer === undefined && audience === undefined && jwksFile === undefined) return undefined;
  const missing = names.filter((n) => text(env, n) === undefined);
  if (missing.length > 0) {
    throw new ConfigError(`JWT auth needs ${names.join(", ")}; missing ${missing.join(", ")}`);
  }
  return { issuer: issuer!, audience: audience!, jwksFile: path.resolve(jwksFile!) };
}

function optionalPath(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  return raw === undefined ? undefined : path.resolve(raw);
}

function mebibytes(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1024 * 1024;
}

/** Reads and validates the configuration; throws ConfigError with a one-line message. */
export function loadConfig(source: Env = process.env, cores = availableParallelism()): RuntimeConfig {
  const warnings: string[] = [];
  // Every variable is read through this view, so what was never read is a name this runtime
  // does not know: a typo, or a contract rename on one side only. Warn instead of ignoring it.
  const read = new Set<string>();
  const env: Env = new Proxy(source, {
    get: (target, name) => {
      if (typeof name === "string") read.add(name);
      return Reflect.get(target, name);
    },
  });
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
  const shutdownGraceMs = integer(env, "VIGIL_SHUTDOWN_GRACE_MS", 25_000, 0, 3_600_000);
  // Never more than half the grace period: the rest is for in-flight work and the flush.
  const shutdownDelayMs = Math.min(
    integer(env, "VIGIL_SHUTDOWN_DELAY_MS", 2000, 0, 600_000),
    Math.floor(shutdownGraceMs / 2),
  );
  const requestTimeoutMs = integer(env, "VIGIL_REQUEST_TIMEOUT_MS", 30_000, 100, 600_000);
  const config: RuntimeConfig = {
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
    shutdownGraceMs,
    cacheMaxEntries: integer(env, "VIGIL_CACHE_MAX_ENTRIES", 10_000, 0, 10_000_000),
    cacheTtlMs: integer(env, "VIGIL_CACHE_TTL_SECONDS", 300, 1, 86_400 * 30) * 1000,
    decisionLog: oneOf(env, "VIGIL_DECISION_LOG", ["stdout", "off"] as const, "stdout"),
    languageDatabase: oneOf(env, "VIGIL_LANGUAGE_DATABASE", LANGUAGE_DATABASES, "extrasmall"),
    podName: text(env, "POD_NAME"),
    podNamespace: text(env, "POD_NAMESPACE"),
    maxSequenceLength: optionalInteger(env, "VIGIL_MAX_SEQUENCE_LENGTH", 8, 8192),
    maxWindows: integer(env, "VIGIL_MAX_WINDOWS", 8, 1, 64),
    windowTokens: optionalInteger(env, "VIGIL_WINDOW_TOKENS", 8, 8192),
    maxBodyBytes: integer(env, "VIGIL_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
    requestTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeoutMs: Math.min(
      integer(env, "VIGIL_HEADERS_TIMEOUT_MS", 10_000, 100, 600_000),
      requestTimeoutMs,
    ),
    keepAliveTimeoutMs: integer(env, "VIGIL_KEEP_ALIVE_TIMEOUT_MS", 65_000, 100, 3_600_000),
    maxConnections: integer(env, "VIGIL_MAX_CONNECTIONS", 10_000, 1, 1_000_000),
    databaseUrl: url(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    redisCommandTimeoutMs: integer(env, "VIGIL_REDIS_COMMAND_TIMEOUT_MS", 100, 1, 10_000),
    decisionBufferMax: integer(env, "VIGIL_DECISION_BUFFER_MAX", 100_000, 1, 10_000_000),
    logRawText: boolean(env, "VIGIL_LOG_RAW_TEXT", false),
    apiKeysDir: optionalPath(env, "VIGIL_API_KEYS_DIR"),
    apiKeysFile: optionalPath(env, "VIGIL_API_KEYS_FILE"),
    jwt: jwtConfig(env),
    credentialsPollMs: integer(env, "VIGIL_CREDENTIALS_POLL_MS", 10_000, 100, 3_600_000),
    rateLimitPerMinute: optionalInteger(env, "VIGIL_RATE_LIMIT_PER_MINUTE", 1, 10_000_000),
    metricsPort: optionalInteger(env, "VIGIL_METRICS_PORT", 0, 65535),
    maxEventLoopDelayMs: integer(env, "VIGIL_MAX_EVENT_LOOP_DELAY_MS", 1000, 0, 60_000),
    maxHeapUsedBytes: mebibytes(optionalInteger(env, "VIGIL_MAX_HEAP_USED_MB", 0, 1_000_000)),
    pressureSampleMs: integer(env, "VIGIL_PRESSURE_SAMPLE_MS", 1000, 10, 60_000),
    shutdownDelayMs,
    warnings,
  };
  for (const name of Object.keys(source).sort()) {
    if (name.startsWith("VIGIL_") && !read.has(name) && !IGNORED_PREFIXES.some((p) => name.startsWith(p))) {
      warnings.push(`${name} is not a variable this runtime reads (ignored); check its spelling`);
    }
  }
  return config;
}
