// The result cache seam. Routes never see which implementation runs: in-memory here, Redis in
// redis-result-cache.ts (shared across pods). Values are plain JSON so any store can hold them.
// The key binds a result to the exact text, model version and policy revision that produced
// it, so a model rollout or a policy reload can never serve a stale decision.
import { LRUCache } from "lru-cache";
import type { ScoreWindow } from "../inference/text-classifier.js";
import type { Decision } from "../policy/policy-engine.js";

export interface CachedResult {
  language: string;
  languageSource: "request" | "detected";
  scores: Record<string, number>;
  /** Texts scored in several windows: per label, the window its score came from. */
  windows?: Record<string, ScoreWindow>;
  decision: Decision;
}

export interface ResultCache {
  /** For the start-up log, e.g. "in-memory LRU (10000 entries, TTL 300s)". */
  readonly description: string;
  get(key: string): Promise<CachedResult | undefined>;
  set(key: string, value: CachedResult): Promise<void>;
  /** Releases connections (graceful shutdown). */
  close?(): Promise<void>;
}

export interface ResultKeyParts {
  textSha256: string;
  /** The language the caller asked for, if any: it can change the decision. */
  requestedLanguage: string | undefined;
  modelName: string;
  modelVersion: string;
  policyGeneration: number;
  policyFingerprint: string;
}

export function resultCacheKey(parts: ResultKeyParts): string {
  return [
    "vigil:result:v1",
    parts.textSha256,
    parts.modelName,
    parts.modelVersion,
    `${parts.policyGeneration}.${parts.policyFingerprint}`,
    parts.requestedLanguage ?? "",
  ].join(":");
}

export class InMemoryResultCache implements ResultCache {
  readonly description: string;
  private readonly lru: LRUCache<string, CachedResult>;

  constructor(maxEntries: number, ttlMs: number) {
    this.lru = new LRUCache({ max: maxEntries, ttl: ttlMs });
    this.description = `in-memory LRU (${maxEntries} entries, TTL ${Math.round(ttlMs / 1000)}s)`;
  }

  async get(key: string): Promise<CachedResult | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: CachedResult): Promise<void> {
    this.lru.set(key, value);
  }
}

/** VIGIL_CACHE_MAX_ENTRIES=0: every request is classified (benchmarks, debugging). */
export class DisabledResultCache implements ResultCache {
  readonly description = "disabled";

  async get(): Promise<CachedResult | undefined> {
    return undefined;
  }

  async set(): Promise<void> {}
}
