import type { Example } from "../data/dataset.js";
import { SeededRandom } from "./seeded-random.js";

/**
 * Clean training texts joined into longer clean texts. The evidence bag sums evidence over every
 * piece of a text, so the small leanings of common words ("to", "on", "the") that no short
 * training text shows add up in a long one: trained without these, a model flagged half of all
 * texts made of ten everyday sentences. Only clean texts are joined. Also tried: the same joined
 * texts with one harmful training text inserted (its labels), in pairs with the clean ones; that
 * kept harmful sentences visible among clean ones, but long clean texts were flagged 27-45% of
 * the time, because joined texts then lean harmful as a whole.
 */

export interface JoinedCleanTextOptions {
  seed: number;
  /** Joined texts, as a fraction of the training texts (0 disables). */
  joinedCleanTextFraction: number;
}

/** Clean texts per joined text. */
const MIN_PARTS = 2;
const MAX_PARTS = 8;

export function augmentWithJoinedCleanTexts(
  train: readonly Example[],
  options: JoinedCleanTextOptions,
): Example[] {
  const clean = train.filter((e) => e.labels.length === 0);
  const count = Math.round(options.joinedCleanTextFraction * train.length);
  if (count === 0 || clean.length === 0) return [];
  const random = new SeededRandom(options.seed);
  return Array.from({ length: count }, () => {
    const parts = MIN_PARTS + Math.floor(random.next() * (MAX_PARTS - MIN_PARTS + 1));
    const texts = Array.from(
      { length: parts },
      () => (clean[Math.floor(random.next() * clean.length)] as Example).text,
    );
    return { lang: "und", text: texts.join(" "), labels: [] };
  });
}
