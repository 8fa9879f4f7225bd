import { describe, expect, it } from "vitest";
import { NearDuplicateIndex } from "../../hack/data/near-duplicates.js";
import { expandAlternations, generatePhrasingExamples } from "../../hack/data/phrasing-augmentation.js";
import { PHRASINGS, type LanguagePhrasings } from "../../hack/data/phrasings.js";

const book = (overrides: Partial<LanguagePhrasings>): LanguagePhrasings => ({
  threats: [],
  intimidation: [],
  insults: [],
  selfHarm: [],
  violence: [],
  plans: [],
  idioms: [],
  ...overrides,
});

describe("phrasing patterns (hack/data/phrasing-augmentation.ts)", () => {
  it("expands alternations and optional parts in pattern order", () => {
    expect(expandAlternations("{I'll|We'll} call you{| tonight}")).toEqual([
      "I'll call you",
      "I'll call you tonight",
      "We'll call you",
      "We'll call you tonight",
    ]);
    expect(expandAlternations("no choices here")).toEqual(["no choices here"]);
  });

  it("refuses unbalanced braces instead of emitting them as text", () => {
    expect(() => expandAlternations("{I'll|We'll call you")).toThrow('unbalanced "{"');
    expect(() => expandAlternations("I'll} call you")).toThrow('unbalanced "}"');
    expect(() => expandAlternations("{a|{b}}")).toThrow('unbalanced "{"');
  });

  it("every shipped pattern expands, in every language", () => {
    for (const [lang, phrasings] of Object.entries(PHRASINGS)) {
      for (const patterns of Object.values(phrasings)) {
        for (const pattern of patterns)
          expect(expandAlternations(pattern).length, `${lang}: ${pattern}`).toBeGreaterThan(0);
      }
    }
    expect(Object.keys(PHRASINGS).sort()).toEqual(["de", "en", "es", "fr", "it", "nl", "pl", "pt"]);
  });

  it("labels by category, caps each pattern, and is deterministic for a seed", () => {
    const phrasings = {
      en: book({
        threats: ["{I'll|We'll} {hurt|kill} {you|your dog}"],
        plans: ["{I'll|We'll} {call|visit} {you|your mom}"],
      }),
    };
    const empty = new NearDuplicateIndex([]);
    const generate = (seed: number) =>
      generatePhrasingExamples({ seed, phrasingsPerPattern: 3 }, [], empty, phrasings);
    const examples = generate(7);
    expect(examples).toHaveLength(6);
    expect(examples.filter((e) => e.labels.length === 0)).toHaveLength(3);
    for (const e of examples.slice(0, 3)) {
      expect(e.labels).toEqual(["toxicity", "threat", "violence"]);
      expect(e.text).toMatch(/^(I'll|We'll) (hurt|kill) (you|your dog)[.!]?$/);
    }
    expect(generate(7)).toEqual(examples);
    expect(generate(8)).not.toEqual(examples);
  });

  it("skips hand-written texts and near-duplicates of texts that must stay unseen", () => {
    const phrasings = { en: book({ threats: ["{I will|I'll|I'm gonna} hurt you{| badly}"] }) };
    const handWritten = [{ lang: "en", text: "I'll hurt you!", labels: [] }];
    const unseen = new NearDuplicateIndex(["I will hurt you"]);
    const texts = generatePhrasingExamples(
      { seed: 1, phrasingsPerPattern: 10 },
      handWritten,
      unseen,
      phrasings,
    ).map((e) => e.text.replace(/[.!]$/, ""));
    // "I will hurt you" is unseen and "I will hurt you badly" is its near-duplicate (4/5 words);
    // "I'll hurt you" is hand-written.
    expect(texts.sort()).toEqual(["I'll hurt you badly", "I'm gonna hurt you", "I'm gonna hurt you badly"]);
  });

  it("generates nothing when phrasingsPerPattern is 0", () => {
    expect(
      generatePhrasingExamples({ seed: 1, phrasingsPerPattern: 0 }, [], new NearDuplicateIndex([])),
    ).toEqual([]);
  });
});
