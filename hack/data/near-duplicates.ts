/**
 * When two texts count as the same for keeping evaluation texts out of training: equal after
 * folding case, accents, punctuation and spacing, or word sets that overlap by at least
 * NEAR_DUPLICATE_JACCARD (|A ∩ B| / |A ∪ B|). 0.7 catches "I'm going to hurt your kids" against
 * "I am going to hurt your kids." (0.75) and lets "I'll hurt you" and "I will hurt you" (0.6) be
 * different texts.
 */
export const NEAR_DUPLICATE_JACCARD = 0.7;

/** Case, accents, punctuation and spacing do not make a text new. Symbols-only text ("👍") stays as written. */
export function comparable(text: string): string {
  const words = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  return words === "" ? text.trim() : words;
}

/** Finds, for a text, a near-duplicate among the indexed texts; word postings keep it from comparing every pair. */
export class NearDuplicateIndex {
  private readonly exact = new Map<string, string>();
  private readonly wordSets: { text: string; words: Set<string> }[] = [];
  private readonly postings = new Map<string, number[]>();

  constructor(texts: Iterable<string>) {
    for (const text of texts) this.add(text);
  }

  add(text: string): void {
    const key = comparable(text);
    if (!this.exact.has(key)) this.exact.set(key, text);
    const words = new Set(key.split(" "));
    const index = this.wordSets.push({ text, words }) - 1;
    for (const word of words) {
      const list = this.postings.get(word) ?? [];
      list.push(index);
      this.postings.set(word, list);
    }
  }

  /** An indexed text that `text` is a near-duplicate of, or undefined. */
  find(text: string): string | undefined {
    const key = comparable(text);
    const same = this.exact.get(key);
    if (same !== undefined) return same;
    const words = new Set(key.split(" "));
    const shared = new Map<number, number>();
    for (const word of words) {
      for (const index of this.postings.get(word) ?? []) shared.set(index, (shared.get(index) ?? 0) + 1);
    }
    for (const [index, overlap] of shared) {
      const other = this.wordSets[index] as { text: string; words: Set<string> };
      if (overlap / (words.size + other.words.size - overlap) >= NEAR_DUPLICATE_JACCARD) return other.text;
    }
    return undefined;
  }
}
