// The decision-log seam: every decision served is handed to a sink. Locally that is one JSON
// line per decision on stdout; with DATABASE_URL it is the Postgres decision log behind the same
// interface. Raw text is personal data: records carry its sha256, and the text itself only when
// VIGIL_LOG_RAW_TEXT is set.
import type { Action } from "../../crds/index.js";
import type { Reason } from "../policy/policy-engine.js";

export interface DecisionRecord {
  /** Returned to the caller (`decision_id`) so a reviewer can find the decision. */
  id: string;
  time: string;
  requestId: string;
  api: "classify" | "moderations" | "oip-v2";
  textSha256: string;
  textLength: number;
  /** Only with VIGIL_LOG_RAW_TEXT. */
  rawText?: string;
  language: string;
  action: Action;
  reasons: Reason[];
  scores: Record<string, number>;
  modelName: string;
  modelVersion: string;
  policyName: string;
  policyGeneration: number;
  cached: boolean;
  /** Who asked: `key:<name>`, `jwt:<subject>` or `ip:<address>`. */
  clientId?: string;
  /** From the request reaching the moderator to this decision: cache, queue, inference, policy. */
  latencyMs: number;
  /** Caller-supplied metadata from the native API (`context`), e.g. a content id. */
  context?: Record<string, unknown>;
  pod?: string;
}

export interface DecisionSink {
  readonly description: string;
  record(decision: DecisionRecord): void;
  /** Flushes buffered records (graceful shutdown), giving up after `deadlineMs`. */
  close(deadlineMs?: number): Promise<void>;
}

export class StdoutDecisionSink implements DecisionSink {
  readonly description: string;

  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    includesRawText = false,
  ) {
    this.description = `decisions to stdout (JSON lines, ${includesRawText ? "raw text included" : "text as sha256"})`;
  }

  record(decision: DecisionRecord): void {
    this.write(`${JSON.stringify({ msg: "decision", ...decision })}\n`);
  }

  async close(): Promise<void> {}
}

export class DiscardingDecisionSink implements DecisionSink {
  readonly description = "decision log off";

  record(): void {}

  async close(): Promise<void> {}
}
