// Starts the runtime from a RuntimeConfig and stops it gracefully. Order matters:
//   model metadata + policy + credentials (fail fast, before anything listens) -> storage
//   (Redis, Postgres: degrade, never fail) -> HTTP listening (probes answer during a slow model
//   load) -> language data + inference workers -> ready.
// Shutdown (SIGTERM): readiness fails at once while requests are still served for
// `shutdownDelayMs` (the endpoints controller takes the pod out of the Service meanwhile) ->
// stop accepting and finish in-flight requests -> finish queued batches and stop the workers
// -> flush the decision buffer -> close pools; all bounded by the grace period.
import { existsSync, writeFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import type { FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { Authenticator } from "../auth/authenticator.js";
import type { RuntimeConfig } from "../config.js";
import { loadModelDescriptor, type ModelDescriptor } from "../inference/model-dir.js";
import { OnnxTextClassifier } from "../inference/text-classifier.js";
import { LanguageDetector } from "../language/language-detector.js";
import { Moderator } from "../moderation/moderator.js";
import { RUNTIME_VERSION } from "../paths.js";
import { PolicyStore } from "../policy/policy-store.js";
import { buildApp, type LoadSheddingSettings } from "./app.js";
import { RuntimeMetrics } from "./metrics.js";
import { buildOpsApp } from "./ops-app.js";
import { RuntimeState } from "./runtime-state.js";
import { Storage } from "./storage.js";

export interface RunningRuntime {
  app: FastifyInstance;
  /** The /metrics + probes listener when VIGIL_METRICS_PORT is set. */
  opsApp: FastifyInstance | undefined;
  state: RuntimeState;
  metrics: RuntimeMetrics;
  policies: PolicyStore;
  storage: Storage;
  /** http://host:port the server listens on. */
  url: string;
  /** http://host:port of the ops listener, when there is one. */
  opsUrl: string | undefined;
  /** Settles when the model has loaded (or rejects with the load error). */
  modelReady: Promise<void>;
  /**
   * Graceful shutdown; resolves when everything is closed or the grace period ran out.
   * `drainDelay: false` skips the readiness-first delay (Ctrl-C, a failed start).
   */
  stop(options?: { drainDelay?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Defaults to JSON logs on stdout at config.logLevel. */
  logger?: Logger;
}

// Kubernetes shows this file's content as the container's termination message, so the
// operator can report a bad model within seconds instead of a bare CrashLoopBackOff.
const TERMINATION_LOG = "/dev/termination-log";

export function writeTerminationMessage(message: string): void {
  try {
    if (existsSync(TERMINATION_LOG)) writeFileSync(TERMINATION_LOG, message);
  } catch {
    // Not in a pod, or not writable: the log line is enough.
  }
}

function publishPolicy(metrics: RuntimeMetrics, name: string, generation: number): void {
  metrics.policyGeneration.reset();
  metrics.policyGeneration.set({ policy: name }, generation);
  metrics.policyValid.set(1);
}

function loadSheddingSettings(config: RuntimeConfig): LoadSheddingSettings {
  return {
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    // Default: shed before V8 runs out of heap, rather than crash with every request lost.
    maxHeapUsedBytes: config.maxHeapUsedBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    sampleIntervalMs: config.pressureSampleMs,
  };
}

/** Opens the policy file (hot reload reported in metrics and logs) and warns about a poor fit to the model. */
async function openPolicies(
  config: RuntimeConfig,
  model: ModelDescriptor,
  metrics: RuntimeMetrics,
  log: Logger,
): Promise<PolicyStore> {
  const policies = await PolicyStore.open(config.policyFile, {
    labels: model.labels,
    pollMs: config.policyPollMs,
    events: {
      onApplied: (next, previous) => {
        publishPolicy(metrics, next.name, next.generation);
        log.info(
          { policy: next.name, generation: next.generation, previousGeneration: previous.generation },
          "policy reloaded",
        );
      },
      onRejected: (failure) => {
        metrics.policyReloadFailures.inc();
        metrics.policyValid.set(0);
        log.warn(
          { error: failure.message, ...(failure.error !== undefined && { err: failure.error }) },
          "policy file rejected; the previous policy stays in force",
        );
      },
    },
  });
  publishPolicy(metrics, policies.current.name, policies.current.generation);
  const uncovered = policies.current.engine.uncoveredLabels;
  if (uncovered.length > 0) {
    log.warn(
      `model labels no policy category thresholds: ${uncovered.join(", ")}; their scores never flag, review or block ` +
        "(set VIGIL_POLICY_FILE to a Policy written for this model; see config/samples/policy-*.yaml)",
    );
  }
  for (const category of policies.current.engine.unknownCategories) {
    log.warn(
      `policy category '${category}' is neither a model label (${model.labels.join(", ")}) nor a mapped name`,
    );
  }

  return policies;
}

/** API keys and JWT verification, reloaded as mounted credentials change. */
async function openAuthenticator(config: RuntimeConfig, log: Logger): Promise<Authenticator> {
  const authenticator = await Authenticator.open(config);
  log.info(`auth: ${authenticator.describe()}`);
  if (authenticator.enabled && !config.jwt && authenticator.apiKeyCount === 0) {
    log.warn("no API keys found: every API request will be refused with 401 until keys are mounted");
  }
  authenticator.startReloading(config.credentialsPollMs, (message) => log.warn(message));
  log.info(
    config.rateLimitPerMinute === undefined
      ? "rate limit: off"
      : `rate limit: ${config.rateLimitPerMinute} requests per minute per client (${config.redisUrl ? "shared in Redis" : "per pod"})`,
  );

  return authenticator;
}

/**
 * Loads the language detector and the model in the background (the HTTP server already answers
 * probes); the state turns ready when both are loaded, or reports why the model failed.
 */
async function loadModel(
  config: RuntimeConfig,
  model: ModelDescriptor,
  deps: {
    state: RuntimeState;
    policies: PolicyStore;
    storage: Storage;
    metrics: RuntimeMetrics;
    log: Logger;
  },
): Promise<OnnxTextClassifier> {
  const { state, policies, storage, metrics, log } = deps;
  const started = performance.now();
  try {
    const [languages, loaded] = await Promise.all([
      LanguageDetector.load(config.languageDatabase),
      OnnxTextClassifier.load(
        model,
        {
          workers: config.workers,
          intraOpThreads: config.intraOpThreads,
          executionProvider: config.executionProvider,
          maxWindows: config.maxWindows,
          windowLength: config.windowTokens,
          onEvent: (level, message) => log[level](message),
        },
        { maxBatchSize: config.maxBatchSize, maxDelayMs: config.maxDelayMs, maxQueue: config.maxQueue },
        metrics,
      ),
    ]);
    if (loaded.providerWarning) log.warn(loaded.providerWarning);
    const moderator = new Moderator({
      classifier: loaded,
      languages,
      policies,
      cache: storage.cache,
      decisions: storage.decisions,
      metrics,
      podName: config.podName,
      logRawText: config.logRawText,
    });
    state.modelLoaded(moderator, loaded.info.provider);
    metrics.modelInfo.set(
      {
        model: model.name,
        version: model.version,
        provider: loaded.info.provider,
        labels: model.labels.join(","),
        max_length: String(model.maxLength),
      },
      1,
    );
    log.info(
      {
        model: model.name,
        version: model.version,
        labels: model.labels,
        maxLength: model.maxLength,
        provider: loaded.info.provider,
        workers: config.workers,
        intraOpThreads: config.intraOpThreads,
        languages: languages.languages.length,
        loadMs: Math.round(performance.now() - started),
      },
      "model loaded; ready",
    );
    return loaded;
  } catch (error) {
    state.modelFailed(error instanceof Error ? error.message : String(error));
    throw error;
  }
}

export async function startRuntime(
  config: RuntimeConfig,
  options: StartOptions = {},
): Promise<RunningRuntime> {
  const log = options.logger ?? pino({ level: config.logLevel, base: { pod: config.podName } });
  for (const warning of config.warnings) log.warn(warning);
  const metrics = new RuntimeMetrics();

  const model: ModelDescriptor = await loadModelDescriptor(config.modelDir, {
    name: config.modelName,
    version: config.modelVersion,
    maxSequenceLength: config.maxSequenceLength,
  });
  if (model.truncationNote) log.warn(model.truncationNote);
  const policies = await openPolicies(config, model, metrics, log);

  let authenticator: Authenticator;
  try {
    authenticator = await openAuthenticator(config, log);
  } catch (error) {
    policies.close();
    throw error;
  }

  const storage = Storage.open(config, metrics, log);
  log.info(storage.describe(config));

  const state = new RuntimeState({
    model: { name: model.name, version: model.version, labels: model.labels },
    policyStatus: () => policies.status(),
    cacheDescription: storage.cache.description,
    decisionsDescription: storage.decisions.description,
    serverVersion: RUNTIME_VERSION,
    dependencies: () => storage.dependencies(),
  });
  const app = await buildApp({
    state,
    metrics,
    logger: log,
    bodyLimitBytes: config.maxBodyBytes,
    authenticator,
    rateLimitPerMinute: config.rateLimitPerMinute,
    redis: storage.redis,
    loadShedding: loadSheddingSettings(config),
    decisionQueries: storage.queries,
    serveMetrics: config.metricsPort === undefined,
    connectionLimits: {
      requestTimeoutMs: config.requestTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      maxConnections: config.maxConnections,
    },
  });
  const opsApp = config.metricsPort === undefined ? undefined : await buildOpsApp(state, metrics, log);
  const address = await app.listen({ port: config.port, host: config.host });
  const opsAddress = opsApp
    ? await opsApp.listen({ port: config.metricsPort!, host: config.host })
    : undefined;

  let classifier: OnnxTextClassifier | undefined;
  const modelReady = loadModel(config, model, { state, policies, storage, metrics, log }).then((loaded) => {
    classifier = loaded;
  });

  let stopping: Promise<void> | undefined;
  const stop = ({ drainDelay = true }: { drainDelay?: boolean } = {}): Promise<void> => {
    stopping ??= (async () => {
      const deadline = Date.now() + config.shutdownGraceMs;
      state.startDraining();
      const delayMs = drainDelay ? config.shutdownDelayMs : 0;
      log.info(
        { graceMs: config.shutdownGraceMs, delayMs },
        "shutting down: readiness fails now; finishing in-flight requests",
      );
      const closeAll = (async () => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await app.close();
        await classifier?.close();
        const { buffered } = storage.dependencies().postgres ?? { buffered: 0 };
        if (buffered > 0) log.info({ buffered }, "flushing the decision log");
        await storage.close(Math.max(0, deadline - Date.now()));
        authenticator.close();
        policies.close();
        await opsApp?.close();
      })();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), config.shutdownGraceMs);
      });
      const outcome = await Promise.race([closeAll.then(() => "closed" as const), timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") log.warn("shutdown grace period ran out; exiting with work in flight");
      else log.info("shut down cleanly");
    })();
    return stopping;
  };

  return {
    app,
    opsApp,
    state,
    metrics,
    policies,
    storage,
    url: address,
    opsUrl: opsAddress,
    modelReady,
    stop,
  };
}
