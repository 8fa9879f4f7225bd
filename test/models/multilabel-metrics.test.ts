import { describe, expect, it } from "vitest";
import { multiLabelMetrics } from "../../hack/onnx/multilabel-metrics.js";

describe("multiLabelMetrics", () => {
  // Two labels, four examples: one perfect, one missed, one false alarm on a clean text, one clean.
  const labels = ["a", "b"];
  const targets = [
    [1, 0],
    [0, 1],
    [0, 0],
    [0, 0],
  ];
  const scores = [
    [0.9, 0.1],
    [0.2, 0.4],
    [0.7, 0.1],
    [0.1, 0.2],
  ];
  const metrics = multiLabelMetrics(labels, scores, targets);

  it("counts per-label true/false positives and negatives at the threshold", () => {
    expect(metrics.perLabel.a).toEqual({
      precision: 0.5,
      recall: 1,
      f1: 0.6667,
      support: 1,
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 0,
      averagePrecision: 1,
    });
    // No predictions for b at 0.5: precision is 0 by the zero-division convention. Its one positive
    // still has the highest b score, so the threshold-free average precision is perfect.
    expect(metrics.perLabel.b).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      support: 1,
      averagePrecision: 1,
    });
  });

  it("computes micro/macro F1, exact match and the clean/harmful error rates", () => {
    expect(metrics).toMatchObject({
      examples: 4,
      microPrecision: 0.5,
      microRecall: 0.5,
      microF1: 0.5,
      macroF1: 0.3333,
      exactMatch: 0.5,
      cleanFlaggedRate: 0.5,
      harmfulMissedRate: 0.5,
      meanAveragePrecision: 1,
    });
    // The probability each (example, label) entry gives its true value, row by row.
    const expectedLogLoss =
      -[0.9, 0.9, 0.8, 0.4, 0.3, 0.9, 0.9, 0.8].reduce((sum, p) => sum + Math.log(p), 0) / 8;
    expect(metrics.logLoss).toBeCloseTo(expectedLogLoss, 4);
  });

  it("ranks with average precision: a positive scored below a negative lowers it", () => {
    const ap = multiLabelMetrics(["a"], [[0.9], [0.8], [0.7]], [[1], [0], [1]]).perLabel.a?.averagePrecision;
    expect(ap).toBeCloseTo((1 / 2) * 1 + (1 / 2) * (2 / 3), 4);
  });

  it("moves with the threshold", () => {
    expect(multiLabelMetrics(labels, scores, targets, 0.3).perLabel.b?.recall).toBe(1);
  });
});
