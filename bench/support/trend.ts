// Whether a quantity sampled over a soak run grows: a least-squares line through the samples,
// and a verdict that calls growth only when it is both material (a share of the mean over the
// run) and distinguishable from the scatter (the slope beyond two of its standard errors), so
// a noisy but flat series on a shared machine is not reported as a leak.

export interface Point {
  /** Minutes since the run started. */
  minutes: number;
  value: number;
}

export interface Trend {
  /** Fitted change per minute. */
  slopePerMinute: number;
  /** Standard error of the slope (NaN with fewer than three points). */
  slopeStandardError: number;
  mean: number;
  /** Fitted change from the first to the last point. */
  changeOverRun: number;
  verdict: "grows" | "shrinks" | "flat";
}

export function leastSquares(points: Point[]): {
  slope: number;
  intercept: number;
  slopeStandardError: number;
} {
  const n = points.length;
  if (n < 2) return { slope: 0, intercept: points[0]?.value ?? NaN, slopeStandardError: NaN };
  const meanX = points.reduce((s, p) => s + p.minutes, 0) / n;
  const meanY = points.reduce((s, p) => s + p.value, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.minutes - meanX) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.minutes - meanX) * (p.value - meanY), 0);
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = meanY - slope * meanX;
  const residuals = points.reduce((s, p) => s + (p.value - (intercept + slope * p.minutes)) ** 2, 0);
  const slopeStandardError = n > 2 && sxx > 0 ? Math.sqrt(residuals / (n - 2) / sxx) : NaN;
  return { slope, intercept, slopeStandardError };
}

/**
 * `materialShare`: the fitted change over the run, as a share of the mean, below which a trend
 * is called flat however clean it is (a heap settling by a few percent is not a leak).
 */
export function trendOf(points: Point[], materialShare = 0.1): Trend {
  const { slope, slopeStandardError } = leastSquares(points);
  const mean = points.reduce((s, p) => s + p.value, 0) / points.length;
  const span = points.length > 1 ? points.at(-1)!.minutes - points[0]!.minutes : 0;
  const changeOverRun = slope * span;
  const material = Math.abs(changeOverRun) > materialShare * Math.abs(mean);
  // Without an error estimate (two points) a material change cannot be told from noise.
  const significant = Number.isFinite(slopeStandardError) && Math.abs(slope) > 2 * slopeStandardError;
  const verdict = material && significant ? (slope > 0 ? "grows" : "shrinks") : "flat";
  return { slopePerMinute: slope, slopeStandardError, mean, changeOverRun, verdict };
}
