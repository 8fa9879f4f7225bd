import type { Example } from "../data/dataset.js";
import { splitIntoWords } from "./bert-tokenizer.js";
import { SeededRandom } from "./seeded-random.js";

/**
 * Training-time augmentation that teaches the classifier what it cannot learn from a few hundred
 * sentences: a word it has never seen is not evidence of anything. Real users type names, typos,
 * greetings in other languages, numbers and links; WordPiece splits those into pieces that,
 * in a small training set, may only ever have appeared inside abusive words ("hello" -> "hel" +
 * "##lo", with "hel" learned from "hell"). Two kinds of synthetic examples counter that:
 *
 * - every training text again with one or two unseen words inserted, labels unchanged, so the
 *   pieces of unknown words occur at the data's own label rates and cancel out;
 * - short texts made only of unseen words, numbers, links, handles and emoji, labelled clean, so
 *   a text without known evidence scores at the clean prior.
 *
 * "Unseen words" come from a character trigram model of the training words, so they break into
 * the same kinds of pieces real unknown words do. Generated words that contain a word found only
 * in harmful training texts ("idiot" in "idiotek") are rejected: those must stay evidence.
 */

export interface UnseenWordAugmentationOptions {
  seed: number;
  /** Copies of each training text with unseen words inserted (0 disables). */
  copiesWithUnseenWords: number;
  /** Clean texts of unseen words, numbers and links, as a fraction of the training texts. */
  noiseTextFraction: number;
}

/** Shortest harmful-only word that generated words may not contain; shorter ones are common syllables. */
const MIN_PROTECTED_WORD_LENGTH = 4;
/** A safety stop for tiny vocabularies, where almost every sample would be a known word. */
const MAX_ATTEMPTS = 10_000;
const EMOJI = ["😀", "😂", "🙂", "😉", "👍", "🙏", "🎉", "❤️", "🔥", "✨", "👋", "😅"];
const END_PUNCTUATION = ["", "", ".", ".", "!", "?"];
const TOP_LEVEL_DOMAINS = ["com", "org", "net", "de", "fr", "es", "it", "nl", "pl", "pt", "io"];

export function augmentWithUnseenWords(
  train: readonly Example[],
  options: UnseenWordAugmentationOptions,
): Example[] {
  const random = new SeededRandom(options.seed);
  const words = new PseudoWordGenerator(train, random);
  const augmented: Example[] = [];
  for (let copy = 0; copy < options.copiesWithUnseenWords; copy++) {
    for (const example of train) {
      const tokens = example.text.split(" ");
      const inserts = 1 + Math.floor(random.next() * 2);
      for (let i = 0; i < inserts; i++) {
        tokens.splice(Math.floor(random.next() * (tokens.length + 1)), 0, words.next());
      }
      augmented.push({ lang: example.lang, text: tokens.join(" "), labels: example.labels });
    }
  }
  const noiseTexts = Math.round(options.noiseTextFraction * train.length);
  for (let i = 0; i < noiseTexts; i++) {
    const length = 1 + Math.floor(random.next() * 4);
    const parts = Array.from({ length }, () => noisePart(words, random));
    // Punctuated like real texts, so that "." or "?" cannot become a marker of real sentences.
    const ending = END_PUNCTUATION[Math.floor(random.next() * END_PUNCTUATION.length)] as string;
    augmented.push({ lang: "und", text: parts.join(random.next() < 0.2 ? ", " : " ") + ending, labels: [] });
  }
  return augmented;
}

/** One unseen word, or something else real text is full of that no training text contains. */
function noisePart(words: PseudoWordGenerator, random: SeededRandom): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random.next() * 10)).join("");
  const kind = random.next();
  if (kind < 0.55) return words.next();
  if (kind < 0.65) return capitalize(words.next());
  if (kind < 0.75) return digits(1 + Math.floor(random.next() * 5));
  if (kind < 0.8) return `${digits(2)}:${digits(2)}`;
  if (kind < 0.85) return `https://${words.next()}.${pick(TOP_LEVEL_DOMAINS)}/${words.next()}`;
  if (kind < 0.9) return `${words.next()}@${words.next()}.${pick(TOP_LEVEL_DOMAINS)}`;
  if (kind < 0.95) return `${pick(["@", "#"])}${words.next()}`;
  return pick(EMOJI);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Character trigram model over the normalized training words. Deterministic for a given
 * SeededRandom; yields only words that are neither training words nor contain a protected one.
 */
class PseudoWordGenerator {
  private readonly next3 = new Map<string, string[]>();
  private readonly lengths: number[] = [];
  private readonly known: Set<string>;
  private readonly protectedWords: string[];

  constructor(
    train: readonly Example[],
    private readonly random: SeededRandom,
  ) {
    const wordsOf = splitIntoWords(train.map((e) => e.text)).map((words) =>
      words.filter((w) => /^[a-z]+$/.test(w)),
    );
    this.known = new Set(wordsOf.flat());
    const inClean = new Set(wordsOf.filter((_, i) => train[i]?.labels.length === 0).flat());
    const inHarmful = new Set(wordsOf.filter((_, i) => (train[i]?.labels.length ?? 0) > 0).flat());
    this.protectedWords = [...inHarmful]
      .filter((w) => w.length >= MIN_PROTECTED_WORD_LENGTH && !inClean.has(w))
      .sort();
    // Sorted so that the model, and hence every generated word, is independent of data order.
    for (const word of [...this.known].sort()) {
      if (word.length < 3) continue;
      this.lengths.push(word.length);
      const padded = `^^${word}$`;
      for (let i = 2; i < padded.length; i++) {
        const context = padded.slice(i - 2, i);
        const followers = this.next3.get(context) ?? [];
        followers.push(padded.charAt(i));
        this.next3.set(context, followers);
      }
    }
    if (this.lengths.length === 0)
      throw new Error("no training words of 3+ letters to model unseen words on");
  }

  next(): string {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const word = this.sample();
      if (word.length < 3 || this.known.has(word)) continue;
      if (this.protectedWords.some((p) => word.includes(p))) continue;
      return word;
    }
    throw new Error(`no unseen word found in ${MAX_ATTEMPTS} attempts: the training words are too few`);
  }

  private sample(): string {
    const maxLength = 2 + (this.lengths[Math.floor(this.random.next() * this.lengths.length)] as number);
    let word = "";
    let context = "^^";
    while (word.length < maxLength) {
      const followers = this.next3.get(context);
      if (followers === undefined) break;
      const char = followers[Math.floor(this.random.next() * followers.length)] as string;
      if (char === "$") break;
      word += char;
      context = context.charAt(1) + char;
    }
    return word;
  }
}
