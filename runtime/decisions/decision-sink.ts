// The decision-log seam: every decision served is handed to a sink. Locally that is one JSON
// line per decision on stdout; part 2 adds a Postgres decision log behind the same interface.
// Raw text is personal data: records carry its sha256, never the text itself.
import type { Action } from "../../crds/index.js";
import type { Reason } from "../policy/policy-engine.js";

export interface DecisionRecord {
  time: string;
  requestId: string;
  api: "classify" | "moderations" | "oip-v2";
  textSha256: string;
  textLength: number;
  language: string;
  action: Action;
  reasons: Reason[];
  modelName: string;
  modelVersion: string;
  policyName: string;
  policyGeneration: number;
  cached: boolean;
  /** Caller-supplied metadata from the native API (`context`), e.g. a content id. */
  context?: Record<string, unknown>;
  pod?: string;
}

export interface DecisionSink {
  readonly description: string;
  record(decision: DecisionRecord): void;
  /** Flushes buffered records (graceful shutdown). */
  close(): Promise<void>;
}

export class StdoutDecisionSink implements DecisionSink {
  readonly description = "decisions to stdout (JSON lines, text as sha256)";

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(line)) {}

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
