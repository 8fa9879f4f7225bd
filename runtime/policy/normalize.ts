// Text normalisation for term matching. Term lists and texts go through the same function, so
// a term matches however it is disguised: compatibility forms (fullwidth, ligatures, math
// letters) via NFKC, case via full case folding, invisible characters by removal, and
// look-alike letters from other scripts (Cyrillic "о" in "idiоt") via the Unicode
// confusables table of the `confusables` library.
import { remove as foldConfusables } from "confusables";

// Zero-width and other invisible format characters used to split words without a visible gap:
// ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, Mongolian vowel separator, the invisible
// math operators, and the Unicode "tag" block.
const INVISIBLE =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u206A-\u206F\uFEFF]|[\u{E0000}-\u{E007F}]/gu;

// Applied after lower-casing: full case folding beyond toLowerCase (CaseFolding.txt, status
// F/C), and i-like letters the confusables table maps to "l" (it folds by the capital's shape,
// Ι/І ~ l), which would make "ΙDΙΟΤ" miss "idiot".
const LOWERCASE_FOLDS: Record<string, string> = {
  ß: "ss",
  ẞ: "ss",
  ς: "σ",
  ſ: "s",
  ﬅ: "st",
  ﬆ: "st",
  ι: "i",
  ı: "i",
  ɩ: "i",
};
const LOWERCASE_FOLD_PATTERN = new RegExp(`[${Object.keys(LOWERCASE_FOLDS).join("")}]`, "gu");

/** NFKC, case folding, invisible-character removal and homoglyph folding. */
export function normalizeForMatching(text: string): string {
  const folded = text
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .toLowerCase()
    .replace(LOWERCASE_FOLD_PATTERN, (ch) => LOWERCASE_FOLDS[ch] ?? ch);
  // The confusables table maps to ASCII letters of either case ("І" -> "l"), so fold case again.
  return foldConfusables(folded).toLowerCase();
}
