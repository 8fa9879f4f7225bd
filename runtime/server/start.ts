// Starts the runtime from a RuntimeConfig and stops it gracefully. Order matters:
//   model metadata + policy (fail fast, before anything listens) -> HTTP listening (probes
//   answer during a slow model load) -> language data + inference workers -> ready.
// Shutdown: not ready -> stop accepting and finish in-flight requests -> finish queued
// batches and stop the workers -> flush the decision log; bounded by the grace period.
import { existsSync, writeFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { DisabledResultCache, InMemoryResultCache, type ResultCache } from "../cache/result-cache.js";
import type { RuntimeConfig } from "../config.js";
import { DiscardingDecisionSink, StdoutDecisionSink, type DecisionSink } from "../decisions/decision-sink.js";
import { loadModelDescriptor, type ModelDescriptor } from "../inference/model-dir.js";
import { OnnxTextClassifier } from "../inference/text-classifier.js";
import { LanguageDetector } from "../language/language-detector.js";
import { Moderator } from "../moderation/moderator.js";
import { RUNTIME_VERSION } from "../paths.js";
import { PolicyStore } from "../policy/policy-store.js";
import { buildApp } from "./app.js";
import { RuntimeMetrics } from "./metrics.js";
import { RuntimeState } from "./runtime-state.js";

export interface RunningRuntime {
  app: FastifyInstance;
  state: RuntimeState;
  metrics: RuntimeMetrics;
  policies: PolicyStore;
  /** http://host:port the server listens on. */
  url: string;
  /** Settles when the model has loaded (or rejects with the load error). */
  modelReady: Promise<void>;
  /** Graceful shutdown; resolves when everything is closed or the grace period ran out. */
  stop(): Promise<void>;
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

function describeStorage(cache: ResultCache, decisions: DecisionSink): string {
  return `no Redis/Postgres configured: result cache ${cache.description}; ${decisions.description}`;
}

function publishPolicy(metrics: RuntimeMetrics, name: string, generation: number): void {
  metrics.policyGeneration.reset();
  metrics.policyGeneration.set({ policy: name }, generation);
  metrics.policyValid.set(1);
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
  });
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
        log.warn({ error: failure.message }, "policy file rejected; the previous policy stays in force");
      },
    },
  });
  publishPolicy(metrics, policies.current.name, policies.current.generation);
  for (const category of policies.current.engine.unknownCategories) {
    log.warn(
      `policy category '${category}' is neither a model label (${model.labels.join(", ")}) nor a mapped name`,
    );
  }

  const cache: ResultCache =
    config.cacheMaxEntries > 0
      ? new InMemoryResultCache(config.cacheMaxEntries, config.cacheTtlMs)
      : new DisabledResultCache();
  const decisions: DecisionSink =
    config.decisionLog === "stdout" ? new StdoutDecisionSink() : new DiscardingDecisionSink();
  log.info(describeStorage(cache, decisions));

  const state = new RuntimeState({
    model: { name: model.name, version: model.version, labels: model.labels },
    policyStatus: () => policies.status(),
    cacheDescription: cache.description,
    decisionsDescription: decisions.description,
    serverVersion: RUNTIME_VERSION,
  });
  const app = await buildApp({ state, metrics, logger: log });
  const address = await app.listen({ port: config.port, host: config.host });

  let classifier: OnnxTextClassifier | undefined;
  const modelReady = (async () => {
    const started = performance.now();
    const [languages, loaded] = await Promise.all([
      LanguageDetector.load(config.languageDatabase),
      OnnxTextClassifier.load(
        model,
        {
          workers: config.workers,
          intraOpThreads: config.intraOpThreads,
          executionProvider: config.executionProvider,
          onEvent: (level, message) => log[level](message),
        },
        { maxBatchSize: config.maxBatchSize, maxDelayMs: config.maxDelayMs, maxQueue: config.maxQueue },
        metrics,
      ),
    ]);
    classifier = loaded;
    if (loaded.providerWarning) log.warn(loaded.providerWarning);
    const moderator = new Moderator({
      classifier: loaded,
      languages,
      policies,
      cache,
      decisions,
      metrics,
      podName: config.podName,
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
        provider: loaded.info.provider,
        workers: config.workers,
        intraOpThreads: config.intraOpThreads,
        languages: languages.languages.length,
        loadMs: Math.round(performance.now() - started),
      },
      "model loaded; ready",
    );
  })().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    state.modelFailed(message);
    throw error;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      state.startDraining();
      log.info({ graceMs: config.shutdownGraceMs }, "shutting down: finishing in-flight requests");
      const closeAll = (async () => {
        await app.close();
        await classifier?.close();
        await decisions.close();
        policies.close();
      })();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), config.shutdownGraceMs);
      });
      const outcome = await Promise.race([closeAll.then(() => "closed" as const), deadline]);
      clearTimeout(timer);
      if (outcome === "timeout") log.warn("shutdown grace period ran out; exiting with work in flight");
      else log.info("shut down cleanly");
    })();
    return stopping;
  };

  return { app, state, metrics, policies, url: address, modelReady, stop };
}
