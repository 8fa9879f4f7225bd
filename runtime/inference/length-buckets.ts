// Splits one batch into runs of similar length. Padding every text to the batch's longest one
// wastes compute that grows with the spread of lengths (on CPU a mixed batch of short and long
// comments can be half padding), while every extra session.run costs a fixed overhead. So the
// texts are sorted by token count and cut where the padding saved exceeds the cost of another
// run, by dynamic programming over the sorted lengths (n <= max batch size, so O(n^2) is cheap).

/**
 * What one extra session.run costs, in padded tokens: onnxruntime's fixed per-call work plus
 * the lower efficiency of smaller matrix products. Measured on the benchmark encoder on CPU
 * (a lone text costs ~1.4x a text inside a batch of 32 of equal length), rounded up so
 * buckets stay large.
 */
export const RUN_OVERHEAD_TOKENS = 32;

/** Groups of indices into `lengths`; each group runs as one batch padded to its longest. */
export function planLengthBuckets(
  lengths: readonly number[],
  runOverheadTokens: number = RUN_OVERHEAD_TOKENS,
): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  const n = order.length;
  if (n <= 1) return n === 0 ? [] : [order];
  // best[j]: least cost of running order[0..j-1]; cut[j]: where its last group starts.
  const best = new Array<number>(n + 1).fill(Infinity);
  const cut = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    const longest = lengths[order[end - 1]!]!;
    for (let start = 0; start < end; start++) {
      const cost = best[start]! + runOverheadTokens + (end - start) * longest;
      if (cost < best[end]!) {
        best[end] = cost;
        cut[end] = start;
      }
    }
  }
  const groups: number[][] = [];
  for (let end = n; end > 0; end = cut[end]!) groups.unshift(order.slice(cut[end], end));
  return groups;
}
