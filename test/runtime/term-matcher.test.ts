import { describe, expect, it } from "vitest";
import { normalizeForMatching } from "../../runtime/policy/normalize.js";
import { TermMatcher } from "../../runtime/policy/term-matcher.js";

const matcher = new TermMatcher({
  block: ["kill yourself", "idiot", "死ね"],
  flag: ["moron", "straße"],
  allow: ["kill yourself in the game"],
});
const terms = (text: string): string[] => matcher.match(normalizeForMatching(text)).map((m) => m.term);

describe("normalizeForMatching", () => {
  it("folds compatibility forms, case, invisible characters and look-alike letters", () => {
    expect(normalizeForMatching("ＩＤＩＯＴ")).toBe("idiot"); // fullwidth
    expect(normalizeForMatching("i\u200Bd\u200Ci\u200Do\u2060t\uFEFF")).toBe("idiot"); // zero-width
    expect(normalizeForMatching("idі\u043Et")).toBe("idiot"); // Cyrillic і and о
    expect(normalizeForMatching("ΙDΙΟΤ")).toBe("idiot"); // Greek capitals
    expect(normalizeForMatching("ІDІОТ")).toBe("idiot"); // Cyrillic capitals
    expect(normalizeForMatching("𝐢𝐝𝐢𝐨𝐭")).toBe("idiot"); // mathematical bold
    expect(normalizeForMatching("STRASSE")).toBe(normalizeForMatching("Straße"));
    expect(normalizeForMatching("ﬁne")).toBe("fine"); // ligature
  });
});

describe("TermMatcher", () => {
  it("matches whole words only", () => {
    expect(terms("you idiot!")).toEqual(["idiot"]);
    expect(terms("idiot")).toEqual(["idiot"]);
    expect(terms("idiotic idiots")).toEqual([]);
    expect(terms("moronic")).toEqual([]);
  });

  it("defeats zero-width, homoglyph, fullwidth and case evasions", () => {
    expect(terms("you i\u200Bd\u200Biot")).toEqual(["idiot"]);
    expect(terms("you idі\u043Et")).toEqual(["idiot"]);
    expect(terms("you ｉｄｉｏｔ")).toEqual(["idiot"]);
    expect(terms("YOU IDIOT")).toEqual(["idiot"]);
    expect(terms("MORON")).toEqual(["moron"]);
  });

  it("matches multi-word terms across any whitespace", () => {
    expect(terms("just kill   yourself")).toEqual(["kill yourself"]);
    expect(terms("just kill\nyourself")).toEqual(["kill yourself"]);
    expect(terms("killyourself")).toEqual([]);
  });

  it("lets allow terms mask what they contain", () => {
    expect(terms("I kill yourself in the game every time")).toEqual([]);
    expect(terms("kill yourself in the game, idiot")).toEqual(["idiot"]);
  });

  it("matches terms of scripts without spaces inside longer runs", () => {
    expect(terms("お前は死ねばいい")).toEqual(["死ね"]);
  });

  it("reports the term as written and each term once, strictest list first", () => {
    expect(terms("Strasse moron idiot idiot")).toEqual(["idiot", "straße", "moron"]);
    expect(matcher.match(normalizeForMatching("moron idiot")).map((m) => m.list)).toEqual(["block", "flag"]);
  });

  it("treats regex metacharacters in terms literally", () => {
    const special = new TermMatcher({ block: ["f*ck", "a.b", "(x)"] });
    expect(special.match(normalizeForMatching("f*ck you")).map((m) => m.term)).toEqual(["f*ck"]);
    expect(special.match(normalizeForMatching("fuck you")).map((m) => m.term)).toEqual([]);
    expect(special.match(normalizeForMatching("axb")).map((m) => m.term)).toEqual([]);
    expect(special.match(normalizeForMatching("see (x) here")).map((m) => m.term)).toEqual(["(x)"]);
  });

  it("is empty without matching lists", () => {
    expect(new TermMatcher({ allow: ["x"] }).empty).toBe(true);
    expect(new TermMatcher({}).match("anything")).toEqual([]);
  });
});
