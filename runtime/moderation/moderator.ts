// The request path behind all three APIs, after validation:
//   cache -> batcher/worker (scores) -> language -> policy -> decision log -> result.
// Identical texts in flight at the same time (a viral post, a retried request) share one
// computation instead of queueing one inference each.
// Routes only translate wire formats; they do not know which cache or decision sink is active.
// One Policy snapshot is taken per request, so a hot reload never splits a request in two.
import { hash, randomUUID } from "node:crypto";
import type { DecisionRecord, DecisionSink } from "../decisions/decision-sink.js";
import { resultCacheKey, type CachedResult, type ResultCache } from "../cache/result-cache.js";
import type { ModelInfo, TextClassifier } from "../inference/text-classifier.js";
import { isCategoryReason, type Decision } from "../policy/policy-engine.js";
import type { PolicySnapshot } from "../policy/policy-store.js";
import type { RuntimeMetrics } from "../server/metrics.js";

export interface ModerationRequest {
  texts: string[];
  /** ISO 639 code the caller asserts; skips detection and selects that language's overrides. */
  language?: string | undefined;
  api: "classify" | "moderations" | "oip-v2";
  requestId: string;
  /** The authenticated caller (Principal id), recorded with each decision. */
  clientId?: string | undefined;
  context?: Record<string, unknown> | undefined;
}

export interface TextResult extends CachedResult {
  index: number;
  cached: boolean;
  /** The decision log record's id (a reviewer finds the decision by it). */
  decisionId: string;
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
  /** Record the raw text with each decision (VIGIL_LOG_RAW_TEXT); otherwise only its sha256. */
  logRawText?: boolean;
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
    const started = performance.now();
    const results = await Promise.all(
      request.texts.map((text, index) => this.one(text, index, request, policy, started)),
    );
    return { model: this.model, policy, results };
  }

  private async compute(
    text: string,
    requestedLanguage: string | undefined,
    policy: PolicySnapshot,
    key: string,
  ): Promise<CachedResult> {
    const { scores, windows } = await this.deps.classifier.classify(text);
    const language = requestedLanguage ?? this.deps.languages.detect(text);
    const languageSource = requestedLanguage ? "request" : "detected";
    const decision = policy.engine.decide(scores, text, language);
    const fresh: CachedResult = { language, languageSource, scores, decision };
    if (windows) fresh.windows = windows;
    // Not awaited: the answer need not wait for the cache write (a Redis round trip), and a
    // cache outage costs a recomputation later, never this request.
    this.deps.cache.set(key, fresh).catch(() => undefined);
    return fresh;
  }

  private async one(
    text: string,
    index: number,
    request: ModerationRequest,
    policy: PolicySnapshot,
    started: number,
  ): Promise<TextResult> {
    const { cache, metrics } = this.deps;
    // One-shot: no Hash object per text (createHash().update().digest() allocates one).
    const textSha256 = hash("sha256", text);
    const key = resultCacheKey({
      textSha256,
      requestedLanguage: request.language,
      modelName: this.model.name,
      modelVersion: this.model.version,
      policyGeneration: policy.generation,
      policyFingerprint: policy.fingerprint,
    });
    let hit: CachedResult | undefined;
    try {
      hit = await cache.get(key);
    } catch {
      // A cache outage costs a recomputation, never this request.
    }
    const decisionId = randomUUID();
    let found: CachedResult;
    if (hit) {
      metrics.cacheHits.inc();
      found = hit;
    } else {
      metrics.cacheMisses.inc();
      let computing = this.inFlight.get(key);
      if (!computing) {
        computing = this.compute(text, request.language, policy, key).finally(() =>
          this.inFlight.delete(key),
        );
        this.inFlight.set(key, computing);
      }
      found = await computing;
    }
    // Plain literals rather than spreads: this runs for every text, cached or not.
    const result: TextResult = {
      language: found.language,
      languageSource: found.languageSource,
      scores: found.scores,
      decision: found.decision,
      index,
      cached: hit !== undefined,
      decisionId,
    };
    if (found.windows) result.windows = found.windows;
    metrics.decisions.inc({ action: result.decision.action, category: strictestCategory(result.decision) });
    const record: DecisionRecord = {
      id: decisionId,
      time: new Date().toISOString(),
      requestId: request.requestId,
      api: request.api,
      textSha256,
      textLength: text.length,
      language: result.language,
      action: result.decision.action,
      reasons: result.decision.reasons,
      scores: result.scores,
      modelName: this.model.name,
      modelVersion: this.model.version,
      policyName: policy.name,
      policyGeneration: policy.generation,
      cached: result.cached,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
    };
    if (this.deps.logRawText) record.rawText = text;
    if (request.clientId) record.clientId = request.clientId;
    if (request.context) record.context = request.context;
    if (this.deps.podName) record.pod = this.deps.podName;
    this.deps.decisions.record(record);
    return result;
  }
}
