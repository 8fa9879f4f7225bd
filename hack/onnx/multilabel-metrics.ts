/** Precision/recall/F1 for multi-label predictions at a fixed threshold. */

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of held-out examples that carry the label. */
  support: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /**
   * Area under the precision-recall curve over all thresholds: how well the scores rank this
   * label, independent of the 0.5 cut (Policies choose their own thresholds).
   */
  averagePrecision: number;
}

export interface MultiLabelMetrics {
  threshold: number;
  examples: number;
  perLabel: Record<string, LabelMetrics>;
  microPrecision: number;
  microRecall: number;
  microF1: number;
  macroF1: number;
  /** Mean over labels of averagePrecision. */
  meanAveragePrecision: number;
  /** Fraction of examples whose whole predicted label set equals the true set. */
  exactMatch: number;
  /** Fraction of clean (no-label) examples that got at least one label: the over-blocking rate. */
  cleanFlaggedRate: number;
  /** Fraction of labelled examples that got no label at all: the miss rate. */
  harmfulMissedRate: number;
  /** Mean binary cross-entropy per (example, label): lower means better-calibrated scores. */
  logLoss: number;
}

/** `scores[i][l]` is a probability, `targets[i][l]` is 0 or 1. Values are rounded to 4 decimals. */
export function multiLabelMetrics(
  labels: readonly string[],
  scores: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  threshold = 0.5,
): MultiLabelMetrics {
  const predicted = scores.map((row) => row.map((s) => (s >= threshold ? 1 : 0)));
  const perLabel: Record<string, LabelMetrics> = {};
  let tpAll = 0;
  let fpAll = 0;
  let fnAll = 0;
  let f1Sum = 0;
  let apSum = 0;
  labels.forEach((label, l) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    predicted.forEach((row, i) => {
      const p = row[l] === 1;
      const t = targets[i]?.[l] === 1;
      if (p && t) tp++;
      else if (p) fp++;
      else if (t) fn++;
    });
    tpAll += tp;
    fpAll += fp;
    fnAll += fn;
    const f1 = ratio(2 * tp, 2 * tp + fp + fn);
    f1Sum += f1;
    const ap = averagePrecision(
      scores.map((row) => row[l] ?? 0),
      targets.map((row) => row[l] ?? 0),
    );
    apSum += ap;
    perLabel[label] = {
      precision: round(ratio(tp, tp + fp)),
      recall: round(ratio(tp, tp + fn)),
      f1: round(f1),
      support: tp + fn,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      averagePrecision: round(ap),
    };
  });
  const isClean = (row: readonly number[]) => row.every((x) => x === 0);
  const clean = targets.map((row, i) => ({ truth: isClean(row), flagged: !isClean(predicted[i] ?? []) }));
  const cleanTotal = clean.filter((c) => c.truth).length;
  const harmfulTotal = clean.length - cleanTotal;
  return {
    threshold,
    examples: scores.length,
    perLabel,
    microPrecision: round(ratio(tpAll, tpAll + fpAll)),
    microRecall: round(ratio(tpAll, tpAll + fnAll)),
    microF1: round(ratio(2 * tpAll, 2 * tpAll + fpAll + fnAll)),
    macroF1: round(f1Sum / labels.length),
    meanAveragePrecision: round(apSum / labels.length),
    exactMatch: round(
      ratio(predicted.filter((row, i) => row.every((p, l) => p === targets[i]?.[l])).length, scores.length),
    ),
    cleanFlaggedRate: round(ratio(clean.filter((c) => c.truth && c.flagged).length, cleanTotal)),
    harmfulMissedRate: round(ratio(clean.filter((c) => !c.truth && !c.flagged).length, harmfulTotal)),
    logLoss: round(meanLogLoss(scores, targets)),
  };
}

/** Σ (recall_k − recall_{k−1}) · precision_k over examples by descending score (scikit-learn's definition). */
function averagePrecision(scores: number[], targets: number[]): number {
  const positives = targets.filter((t) => t === 1).length;
  if (positives === 0) return 0;
  const order = scores
    .map((score, i) => ({ score, target: targets[i] ?? 0 }))
    .sort((a, b) => b.score - a.score);
  let truePositives = 0;
  let previousRecall = 0;
  let ap = 0;
  order.forEach(({ score, target }, k) => {
    truePositives += target;
    // Tied scores are one threshold: evaluate precision/recall only after the last of them.
    if (order[k + 1]?.score === score) return;
    const recall = truePositives / positives;
    ap += (recall - previousRecall) * (truePositives / (k + 1));
    previousRecall = recall;
  });
  return ap;
}

function meanLogLoss(
  scores: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
): number {
  const epsilon = 1e-7;
  let total = 0;
  let count = 0;
  scores.forEach((row, i) =>
    row.forEach((p, l) => {
      const q = Math.min(Math.max(p, epsilon), 1 - epsilon);
      total -= targets[i]?.[l] === 1 ? Math.log(q) : Math.log(1 - q);
      count++;
    }),
  );
  return ratio(total, count);
}

/** 0 when the denominator is 0 (scikit-learn's zero_division=0 convention). */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
