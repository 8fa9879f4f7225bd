// Language detection as the policy uses it: a confident guess names the language, an unsure one
// is "und" (the default policy applies) rather than a wrong language's overrides.
import { beforeAll, describe, expect, it } from "vitest";
import { LanguageDetector, UNDETERMINED } from "../../runtime/language/language-detector.js";

let detector: LanguageDetector;
beforeAll(async () => {
  detector = await LanguageDetector.load();
});

describe("LanguageDetector", () => {
  it.each([
    ["du bist ein Vollidiot", "de"],
    ["Das ist wirklich schlecht", "de"],
    ["Thanks so much for your help, you're a lifesaver!", "en"],
    ["I will hurt you", "en"],
    ["No me gusta nada", "es"],
    ["Merci pour la réponse rapide, ça a résolu mon problème.", "fr"],
  ])("names the language of %j: %s", (text, language) => {
    expect(detector.detect(text)).toBe(language);
  });

  // Short texts the detector used to place confidently in the wrong language (Italian for the
  // English one, Croatian for the French one): either the right language or "und", never another.
  it.each([
    ["I hate Mondays", "en"],
    ["Je vais te tuer", "fr"],
    ["hello", "en"],
  ])("does not guess another language for the short text %j", (text, language) => {
    expect([language, UNDETERMINED]).toContain(detector.detect(text));
  });

  it.each(["", "12345", "ok", "!!!"])("answers und for %j", (text) => {
    expect(detector.detect(text)).toBe(UNDETERMINED);
  });
});
