// Reads a runtime server's own Prometheus metrics (GET /metrics on its serving port): the
// batch sizes its batcher formed and its V8 heap, which only the server process can see.

/** The unlabelled samples of a Prometheus text exposition, by metric name. */
function parseUnlabelled(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** The server's metrics, or undefined when it serves none (the bare fastify baseline). */
export async function scrapeMetrics(url: string): Promise<Map<string, number> | undefined> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) return undefined;
  return parseUnlabelled(await response.text());
}

export interface BatchTotals {
  batches: number;
  texts: number;
}

export async function batchTotals(url: string): Promise<BatchTotals | undefined> {
  const metrics = await scrapeMetrics(url);
  if (!metrics?.has("vigil_batch_size_count")) return undefined;
  return { batches: metrics.get("vigil_batch_size_count")!, texts: metrics.get("vigil_batch_size_sum")! };
}

/** Mean texts per model run between two readings; undefined when no batch ran. */
export function meanBatchSizeBetween(before: BatchTotals, after: BatchTotals): number | undefined {
  const batches = after.batches - before.batches;
  return batches > 0 ? (after.texts - before.texts) / batches : undefined;
}

export async function heapUsedBytes(url: string): Promise<number | undefined> {
  return (await scrapeMetrics(url))?.get("vigil_nodejs_heap_size_used_bytes");
}
