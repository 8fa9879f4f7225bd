// A stand-in for the ONNX classifier, for route tests that need no model: scores come from
// keywords so each test can choose the decision it wants.
import type {
  Classification,
  LabelScores,
  ModelInfo,
  TextClassifier,
} from "../../../runtime/inference/text-classifier.js";
import { DEFAULT_LABELS } from "./runtime.js";

export class FakeClassifier implements TextClassifier {
  readonly info: ModelInfo = {
    name: "fake-model",
    version: "9.9.9",
    labels: DEFAULT_LABELS,
    provider: "cpu",
    maxLength: 512,
    problemType: "multi_label_classification",
  };
  calls: string[] = [];
  /** When set, classify() fails with it (e.g. a QueueFullError). */
  failWith: Error | undefined;

  async classify(text: string): Promise<Classification> {
    if (this.failWith) throw this.failWith;
    this.calls.push(text);
    const scores: LabelScores = Object.fromEntries(DEFAULT_LABELS.map((l) => [l, 0.01]));
    if (text.includes("toxic")) scores.toxicity = 0.95;
    if (text.includes("threat")) scores.threat = 0.8;
    if (text.includes("insult")) scores.insult = 0.85;
    return { scores };
  }

  async close(): Promise<void> {}
}
