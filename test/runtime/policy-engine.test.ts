import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { PolicySpec } from "../../crds/index.js";
import { PolicyEngine, isCategoryReason } from "../../runtime/policy/policy-engine.js";
import { DEFAULT_POLICY_FILE } from "../../runtime/config.js";
import { parsePolicy } from "../../runtime/policy/policy-file.js";
import { DEFAULT_LABELS } from "./support/runtime.js";

const SAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../config/samples");
const quiet = Object.fromEntries(DEFAULT_LABELS.map((l) => [l, 0.01]));

const spec: PolicySpec = {
  defaultAction: "allow",
  categories: {
    toxicity: { flag: 0.5, review: 0.7, block: 0.9 },
    threat: { block: 0.6 },
    harassment: { review: 0.8 },
  },
  terms: { block: ["kill yourself"], flag: ["idiot"], allow: ["kill time"] },
  languages: {
    de: { categories: { toxicity: { block: 0.95 } }, terms: { flag: ["Vollidiot"] } },
  },
  categoryMap: { toxicity: "harassment", insult: "harassment", threat: "harassment/threatening" },
};

describe("PolicyEngine", () => {
  const engine = new PolicyEngine(spec, DEFAULT_LABELS);

  it("applies the default action when nothing matches", () => {
    expect(engine.decide(quiet, "hello", "en")).toEqual({ action: "allow", reasons: [], matchedTerms: [] });
    const strict = new PolicyEngine({ ...spec, defaultAction: "review" }, DEFAULT_LABELS);
    expect(strict.decide(quiet, "hello", "en").action).toBe("review");
  });

  it("picks the strictest threshold a score meets, with the threshold as reason", () => {
    expect(engine.decide({ ...quiet, toxicity: 0.55 }, "x", "en").reasons).toEqual([
      { category: "toxicity", score: 0.55, threshold: 0.5, action: "flag" },
    ]);
    expect(engine.decide({ ...quiet, toxicity: 0.7 }, "x", "en").action).toBe("review");
    expect(engine.decide({ ...quiet, toxicity: 0.9 }, "x", "en").action).toBe("block");
    // Thresholds are inclusive, like the CRD documents them ("at or above").
    expect(engine.decide({ ...quiet, threat: 0.6 }, "x", "en").action).toBe("block");
  });

  it("orders reasons strictest first and the decision takes the strictest", () => {
    const decision = engine.decide({ ...quiet, toxicity: 0.75, threat: 0.65 }, "you idiot", "en");
    expect(decision.action).toBe("block");
    expect(decision.reasons.map((r) => r.action)).toEqual(["block", "review", "flag"]);
    expect(decision.matchedTerms).toEqual(["idiot"]);
  });

  it("scores a category named after an OpenAI category by the highest label mapped to it", () => {
    const decision = engine.decide({ ...quiet, insult: 0.85, toxicity: 0.2 }, "x", "en");
    expect(decision.reasons).toEqual([
      { category: "harassment", score: 0.85, threshold: 0.8, action: "review" },
    ]);
  });

  it("replaces a category's thresholds and adds terms for an overridden language", () => {
    const scores = { ...quiet, toxicity: 0.92 };
    expect(engine.decide(scores, "x", "en").action).toBe("block");
    // de replaces toxicity's thresholds entirely (only block at 0.95 is left); the harassment
    // category (toxicity mapped) still applies.
    expect(engine.decide(scores, "x", "de").reasons).toEqual([
      { category: "harassment", score: 0.92, threshold: 0.8, action: "review" },
    ]);
    expect(engine.decide(quiet, "du Vollidiot", "de").matchedTerms).toEqual(["Vollidiot"]);
    expect(engine.decide(quiet, "du Vollidiot", "en").matchedTerms).toEqual([]);
    // Base terms still apply under the override.
    expect(engine.decide(quiet, "idiot", "de").matchedTerms).toEqual(["idiot"]);
    // Languages without an override use the base policy.
    expect(engine.decide(scores, "x", "fr").action).toBe("block");
    expect(engine.decide(scores, "x", undefined).action).toBe("block");
  });

  it("reports term reasons with their list", () => {
    const decision = engine.decide(quiet, "just kill yourself", "en");
    expect(decision.action).toBe("block");
    expect(decision.reasons).toEqual([{ term: "kill yourself", list: "block", action: "block" }]);
    expect(decision.reasons.every((r) => !isCategoryReason(r))).toBe(true);
  });

  it("maps scores and decisions to the 13 OpenAI categories", () => {
    const scores = { ...quiet, toxicity: 0.3, insult: 0.6, threat: 0.7 };
    const openai = engine.openAIScores(scores);
    expect(Object.keys(openai)).toHaveLength(13);
    expect(openai.harassment).toBe(0.6);
    expect(openai["harassment/threatening"]).toBe(0.7);
    // "violence" is itself an OpenAI name, so the label maps to it without a categoryMap entry.
    expect(openai.violence).toBe(0.01);
    expect(openai["violence/graphic"]).toBe(0);
    const flags = engine.openAIFlags(engine.decide(scores, "x", "en"));
    expect(flags["harassment/threatening"]).toBe(true);
    expect(flags.harassment).toBe(false);
    expect(Object.values(flags).filter(Boolean)).toHaveLength(1);
  });

  it("treats labels that already are OpenAI names as mapped to themselves", () => {
    const identity = new PolicyEngine({ categories: { hate: { flag: 0.5 } } }, ["hate", "violence"]);
    expect(identity.openAIScores({ hate: 0.7, violence: 0.2 })).toMatchObject({ hate: 0.7, violence: 0.2 });
    expect(identity.openAIFlags(identity.decide({ hate: 0.7, violence: 0 }, "x", "en")).hate).toBe(true);
  });

  it("reports a term-list-only decision under harassment, or the Policy's termCategory", () => {
    const quiet = { toxicity: 0, insult: 0 };
    const byDefault = new PolicyEngine({ terms: { block: ["kill yourself"] } }, ["toxicity", "insult"]);
    const decision = byDefault.decide(quiet, "just kill yourself", "en");
    expect(decision.action).toBe("block");
    const flags = byDefault.openAIFlags(decision);
    expect(Object.entries(flags).filter(([, on]) => on)).toEqual([["harassment", true]]);

    const selfHarm = new PolicyEngine(
      { terms: { flag: ["kill yourself"] }, termCategory: "self-harm/instructions" },
      ["toxicity"],
    );
    const selfHarmFlags = selfHarm.openAIFlags(selfHarm.decide(quiet, "kill yourself", "en"));
    expect(Object.entries(selfHarmFlags).filter(([, on]) => on)).toEqual([["self-harm/instructions", true]]);
    // No term matched: nothing is reported under termCategory.
    expect(Object.values(selfHarm.openAIFlags(selfHarm.decide(quiet, "hello", "en"))).some(Boolean)).toBe(
      false,
    );
  });

  it("lists model labels no policy category covers, directly or through categoryMap", () => {
    const partial = new PolicyEngine(
      {
        categories: { toxicity: { flag: 0.5 }, harassment: { flag: 0.5 } },
        categoryMap: { insult: "harassment" },
      },
      ["toxicity", "insult", "threat", "identity_hate"],
    );
    expect(partial.uncoveredLabels).toEqual(["threat", "identity_hate"]);
  });

  it("covers every label of the default model with the default policy", async () => {
    const loaded = parsePolicy(DEFAULT_POLICY_FILE, await readFile(DEFAULT_POLICY_FILE, "utf8"));
    expect(new PolicyEngine(loaded.policy.spec, DEFAULT_LABELS).uncoveredLabels).toEqual([]);
  });

  it.each([
    ["policy-jigsaw.yaml", ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"], []],
    ["policy-binary.yaml", ["neutral", "toxic"], ["neutral"]],
  ])("ships %s covering its label set", async (file, labels, uncovered) => {
    const loaded = parsePolicy(file, await readFile(path.join(SAMPLES, file), "utf8"));
    const sample = new PolicyEngine(loaded.policy.spec, labels);
    expect(sample.uncoveredLabels).toEqual(uncovered);
    expect(sample.unknownCategories).toEqual([]);
  });

  it("lists policy categories that no label can score", () => {
    const typo = new PolicyEngine({ categories: { toxicty: { flag: 0.5 }, harassment: { flag: 0.5 } } }, [
      "toxicity",
    ]);
    expect(typo.unknownCategories).toEqual(["toxicty", "harassment"]);
    expect(engine.unknownCategories).toEqual([]);
  });
});
