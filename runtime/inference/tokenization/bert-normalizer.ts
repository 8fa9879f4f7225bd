// BERT's normalizer (clean text, space out CJK, strip accents, lowercase) as the Rust
// `tokenizers` BertNormalizer does it, which is what transformers' fast BERT tokenizers run. The
// JS library's version decides classes with today's Unicode tables where the Rust one uses the
// older tables of the `unicode_categories` crate (bert-unicode-tables.ts), lowercases with the
// word-final sigma rule the Rust one lacks, strips accents after lowercasing instead of before,
// and misses CJK ideographs outside the BMP.
import { CodePointSet } from "./code-point-set.js";
import { Normalizer } from "./library-classes.js";
import {
  CHINESE_CHARS,
  CLEAN_TEXT_REMOVED,
  CLEAN_TEXT_TO_SPACE,
  NONSPACING_MARKS,
} from "./bert-unicode-tables.js";

const removed = new CodePointSet(CLEAN_TEXT_REMOVED);
const toSpace = new CodePointSet(CLEAN_TEXT_TO_SPACE);
const chinese = new CodePointSet(CHINESE_CHARS);
const nonspacingMarks = new CodePointSet(NONSPACING_MARKS);

export interface BertNormalizerConfig {
  type: "BertNormalizer";
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  /** null: strip accents when lowercasing. */
  strip_accents?: boolean | null;
  lowercase?: boolean;
}

function mapCodePoints(text: string, map: (char: string, codePoint: number) => string): string {
  let out = "";
  for (const char of text) out += map(char, char.codePointAt(0)!);
  return out;
}

export class ExactBertNormalizer extends Normalizer {
  private readonly cleanText: boolean;
  private readonly handleChineseChars: boolean;
  private readonly stripAccents: boolean;
  private readonly lowercase: boolean;

  constructor(config: BertNormalizerConfig) {
    super(config as unknown as Record<string, unknown>);
    this.cleanText = config.clean_text ?? true;
    this.handleChineseChars = config.handle_chinese_chars ?? true;
    this.lowercase = config.lowercase ?? true;
    this.stripAccents = config.strip_accents ?? this.lowercase;
  }

  override normalize(text: string): string {
    if (this.cleanText) {
      text = mapCodePoints(text, (char, cp) => (removed.has(cp) ? "" : toSpace.has(cp) ? " " : char));
    }
    if (this.handleChineseChars) {
      text = mapCodePoints(text, (char, cp) => (chinese.has(cp) ? ` ${char} ` : char));
    }
    if (this.stripAccents) {
      text = mapCodePoints(text.normalize("NFD"), (char, cp) => (nonspacingMarks.has(cp) ? "" : char));
    }
    // One code point at a time: Rust's char::to_lowercase has no context, so a word-final Σ
    // becomes σ, not the ς that String.prototype.toLowerCase gives.
    if (this.lowercase) text = mapCodePoints(text, (char) => char.toLowerCase());
    return text;
  }
}
