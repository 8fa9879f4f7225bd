import { describe, expect, it } from "vitest";
import type { Example } from "../../hack/data/dataset.js";
import { splitIntoWords } from "../../hack/onnx/bert-tokenizer.js";
import { augmentWithUnseenWords } from "../../hack/onnx/unseen-word-augmentation.js";

const train: Example[] = [
  { lang: "en", text: "Thanks for the quick reply, see you tomorrow.", labels: [] },
  { lang: "en", text: "The meeting is moved to Thursday at ten.", labels: [] },
  { lang: "en", text: "Can someone recommend a good book about history?", labels: [] },
  { lang: "en", text: "You are an idiot and everyone knows it.", labels: ["toxicity", "insult"] },
  { lang: "en", text: "I will hurt you if you come here again.", labels: ["toxicity", "threat", "violence"] },
  { lang: "en", text: "The weather is terrible today, it keeps raining.", labels: [] },
];
const options = { seed: 7, copiesWithUnseenWords: 2, noiseTextFraction: 1 };

describe("unseen-word augmentation", () => {
  const augmented = augmentWithUnseenWords(train, options);
  const copies = augmented.slice(0, train.length * options.copiesWithUnseenWords);
  const noise = augmented.slice(copies.length);

  it("copies every text with one or two new words inserted and its labels unchanged", () => {
    expect(copies).toHaveLength(train.length * 2);
    copies.forEach((copy, i) => {
      const original = train[i % train.length] as Example;
      expect(copy.labels).toEqual(original.labels);
      const added = copy.text.split(" ").length - original.text.split(" ").length;
      expect(added, copy.text).toBeGreaterThanOrEqual(1);
      expect(added, copy.text).toBeLessThanOrEqual(2);
    });
  });

  it("adds clean texts of unseen words, numbers, links and emoji", () => {
    expect(noise).toHaveLength(train.length);
    for (const text of noise) expect(text.labels).toEqual([]);
  });

  it("never inserts a training word, nor one containing a word seen only in harmful texts", () => {
    const known = new Set(splitIntoWords(train.map((e) => e.text)).flat());
    const originalWords = new Set(train.flatMap((e) => e.text.split(" ")));
    const inserted = copies.flatMap((c) => c.text.split(" ").filter((w) => !originalWords.has(w)));
    expect(inserted.length).toBeGreaterThanOrEqual(train.length * 2);
    for (const word of inserted) {
      expect(known.has(word), word).toBe(false);
      for (const harmfulOnly of ["idiot", "hurt", "knows", "everyone", "again", "here"]) {
        expect(word, `${word} contains ${harmfulOnly}`).not.toContain(harmfulOnly);
      }
    }
  });

  it("is deterministic for a seed and different for another", () => {
    expect(augmentWithUnseenWords(train, options)).toEqual(augmented);
    expect(augmentWithUnseenWords(train, { ...options, seed: 8 })).not.toEqual(augmented);
  });
});
