// The request path behind all three APIs, after validation:
//   cache -> batcher/worker (scores) -> language -> policy -> decision log -> result.
// Identical texts in flight at the same time (a viral post, a retried request) share one
// computation instead of queueing one inference each.
// Routes only translate wire formats; they do not know which cache or decision sink is active.
// One Policy snapshot is taken per request, so a hot reload never splits a request in two.
import { createHash } from "node:crypto";
import type { DecisionSink } from "../decisions/decision-sink.js";
import { resultCacheKey, type CachedResult, type ResultCache } from "../cache/result-cache.js";
import type { LabelScores, ModelInfo, TextClassifier } from "../inference/text-classifier.js";
import { isCategoryReason, type Decision } from "../policy/policy-engine.js";
import type { PolicySnapshot } from "../policy/policy-store.js";
import type { RuntimeMetrics } from "../server/metrics.js";

export interface ModerationRequest {
  texts: string[];
  /** ISO 639 code the caller asserts; skips detection and selects that language's overrides. */
  language?: string | undefined;
  api: "classify" | "moderations" | "oip-v2";
  requestId: string;
  context?: Record<string, unknown> | undefined;
}

export interface TextResult extends CachedResult {
  index: number;
  cached: boolean;
}

export interface ModerationOutcome {
  model: ModelInfo;
  policy: PolicySnapshot;
  results: TextResult[];
}

export interface ModeratorDependencies {
  classifier: TextClassifier;
  languages: { detect(text: string): string };
  policies: { readonly current: PolicySnapshot };
  cache: ResultCache;
  decisions: DecisionSink;
  metrics: RuntimeMetrics;
  podName?: string | undefined;
}

function strictestCategory(decision: Decision): string {
  const top = decision.reasons[0];
  if (!top) return "none";
  return isCategoryReason(top) ? top.category : "terms";
}

export class Moderator {
  /** Results being computed, by cache key: concurrent requests for one text share one run. */
  private readonly inFlight = new Map<string, Promise<CachedResult>>();

  constructor(private readonly deps: ModeratorDependencies) {}

  get model(): ModelInfo {
    return this.deps.classifier.info;
  }

  async moderate(request: ModerationRequest): Promise<ModerationOutcome> {
    const policy = this.deps.policies.current;
    const results = await Promise.all(
      request.texts.map((text, index) => this.one(text, index, request, policy)),
    );
    return { model: this.model, policy, results };
  }

  private async compute(
    text: string,
    requestedLanguage: string | undefined,
    policy: PolicySnapshot,
    key: string,
  ): Promise<CachedResult> {
    const scores: LabelScores = await this.deps.classifier.classify(text);
    const language = requestedLanguage ?? this.deps.languages.detect(text);
    const languageSource = requestedLanguage ? "request" : "detected";
    const decision = policy.engine.decide(scores, text, language);
    const fresh: CachedResult = { language, languageSource, scores, decision };
    // A cache outage costs a recomputation later, never this request.
    await this.deps.cache.set(key, fresh).catch(() => undefined);
    return fresh;
  }

  private async one(
    text: string,
    index: number,
    request: ModerationRequest,
    policy: PolicySnapshot,
  ): Promise<TextResult> {
    const { cache, metrics } = this.deps;
    const textSha256 = createHash("sha256").update(text).digest("hex");
    const key = resultCacheKey({
      textSha256,
      requestedLanguage: request.language,
      modelName: this.model.name,
      modelVersion: this.model.version,
      policyGeneration: policy.generation,
      policyFingerprint: policy.fingerprint,
    });
    const hit = await cache.get(key).catch(() => undefined);
    let result: TextResult;
    if (hit) {
      metrics.cacheHits.inc();
      result = { ...hit, index, cached: true };
    } else {
      metrics.cacheMisses.inc();
      let computing = this.inFlight.get(key);
      if (!computing) {
        computing = this.compute(text, request.language, policy, key).finally(() =>
          this.inFlight.delete(key),
        );
        this.inFlight.set(key, computing);
      }
      result = { ...(await computing), index, cached: false };
    }
    metrics.decisions.inc({ action: result.decision.action, category: strictestCategory(result.decision) });
    this.deps.decisions.record({
      time: new Date().toISOString(),
      requestId: request.requestId,
      api: request.api,
      textSha256,
      textLength: text.length,
      language: result.language,
      action: result.decision.action,
      reasons: result.decision.reasons,
      modelName: this.model.name,
      modelVersion: this.model.version,
      policyName: policy.name,
      policyGeneration: policy.generation,
      cached: result.cached,
      ...(request.context ? { context: request.context } : {}),
      ...(this.deps.podName ? { pod: this.deps.podName } : {}),
    });
    return result;
  }
}
