// Turns model scores and text into an action with its reasons, under one Policy spec. Built once
// per policy generation (term regexes and per-language views are compiled up front), then used
// concurrently by every request; it holds no mutable state.
import {
  ACTIONS,
  OPENAI_CATEGORIES,
  type Action,
  type CategoryThresholds,
  type OpenAICategory,
  type PolicySpec,
  type TermLists,
} from "../../crds/index.js";
import { normalizeForMatching } from "./normalize.js";
import { MATCHING_LISTS, TermMatcher, type MatchingList } from "./term-matcher.js";

export interface CategoryReason {
  category: string;
  score: number;
  threshold: number;
  action: Action;
}

export interface TermReason {
  term: string;
  list: MatchingList;
  action: Action;
}

export type Reason = CategoryReason | TermReason;

export interface Decision {
  action: Action;
  /** Strictest first. Empty when the default action applied. */
  reasons: Reason[];
  matchedTerms: string[];
}

const SEVERITY: Record<Action, number> = { allow: 0, flag: 1, review: 2, block: 3 };
type ThresholdAction = Exclude<Action, "allow">;
const STRICTEST_FIRST = [...ACTIONS].reverse().filter((a): a is ThresholdAction => a !== "allow");
const OPENAI_NAMES = new Set<string>(OPENAI_CATEGORIES);
/** Term lists mostly hold slurs and abuse; a Policy names another category with termCategory. */
export const DEFAULT_TERM_CATEGORY: OpenAICategory = "harassment";

export function isCategoryReason(reason: Reason): reason is CategoryReason {
  return "category" in reason;
}

interface PolicyView {
  thresholds: [string, CategoryThresholds][];
  matcher: TermMatcher;
}

function mergeTerms(base: TermLists | undefined, override: TermLists | undefined): TermLists {
  const merged: TermLists = {};
  for (const list of [...MATCHING_LISTS, "allow"] as const) {
    const terms = [...(base?.[list] ?? []), ...(override?.[list] ?? [])];
    if (terms.length > 0) merged[list] = terms;
  }
  return merged;
}

function strictestMet(score: number, thresholds: CategoryThresholds): ThresholdAction | undefined {
  return STRICTEST_FIRST.find((action) => {
    const threshold = thresholds[action];
    return threshold !== undefined && score >= threshold;
  });
}

export class PolicyEngine {
  /** Policy categories that are neither a model label nor a mapped OpenAI name: never scored. */
  readonly unknownCategories: string[];
  /** Model labels no Policy category thresholds, directly or through categoryMap: never decide anything. */
  readonly uncoveredLabels: string[];
  private readonly base: PolicyView;
  private readonly byLanguage = new Map<string, PolicyView>();
  private readonly defaultAction: Action;
  /** Model label -> OpenAI category (explicit categoryMap, or the label itself when it is one). */
  private readonly openAIName = new Map<string, OpenAICategory>();
  /** The OpenAI category a term-list match reports. */
  private readonly termCategory: OpenAICategory;

  constructor(
    spec: PolicySpec,
    private readonly labels: readonly string[],
  ) {
    this.defaultAction = spec.defaultAction ?? "allow";
    this.termCategory = spec.termCategory ?? DEFAULT_TERM_CATEGORY;
    for (const label of labels) {
      const mapped =
        spec.categoryMap?.[label] ?? (OPENAI_NAMES.has(label) ? (label as OpenAICategory) : undefined);
      if (mapped) this.openAIName.set(label, mapped);
    }
    this.base = {
      thresholds: Object.entries(spec.categories ?? {}),
      matcher: new TermMatcher(spec.terms ?? {}),
    };
    for (const [language, override] of Object.entries(spec.languages ?? {})) {
      const thresholds = { ...spec.categories, ...override.categories };
      this.byLanguage.set(language, {
        thresholds: Object.entries(thresholds),
        matcher: override.terms ? new TermMatcher(mergeTerms(spec.terms, override.terms)) : this.base.matcher,
      });
    }
    const mappedNames = new Set(this.openAIName.values());
    const allCategories = new Set([
      ...Object.keys(spec.categories ?? {}),
      ...Object.values(spec.languages ?? {}).flatMap((o) => Object.keys(o.categories ?? {})),
    ]);
    this.unknownCategories = [...allCategories].filter(
      (c) => !labels.includes(c) && !mappedNames.has(c as OpenAICategory),
    );
    this.uncoveredLabels = labels.filter((label) => {
      const mapped = this.openAIName.get(label);
      return !allCategories.has(label) && !(mapped !== undefined && allCategories.has(mapped));
    });
  }

  /** The languages with overrides, for /ready details. */
  get overriddenLanguages(): string[] {
    return [...this.byLanguage.keys()];
  }

  decide(scores: Readonly<Record<string, number>>, text: string, language: string | undefined): Decision {
    const view = (language && this.byLanguage.get(language)) || this.base;
    const reasons: Reason[] = [];
    for (const [category, thresholds] of view.thresholds) {
      const score = this.categoryScore(category, scores);
      if (score === undefined) continue;
      const action = strictestMet(score, thresholds);
      if (action) reasons.push({ category, score, threshold: thresholds[action]!, action });
    }
    const matchedTerms: string[] = [];
    if (!view.matcher.empty) {
      for (const { term, list } of view.matcher.match(normalizeForMatching(text))) {
        reasons.push({ term, list, action: list });
        matchedTerms.push(term);
      }
    }
    reasons.sort(
      (a, b) =>
        SEVERITY[b.action] - SEVERITY[a.action] ||
        (isCategoryReason(b) ? b.score : 0) - (isCategoryReason(a) ? a.score : 0),
    );
    return { action: reasons[0]?.action ?? this.defaultAction, reasons, matchedTerms };
  }

  /** A label's own score, or for an OpenAI name the highest score of the labels mapped to it. */
  private categoryScore(category: string, scores: Readonly<Record<string, number>>): number | undefined {
    const own = scores[category];
    if (own !== undefined) return own;
    let best: number | undefined;
    for (const [label, name] of this.openAIName) {
      const score = scores[label];
      if (name === category && score !== undefined) best = Math.max(best ?? 0, score);
    }
    return best;
  }

  /** Scores under the 13 OpenAI names: the highest mapped label score, 0 where nothing maps. */
  openAIScores(scores: Readonly<Record<string, number>>): Record<OpenAICategory, number> {
    const out = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, 0])) as Record<OpenAICategory, number>;
    for (const [label, name] of this.openAIName) out[name] = Math.max(out[name], scores[label] ?? 0);
    return out;
  }

  /** OpenAI categories a decision flags: those its threshold reasons belong to, and termCategory for a term match. */
  openAIFlags(decision: Decision): Record<OpenAICategory, boolean> {
    const out = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, false])) as Record<
      OpenAICategory,
      boolean
    >;
    for (const reason of decision.reasons) {
      if (!isCategoryReason(reason)) {
        out[this.termCategory] = true;
        continue;
      }
      if (OPENAI_NAMES.has(reason.category)) out[reason.category as OpenAICategory] = true;
      const mapped = this.openAIName.get(reason.category);
      if (mapped) out[mapped] = true;
    }
    return out;
  }

  get modelLabels(): readonly string[] {
    return this.labels;
  }
}
