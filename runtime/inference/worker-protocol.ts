// Messages between the worker pool (main thread) and an inference worker thread.
import type { ExecutionProvider } from "../config.js";
import type { Activation } from "./model-dir.js";
import type { CharacterSpan } from "./tokenizer.js";

/** The window of a long text that gave a label its score (the highest of its windows). */
export interface DecidingWindow extends CharacterSpan {
  /** 0-based, in text order. */
  index: number;
}

/** workerData of an inference worker. */
export interface WorkerInit {
  modelPath: string;
  tokenizerPath: string;
  tokenizerConfigPath: string | undefined;
  labelCount: number;
  activation: Activation;
  maxLength: number;
  /** Windows a text past maxLength is scored in (1: truncate). */
  maxWindows: number;
  /** Tokens per window; undefined: the model's limit. */
  windowLength: number | undefined;
  executionProvider: ExecutionProvider;
  intraOpThreads: number;
}

export type ToWorker = { type: "run"; id: number; texts: string[] };

export type FromWorker =
  | {
      type: "ready";
      provider: ExecutionProvider;
      /** Set when the requested provider was unavailable and the worker fell back to CPU. */
      warning: string | undefined;
      usesTokenTypeIds: boolean;
    }
  | { type: "load-failed"; message: string }
  | {
      type: "result";
      id: number;
      /** Row-major [texts, labels] probabilities (per text, the highest over its windows). */
      probabilities: Float32Array;
      /** Windows each text was scored in (1 when it fit the model's limit). */
      windows: Uint16Array;
      /** Per text scored in several windows, per label (model order): the deciding window. */
      decidingWindows: (DecidingWindow[] | undefined)[];
      /** Tokenisation + session.run, as measured inside the worker. */
      inferenceMs: number;
    }
  | { type: "run-failed"; id: number; message: string };
