import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Action, CategoryThresholds, PolicySpec } from "../../crds/index.js";
import { LABELS, type Label } from "../../hack/data/labels.js";
import { comparable } from "../../hack/data/near-duplicates.js";
import {
  BENIGN_SMOKE,
  FIRST_TRIES,
  qualityGateSamples,
  smokeAndGateTexts,
  TOXIC_SMOKE,
} from "../../hack/data/smoke-texts.js";
import { trainingExamples } from "../../hack/train-default-model.js";
import { isCategoryReason, PolicyEngine } from "../../runtime/policy/policy-engine.js";
import { loadModelDirectory, runLogits, sigmoid } from "./model-runner.js";

/**
 * What a user sees first: everyday text must pass the default model under both shipped Policies,
 * and clear abuse must still be caught (texts in hack/data/smoke-texts.ts). None of them is a
 * training text, hand-written or generated (checked below), so they test what the model learned,
 * not what it memorised. They were written before the model was
 * retrained and are a regression gate, not a quality estimate: metrics.json carries the held-out numbers.
 */

const MODEL_DIR = "runtime/models/default";
const POLICY_FILES = ["runtime/default-policy.yaml", "config/samples/policy.yaml"] as const;

function readPolicy(file: string): PolicySpec {
  return (parse(readFileSync(file, "utf8")) as { spec: PolicySpec }).spec;
}

/** The lowest threshold any action has for a label, over every Policy and language override. */
function lowestThresholds(specs: readonly PolicySpec[]): Record<Label, number> {
  const lowest = Object.fromEntries(LABELS.map((l) => [l, 1])) as Record<Label, number>;
  const consider = (categories: Record<string, CategoryThresholds> | undefined) => {
    for (const label of LABELS) {
      for (const threshold of Object.values(categories?.[label] ?? {})) {
        if (typeof threshold === "number") lowest[label] = Math.min(lowest[label], threshold);
      }
    }
  };
  for (const spec of specs) {
    consider(spec.categories);
    for (const override of Object.values(spec.languages ?? {})) consider(override.categories);
  }
  return lowest;
}

describe("default model on everyday and abusive text", () => {
  const policies = POLICY_FILES.map((file) => ({
    file,
    engine: new PolicyEngine(readPolicy(file), LABELS),
  }));
  const thresholds = lowestThresholds(POLICY_FILES.map(readPolicy));
  let model: Awaited<ReturnType<typeof loadModelDirectory>>;
  const score = async (texts: readonly string[]) =>
    (
      await runLogits(
        model.session,
        texts.map((t) => model.tokenizer.encode(t).ids),
      )
    ).map((row) => Object.fromEntries(LABELS.map((label, l) => [label, sigmoid(row[l] ?? NaN)]))) as Record<
      Label,
      number
    >[];

  beforeAll(async () => {
    model = await loadModelDirectory(MODEL_DIR);
  });
  afterAll(async () => {
    await model.session.release();
  });

  it("uses smoke texts that are not in the training data, at least 60 benign ones in 8 languages", () => {
    const benign = Object.values(BENIGN_SMOKE).flat();
    expect(benign.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(BENIGN_SMOKE).sort()).toEqual(["de", "en", "es", "fr", "it", "nl", "pl", "pt"]);
    // Hand-written and generated training texts alike.
    const trained = new Set(trainingExamples().map((e) => comparable(e.text)));
    for (const text of smokeAndGateTexts()) {
      expect(trained.has(comparable(text)), `"${text}" is a training text`).toBe(false);
    }
    // Sanity of the threshold reading: both files define every label.
    for (const label of LABELS) expect(thresholds[label], label).toBeLessThan(1);
  });

  it("scores every benign smoke text below the lowest threshold of both Policies, on every label", async () => {
    const texts = [...Object.values(BENIGN_SMOKE).flat(), ...FIRST_TRIES];
    const scores = await score(texts);
    const failures = texts.flatMap((text, i) =>
      LABELS.filter((label) => (scores[i]?.[label] ?? 1) >= thresholds[label]).map(
        (label) => `"${text}": ${label} ${scores[i]?.[label].toFixed(3)} >= ${thresholds[label]}`,
      ),
    );
    expect(failures).toEqual([]);
    for (const [i, text] of texts.entries()) {
      for (const { file, engine } of policies) {
        const lang = Object.entries(BENIGN_SMOKE).find(([, list]) => list.includes(text))?.[0] ?? "en";
        expect(engine.decide(scores[i] ?? {}, text, lang).action, `${text} under ${file}`).toBe("allow");
      }
    }
  });

  it("still catches short abuse: the expected label reaches its flag threshold and nothing allows it", async () => {
    const scores = await score(TOXIC_SMOKE.map((t) => t.text));
    TOXIC_SMOKE.forEach(({ lang, text, label }, i) => {
      const labelScores = scores[i] ?? ({} as Record<Label, number>);
      expect(labelScores[label], `${label} for "${text}"`).toBeGreaterThanOrEqual(0.5);
      for (const { file, engine } of policies) {
        expect(engine.decide(labelScores, text, lang).action, `${text} under ${file}`).not.toBe("allow");
      }
    });
  });

  it("passes the quality gate of config/samples/modeldeployment.yaml under config/samples/policy.yaml", async () => {
    const samples = qualityGateSamples();
    expect(samples.map((s) => s.text)).toEqual([
      "have a nice day",
      "thanks for the help, see you tomorrow",
      "I will find you and hurt you",
    ]);
    const engine = new PolicyEngine(readPolicy("config/samples/policy.yaml"), LABELS);
    const scores = await score(samples.map((s) => s.text));
    samples.forEach(({ text, expect: expected }, i) => {
      const decision = engine.decide(scores[i] ?? {}, text, samples[i]?.language ?? "en");
      expect(decision.action, text).toBe(expected.action as Action);
      const atThatAction = decision.reasons
        .filter(isCategoryReason)
        .filter((r) => r.action === decision.action)
        .map((r) => r.category);
      for (const category of expected.categories ?? []) expect(atThatAction, text).toContain(category);
    });
  });
});
