import { CONTINUATION_PREFIX, SPECIAL_TOKENS } from "./bert-tokenizer.js";

export interface WordPieceVocabOptions {
  /** Upper bound on the vocabulary, special tokens and alphabet included. */
  maxSize: number;
  /** A pair must occur at least this often (weighted by word frequency) to be merged. */
  minPairFrequency: number;
  /** Characters always in the vocabulary (both word-initial and ## forms), so unseen words become pieces, not [UNK]. */
  baseAlphabet: string;
}

/** Lowercase ASCII letters, digits and punctuation: any accent-stripped Latin word can be spelled. */
export const LATIN_BASE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/**
 * Learns a WordPiece vocabulary the way Hugging Face's WordPieceTrainer does: start from single
 * characters (word-initial `c` and continuation `##c`), then repeatedly merge the most frequent
 * adjacent pair. Frequent words end up as single tokens, rarer ones as shared pieces
 * ("idiot" + "##a"). Ties break lexicographically so the result is deterministic.
 */
export function learnWordPieceVocab(words: readonly string[], options: WordPieceVocabOptions): string[] {
  const frequencies = new Map<string, number>();
  for (const word of words) frequencies.set(word, (frequencies.get(word) ?? 0) + 1);

  // Each distinct word as its current symbol sequence, with its frequency.
  const segmented = [...frequencies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => ({ symbols: spell(word), count }));

  const alphabet = new Set<string>();
  for (const char of options.baseAlphabet) alphabet.add(char).add(CONTINUATION_PREFIX + char);
  for (const { symbols } of segmented) for (const symbol of symbols) alphabet.add(symbol);

  const vocab: string[] = [...SPECIAL_TOKENS, ...[...alphabet].sort()];
  const known = new Set(vocab);

  while (vocab.length < options.maxSize) {
    const best = mostFrequentPair(segmented);
    if (best === undefined || best.count < options.minPairFrequency) break;
    const merged = best.left + best.right.slice(best.right.startsWith(CONTINUATION_PREFIX) ? 2 : 0);
    for (const entry of segmented) entry.symbols = mergePair(entry.symbols, best.left, best.right, merged);
    if (!known.has(merged)) {
      known.add(merged);
      vocab.push(merged);
    }
  }
  return vocab;
}

function spell(word: string): string[] {
  return [...word].map((char, i) => (i === 0 ? char : CONTINUATION_PREFIX + char));
}

function mostFrequentPair(
  segmented: readonly { symbols: string[]; count: number }[],
): { left: string; right: string; count: number } | undefined {
  const counts = new Map<string, number>();
  for (const { symbols, count } of segmented) {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + count);
    }
  }
  let bestKey: string | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount || (count === bestCount && bestKey !== undefined && key < bestKey)) {
      bestKey = key;
      bestCount = count;
    }
  }
  if (bestKey === undefined) return undefined;
  const [left = "", right = ""] = bestKey.split("\u0000");
  return { left, right, count: bestCount };
}

function mergePair(symbols: string[], left: string, right: string, merged: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(symbols[i] as string);
    }
  }
  return out;
}
