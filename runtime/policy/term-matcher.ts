// Word-boundary term matching over normalised text (see normalize.ts). Each list compiles to one
// alternation regex, longest terms first, so matching costs one scan per list whatever the
// number of terms. `allow` terms mask their spans before the other lists run ("Scunthorpe").
import type { TermLists } from "../../crds/index.js";
import { normalizeForMatching } from "./normalize.js";

export const MATCHING_LISTS = ["block", "review", "flag"] as const;
export type MatchingList = (typeof MATCHING_LISTS)[number];

export interface TermMatch {
  /** The term as written in the Policy. */
  term: string;
  list: MatchingList;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
// Scripts written without spaces between words: a term in them matches inside longer runs.
const SPACELESS_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const NOT_AFTER_WORD = "(?<![\\p{L}\\p{M}\\p{N}_])";
const NOT_BEFORE_WORD = "(?![\\p{L}\\p{M}\\p{N}_])";

function needsBoundary(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch) && !SPACELESS_SCRIPT.test(ch);
}

function escapeRegExp(s: string): string {
  // Only syntax characters may be escaped under the `u` flag ("\-" is a syntax error there).
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

interface CompiledList {
  pattern: RegExp;
  /** Normalised term (single spaces) -> the term as written. */
  original: Map<string, string>;
}

function collapseSpaces(s: string): string {
  return s.trim().replace(/\s+/gu, " ");
}

function compile(terms: readonly string[] | undefined): CompiledList | undefined {
  const original = new Map<string, string>();
  for (const term of terms ?? []) {
    const normalized = collapseSpaces(normalizeForMatching(term));
    if (normalized && !original.has(normalized)) original.set(normalized, term);
  }
  if (original.size === 0) return undefined;
  const alternatives = [...original.keys()]
    .sort((a, b) => b.length - a.length)
    .map((term) => {
      const chars = [...term];
      const body = term.split(" ").map(escapeRegExp).join("\\s+");
      return `${needsBoundary(chars[0]) ? NOT_AFTER_WORD : ""}${body}${needsBoundary(chars.at(-1)) ? NOT_BEFORE_WORD : ""}`;
    });
  return { pattern: new RegExp(alternatives.join("|"), "gu"), original };
}

export class TermMatcher {
  private readonly allow: CompiledList | undefined;
  private readonly lists: { list: MatchingList; compiled: CompiledList }[] = [];

  constructor(terms: TermLists) {
    this.allow = compile(terms.allow);
    for (const list of MATCHING_LISTS) {
      const compiled = compile(terms[list]);
      if (compiled) this.lists.push({ list, compiled });
    }
  }

  get empty(): boolean {
    return this.lists.length === 0;
  }

  /** Matches in `normalized` (the output of normalizeForMatching), strictest list first. */
  match(normalized: string): TermMatch[] {
    if (this.lists.length === 0) return [];
    const text = this.allow
      ? normalized.replace(this.allow.pattern, (span) => " ".repeat(span.length))
      : normalized;
    const matches: TermMatch[] = [];
    for (const { list, compiled } of this.lists) {
      const seen = new Set<string>();
      for (const m of text.matchAll(compiled.pattern)) {
        const term = compiled.original.get(collapseSpaces(m[0]));
        if (term !== undefined && !seen.has(term)) {
          seen.add(term);
          matches.push({ term, list });
        }
      }
    }
    return matches;
  }
}
