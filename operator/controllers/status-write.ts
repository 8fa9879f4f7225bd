// Status writes from reconcilers. A 409 Conflict means the object changed after the cache
// copy the status was computed from; the newer object is recomputed shortly instead of going
// through error backoff with an error log line, because losing that race is normal.
import { isConflict } from "../core/errors.js";
import type { ResourceKind } from "../core/kinds.js";
import type { KubeClient, KubeObject } from "../core/kubeclient.js";
import { writeStatusIfChanged, type StatusWithConditions } from "../core/status.js";

export const CONFLICT_REQUEUE_MS = 250;

export type StatusWriteOutcome = "written" | "unchanged" | "conflict";

export async function writeStatus(
  client: KubeClient,
  kind: ResourceKind,
  live: KubeObject & { status?: StatusWithConditions },
  status: StatusWithConditions,
): Promise<StatusWriteOutcome> {
  try {
    const { written } = await writeStatusIfChanged(client, kind, live, status);
    return written ? "written" : "unchanged";
  } catch (err) {
    if (isConflict(err)) return "conflict";
    throw err;
  }
}
