import { SeededRandom } from "../onnx/seeded-random.js";
import type { Example } from "./dataset.js";
import { comparable, type NearDuplicateIndex } from "./near-duplicates.js";
import { PHRASING_LABELS, PHRASINGS, type LanguagePhrasings } from "./phrasings.js";

/**
 * Expands the phrasing patterns of phrasings.ts into labelled training examples: every pattern's
 * texts are drawn in a seeded order, and the first `phrasingsPerPattern` that are new (not a
 * hand-written text, not already drawn) and not near-duplicates of a text that must stay unseen
 * (evaluation set, held-out split, smoke texts) are kept, each with sentence punctuation.
 */

export interface PhrasingAugmentationOptions {
  seed: number;
  /** Texts drawn from each pattern (fewer when the pattern has fewer). 0 disables the augmentation. */
  phrasingsPerPattern: number;
}

const ENDINGS = ["", ".", "!", "."];
const CATEGORY_ORDER = Object.keys(PHRASING_LABELS) as (keyof LanguagePhrasings)[];

export function generatePhrasingExamples(
  options: PhrasingAugmentationOptions,
  handWritten: readonly Example[],
  mustStayUnseen: NearDuplicateIndex,
  phrasings: Record<string, LanguagePhrasings> = PHRASINGS,
): Example[] {
  if (options.phrasingsPerPattern === 0) return [];
  const random = new SeededRandom(options.seed);
  const taken = new Set(handWritten.map((e) => comparable(e.text)));
  const examples: Example[] = [];
  for (const lang of Object.keys(phrasings).sort()) {
    const book = phrasings[lang] as LanguagePhrasings;
    for (const category of CATEGORY_ORDER) {
      for (const pattern of book[category]) {
        const texts = random.shuffle(expandAlternations(pattern));
        let kept = 0;
        for (const text of texts) {
          if (kept === options.phrasingsPerPattern) break;
          const key = comparable(text);
          if (taken.has(key) || mustStayUnseen.find(text) !== undefined) continue;
          taken.add(key);
          const ending = ENDINGS[Math.floor(random.next() * ENDINGS.length)] as string;
          examples.push({ lang, text: text + ending, labels: [...PHRASING_LABELS[category]] });
          kept++;
        }
      }
    }
  }
  return examples;
}

/**
 * Every text a pattern stands for, in pattern order: "{a|b} c{| d}" -> ["a c", "a c d", "b c", "b c d"].
 * Alternations do not nest; an unclosed "{" is an error, so a typo cannot silently become text.
 */
export function expandAlternations(pattern: string): string[] {
  let texts = [""];
  let rest = pattern;
  while (rest !== "") {
    const open = rest.indexOf("{");
    if (open === -1) {
      texts = texts.map((t) => t + rest);
      break;
    }
    const close = rest.indexOf("}", open);
    if (close === -1 || rest.slice(open + 1, close).includes("{")) {
      throw new Error(`phrasing pattern "${pattern}": unbalanced "{"`);
    }
    const literal = rest.slice(0, open);
    const options = rest.slice(open + 1, close).split("|");
    texts = texts.flatMap((t) => options.map((option) => t + literal + option));
    rest = rest.slice(close + 1);
  }
  if (texts.some((t) => t.includes("}"))) throw new Error(`phrasing pattern "${pattern}": unbalanced "}"`);
  return texts.map((t) => t.replace(/\s+/g, " ").trim());
}
