import { describe, expect, it } from "vitest";
import { comparable, NearDuplicateIndex } from "../../hack/data/near-duplicates.js";

describe("near-duplicate texts (hack/data/near-duplicates.ts)", () => {
  it("folds case, accents, punctuation and spacing; keeps symbol-only texts as written", () => {
    expect(comparable("  Ça   VA, l'ami?! ")).toBe("ca va l ami");
    expect(comparable("👍")).toBe("👍");
  });

  it("finds the same text in another spelling", () => {
    const index = new NearDuplicateIndex(["I will hurt you."]);
    expect(index.find("i WILL hurt you")).toBe("I will hurt you.");
  });

  it("finds word sets with Jaccard >= 0.7 and not below", () => {
    const index = new NearDuplicateIndex([
      "I am going to hurt your kids.",
      "Break a leg at the audition tomorrow!",
    ]);
    // {i,m,going,to,hurt,your,kids} vs {i,am,going,to,hurt,your,kids}: 6/8 = 0.75.
    expect(index.find("I'm going to hurt your kids")).toBe("I am going to hurt your kids.");
    // {i,ll,hurt,your,kids} shares 3 of 9 words: 0.33.
    expect(index.find("I'll hurt your kids")).toBeUndefined();
    // {break,a,leg} inside a 7-word text: 3/7.
    expect(index.find("Break a leg!")).toBeUndefined();
  });
});
