// What one complete quality-gate run found. A run is identified by the revision it called and
// the Policy generation the preview served under: a new Policy generation is a new run.
import type { RolloutChecks } from "../../../crds/index.js";
import { formatTime } from "../../core/conditions.js";

export interface GateFailure {
  text: string;
  expected: string;
  got: string;
}

export interface GateResult {
  revision: string;
  policyGeneration: number;
  passed: number;
  failed: number;
  p95LatencyMs?: number;
  /** The first failures, texts truncated. */
  failures: GateFailure[];
  ranAt: number;
  verdict: "Passed" | "Failed";
  /** One line: pass rate and p95 against the thresholds. */
  message: string;
}

/** A run that could not complete (preview unreachable, samples ConfigMap missing): retried. */
export interface GateError {
  revision: string;
  policyGeneration: number;
  message: string;
}

export function gateKey(revision: string, policyGeneration: number): string {
  return `${revision}@${policyGeneration}`;
}

export function checksStatus(result: GateResult): RolloutChecks {
  return {
    passed: result.passed,
    failed: result.failed,
    ...(result.p95LatencyMs !== undefined && { p95LatencyMs: result.p95LatencyMs }),
    ...(result.failures.length > 0 && { failures: result.failures }),
    ranAt: formatTime(result.ranAt),
    revision: result.revision,
    policyGeneration: result.policyGeneration,
    verdict: result.verdict,
    message: result.message,
  };
}
