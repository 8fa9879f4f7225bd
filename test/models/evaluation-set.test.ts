import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEvaluationSet } from "../../hack/data/dataset.js";
import { LABELS } from "../../hack/data/labels.js";
import { NearDuplicateIndex } from "../../hack/data/near-duplicates.js";
import { evaluateModel } from "../../hack/evaluate-model.js";
import type { MultiLabelMetrics } from "../../hack/onnx/multilabel-metrics.js";
import { DEFAULT_MODEL_DIR, trainingExamples } from "../../hack/train-default-model.js";

const evaluationSet = loadEvaluationSet();

describe("evaluation set (hack/data/heldout)", () => {
  it("covers 8 languages and every label, clean and harmful texts", () => {
    expect(new Set(evaluationSet.map((e) => e.lang))).toEqual(
      new Set(["de", "en", "es", "fr", "it", "nl", "pl", "pt"]),
    );
    for (const label of LABELS)
      expect(
        evaluationSet.some((e) => e.labels.includes(label)),
        label,
      ).toBe(true);
    const clean = evaluationSet.filter((e) => e.labels.length === 0).length;
    expect(clean / evaluationSet.length).toBeGreaterThan(0.4);
    expect(clean / evaluationSet.length).toBeLessThan(0.6);
  });

  it("is never trained on: no training text, hand-written or generated, is a near-duplicate of one", () => {
    const index = new NearDuplicateIndex(evaluationSet.map((e) => e.text));
    const training = trainingExamples();
    expect(training.length).toBeGreaterThan(2000);
    const leaks = training.flatMap((e) => {
      const twin = index.find(e.text);
      return twin === undefined ? [] : [`${e.text} ~ ${twin}`];
    });
    expect(leaks).toEqual([]);
  });

  it(
    "npm run model:eval, through the runtime's pipeline, reproduces the figures metrics.json has for the committed model",
    { timeout: 120_000 },
    async () => {
      const committed = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, "metrics.json"), "utf8")) as {
        evaluationSet: MultiLabelMetrics;
        heldOut: MultiLabelMetrics;
      };
      const evaluation = await evaluateModel(DEFAULT_MODEL_DIR);
      const [evaluated, heldOut] = evaluation.sets.map((s) => s.metrics);
      for (const [runtime, training] of [
        [evaluated, committed.evaluationSet],
        [heldOut, committed.heldOut],
      ] as const) {
        // Decisions at 0.5 are identical; log-loss differs only by float32 summation order.
        expect(runtime?.perLabel).toEqual(training.perLabel);
        expect(runtime?.cleanFlaggedRate).toBe(training.cleanFlaggedRate);
        expect(runtime?.harmfulMissedRate).toBe(training.harmfulMissedRate);
        expect(runtime?.logLoss).toBeCloseTo(training.logLoss, 3);
      }
    },
  );
});
