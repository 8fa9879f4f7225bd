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

/** Printable ASCII: the bulk of most texts, and a run of it needs no table lookups. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * Whether no printable ASCII character is removed, spaced out or stripped by the tables (the
 * space maps to itself): then such a text only needs lowercasing. Checked against the tables
 * rather than assumed, so a regenerated table cannot make the shortcut wrong.
 */
const ASCII_ONLY_LOWERCASES = Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i).every(
  (cp) =>
    !removed.has(cp) && (cp === 0x20 || !toSpace.has(cp)) && !chinese.has(cp) && !nonspacingMarks.has(cp),
);

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

  // Two passes where the Rust normalizer makes four (clean, CJK, strip, lowercase): each step
  // looks at one code point, so clean + CJK fuse, and so do strip + lowercase after the NFD
  // that must see the whole text between them.
  override normalize(text: string): string {
    if (ASCII_ONLY_LOWERCASES && PRINTABLE_ASCII.test(text))
      return this.lowercase ? text.toLowerCase() : text;
    if (this.cleanText || this.handleChineseChars) {
      let out = "";
      for (const char of text) {
        const cp = char.codePointAt(0)!;
        if (this.cleanText && removed.has(cp)) continue;
        if (this.cleanText && toSpace.has(cp)) out += " ";
        else out += this.handleChineseChars && chinese.has(cp) ? ` ${char} ` : char;
      }
      text = out;
    }
    if (this.stripAccents) text = text.normalize("NFD");
    if (this.stripAccents || this.lowercase) {
      let out = "";
      for (const char of text) {
        if (this.stripAccents && nonspacingMarks.has(char.codePointAt(0)!)) continue;
        // One code point at a time: Rust's char::to_lowercase has no context, so a word-final Σ
        // becomes σ, not the ς that String.prototype.toLowerCase gives.
        out += this.lowercase ? char.toLowerCase() : char;
      }
      text = out;
    }
    return text;
  }
}
