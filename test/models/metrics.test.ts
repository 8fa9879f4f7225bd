import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LABELS } from "../../hack/data/labels.js";
import type { MultiLabelMetrics } from "../../hack/onnx/multilabel-metrics.js";

const MODEL_DIR = "runtime/models/default";

/**
 * Held-out micro-F1 floor. Trivial baselines on this split score far lower: always predicting
 * "toxicity" gets ~0.29 (computed below from the label supports), guessing each label at its base
 * rate ~0.2. The current model scores ~0.65 on 573 held-out texts; 0.55 leaves room for retraining
 * noise (one example moves micro-F1 by ~0.002) while still failing a model that stopped learning.
 */
const MICRO_F1_FLOOR = 0.55;

interface Metrics {
  dataset: {
    examples: number;
    heldOut: number;
    languages: Record<string, number>;
    heldOutLabelCounts: Record<string, number>;
  };
  heldOut: MultiLabelMetrics;
  heldOutShortCleanFlaggedRate: number;
  noEvidenceScores: Record<string, number>;
  sizes: { parameters: number; vocabSize: number; fileBytes: Record<string, number> };
}

const metrics = JSON.parse(readFileSync(join(MODEL_DIR, "metrics.json"), "utf8")) as Metrics;

describe("default model metrics.json", () => {
  it("reports precision, recall, F1 and support per label on the held-out split", () => {
    expect(Object.keys(metrics.heldOut.perLabel)).toEqual([...LABELS]);
    for (const label of LABELS) {
      const m = metrics.heldOut.perLabel[label];
      expect(m?.support, label).toBe(metrics.dataset.heldOutLabelCounts[label]);
      for (const value of [m?.precision, m?.recall, m?.f1]) {
        expect(value, label).toBeGreaterThanOrEqual(0);
        expect(value, label).toBeLessThanOrEqual(1);
      }
    }
    expect(metrics.heldOut.examples).toBe(metrics.dataset.heldOut);
    expect(metrics.heldOut.exactMatch).toBeGreaterThan(0);
  });

  it(`has held-out micro-F1 >= ${MICRO_F1_FLOOR}, well above an always-"toxicity" baseline`, () => {
    const supports = Object.values(metrics.heldOut.perLabel).map((m) => m.support);
    const toxicity = metrics.heldOut.perLabel.toxicity?.support ?? 0;
    const falsePositives = metrics.heldOut.examples - toxicity;
    const falseNegatives = supports.reduce((a, b) => a + b, 0) - toxicity;
    const baseline = (2 * toxicity) / (2 * toxicity + falsePositives + falseNegatives);

    expect(metrics.heldOut.microF1).toBeGreaterThanOrEqual(MICRO_F1_FLOOR);
    expect(metrics.heldOut.microF1).toBeGreaterThan(baseline + 0.15);
  });

  it("keeps clean text clean: few held-out clean texts flagged, and no evidence means a low score", () => {
    // The previous model (mean-pooled embeddings) flagged 30% of this split's clean texts and 41%
    // of its clean texts of four words or fewer ("hello" scored toxicity 1.0).
    expect(metrics.heldOut.cleanFlaggedRate).toBeLessThan(0.15);
    expect(metrics.heldOutShortCleanFlaggedRate).toBeLessThan(0.1);
    expect(Object.keys(metrics.noEvidenceScores)).toEqual([...LABELS]);
    // A text with nothing known in it scores the training data's base rate: well under every
    // Policy threshold (the lowest is 0.4). The generated threats and insults raised toxicity's
    // from 0.06 to 0.11.
    for (const [label, score] of Object.entries(metrics.noEvidenceScores))
      expect(score, label).toBeLessThan(0.15);
  });

  it("was measured on a held-out split covering every language", () => {
    expect(Object.keys(metrics.dataset.languages).length).toBeGreaterThanOrEqual(6);
    expect(metrics.dataset.heldOut).toBeGreaterThanOrEqual(0.15 * metrics.dataset.examples);
  });

  it("describes a model directory under 5 MB whose file sizes match the files", () => {
    const files = readdirSync(MODEL_DIR);
    const total = files.reduce((sum, name) => sum + statSync(join(MODEL_DIR, name)).size, 0);
    expect(total).toBeLessThan(5 * 1024 * 1024);
    for (const [name, bytes] of Object.entries(metrics.sizes.fileBytes)) {
      expect(statSync(join(MODEL_DIR, name)).size, name).toBe(bytes);
    }
  });
});
