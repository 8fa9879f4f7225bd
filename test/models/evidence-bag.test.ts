import { describe, expect, it } from "vitest";
import {
  evidenceBagLogits,
  sigmoid,
  trainEvidenceBag,
  type TrainingSample,
} from "../../hack/onnx/evidence-bag.js";

// Token ids: 0 [PAD], 1 [CLS], 2 [SEP] (held at zero), 3 "bad" (in every positive text),
// 4 "rare" (once, in a positive text), 5-7 neutral words seen with both labels.
const CLS = 1;
const SEP = 2;
const text = (...ids: number[]) => [CLS, ...ids, SEP];
const samples: TrainingSample[] = [
  ...Array.from({ length: 20 }, (_, i) => ({ ids: text(3, 5 + (i % 3)), targets: [1] })),
  { ids: text(3, 4), targets: [1] },
  ...Array.from({ length: 40 }, (_, i) => ({ ids: text(5 + (i % 3), 5 + ((i + 1) % 3)), targets: [0] })),
];
const options = {
  seed: 1,
  epochs: 60,
  batchSize: 8,
  learningRate: 0.05,
  l2: 1e-3,
  tokenDropout: 0,
  zeroEvidenceIds: [0, CLS, SEP],
};

describe("evidence bag (hack/onnx/evidence-bag.ts)", () => {
  const { weights, epochLosses } = trainEvidenceBag(samples, { vocabSize: 8, numLabels: 1 }, options);
  const evidence = (id: number) => weights.evidence[id] ?? NaN;

  it("learns the cue and keeps the special tokens at zero evidence", () => {
    expect(epochLosses.at(-1)).toBeLessThan(epochLosses[0] ?? 0);
    expect(sigmoid(evidenceBagLogits(weights, text(3, 6))[0] ?? NaN)).toBeGreaterThan(0.8);
    expect(sigmoid(evidenceBagLogits(weights, text(6, 7))[0] ?? NaN)).toBeLessThan(0.2);
    for (const id of options.zeroEvidenceIds) expect(evidence(id)).toBe(0);
  });

  it("scores a text without known evidence at the bias, whatever its length", () => {
    const bias = weights.bias[0] ?? NaN;
    expect(evidenceBagLogits(weights, [])[0]).toBeCloseTo(bias, 6);
    expect(evidenceBagLogits(weights, text())[0]).toBeCloseTo(bias, 6);
    expect(evidenceBagLogits(weights, [CLS, 0, 0, 0, SEP])[0]).toBeCloseTo(bias, 6);
  });

  it("adds each occurrence of a token: the sum, not the mean", () => {
    const once = evidenceBagLogits(weights, text(3))[0] ?? NaN;
    const twice = evidenceBagLogits(weights, text(3, 3))[0] ?? NaN;
    expect(twice - once).toBeCloseTo(evidence(3), 5);
    expect(evidenceBagLogits(weights, text(3, 5, 6, 7, 5, 6, 7))[0]).toBeCloseTo(
      once + 2 * (evidence(5) + evidence(6) + evidence(7)),
      5,
    );
  });

  it("gives a token seen once far less evidence than one seen in every positive text (L2)", () => {
    expect(evidence(3)).toBeGreaterThan(1);
    expect(Math.abs(evidence(4))).toBeLessThan(evidence(3) / 3);
  });

  it("is deterministic for a seed", () => {
    const again = trainEvidenceBag(samples, { vocabSize: 8, numLabels: 1 }, options).weights;
    expect(Array.from(again.evidence)).toEqual(Array.from(weights.evidence));
  });
});
