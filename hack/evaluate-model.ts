/**
 * Scores a model directory on the evaluation set (hack/data/heldout) and on the held-out split of
 * hack/data, through the runtime's own pipeline (tokenizer.json, onnxruntime workers, activation
 * from config.json), and prints per-label precision/recall, the clean-text false-positive rate and
 * the harmful-text miss rate at threshold 0.5, plus what a Policy decides, and how length changes
 * that (clean texts joined into one, with and without one harmful text among them):
 *   npm run model:eval [-- --model <dir>] [--policy <file>] [--json]
 * Any model whose labels include the seven of hack/data/labels.ts can be measured, so the committed
 * model of an earlier commit gives the "before" figures:
 *   git archive <commit> runtime/models/default | tar -x -C /tmp/before
 *   npm run model:eval -- --model /tmp/before/runtime/models/default
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { parse } from "yaml";
import type { PolicySpec } from "../crds/index.js";
import { loadModelDescriptor } from "../runtime/inference/model-dir.js";
import { OnnxTextClassifier } from "../runtime/inference/text-classifier.js";
import { PolicyEngine } from "../runtime/policy/policy-engine.js";
import { RuntimeMetrics } from "../runtime/server/metrics.js";
import { loadEvaluationSet, loadExamples, splitExamples, type Example } from "./data/dataset.js";
import { LABELS } from "./data/labels.js";
import { multiLabelMetrics, type MultiLabelMetrics } from "./onnx/multilabel-metrics.js";
import { SeededRandom } from "./onnx/seeded-random.js";
import { DEFAULT_MODEL_DIR } from "./train-default-model.js";

const DEFAULT_POLICY_FILE = "runtime/default-policy.yaml";

export interface PolicyOutcome {
  policy: string;
  /** Clean texts the Policy did not allow (flag, review or block). */
  cleanNotAllowedRate: number;
  /** Harmful texts the Policy allowed. */
  harmfulAllowedRate: number;
}

export interface SetEvaluation {
  set: string;
  metrics: MultiLabelMetrics;
  policy: PolicyOutcome;
}

/** Texts made by joining texts of both sets: what a sum of evidence does with length. */
export interface JoinedTextEvaluation {
  /** Clean texts per joined text. */
  cleanParts: number;
  /** Joined clean texts with some label >= 0.5. */
  cleanFlaggedRate: number;
  /** The same clean texts with one harmful text inserted, with no label >= 0.5. */
  harmfulMissedRate: number;
}

export interface ModelEvaluation {
  model: string;
  sets: SetEvaluation[];
  joined: JoinedTextEvaluation[];
}

const JOINED_TEXTS = 300;
// The runtime's VIGIL_MAX_WINDOWS default (runtime/config.ts).
const MAX_WINDOWS = 8;
const JOINED_CLEAN_PARTS = [3, 6, 10];

export async function evaluateModel(
  modelDir: string,
  policyFile = DEFAULT_POLICY_FILE,
  /** As VIGIL_MAX_SEQUENCE_LENGTH: longer texts are scored in windows of this many tokens. */
  maxSequenceLength?: number,
): Promise<ModelEvaluation> {
  const model = await loadModelDescriptor(modelDir, { version: "evaluation", maxSequenceLength });
  const missing = LABELS.filter((label) => !model.labels.includes(label));
  if (missing.length > 0) {
    throw new Error(
      `${modelDir}: the model has no ${missing.join(", ")} label(s); the evaluation set needs all of ${LABELS.join(", ")}`,
    );
  }
  const engine = new PolicyEngine(
    (parse(readFileSync(policyFile, "utf8")) as { spec: PolicySpec }).spec,
    model.labels,
  );
  const classifier = await OnnxTextClassifier.load(
    model,
    { workers: 1, intraOpThreads: 1, executionProvider: "cpu", maxWindows: MAX_WINDOWS },
    { maxBatchSize: 32, maxDelayMs: 1, maxQueue: 100_000 },
    new RuntimeMetrics(),
  );
  try {
    const sets: [string, Example[]][] = [
      ["evaluation set (hack/data/heldout)", loadEvaluationSet()],
      ["held-out split (20% of hack/data)", splitExamples(loadExamples()).heldOut],
    ];
    const evaluations: SetEvaluation[] = [];
    for (const [name, examples] of sets) {
      const scores = await Promise.all(examples.map(async (e) => (await classifier.classify(e.text)).scores));
      const isClean = (e: Example) => e.labels.length === 0;
      const allowed = examples.map(
        (e, i) => engine.decide(scores[i] ?? {}, e.text, e.lang).action === "allow",
      );
      const rate = (keep: (e: Example) => boolean, count: (i: number) => boolean) => {
        const indexes = examples.flatMap((e, i) => (keep(e) ? [i] : []));
        return round(indexes.filter(count).length / Math.max(indexes.length, 1));
      };
      evaluations.push({
        set: name,
        metrics: multiLabelMetrics(
          LABELS,
          scores.map((s) => LABELS.map((label) => s[label] ?? 0)),
          examples.map((e) => LABELS.map((label) => (e.labels.includes(label) ? 1 : 0))),
        ),
        policy: {
          policy: policyFile,
          cleanNotAllowedRate: rate(isClean, (i) => !allowed[i]),
          harmfulAllowedRate: rate(
            (e) => !isClean(e),
            (i) => allowed[i] === true,
          ),
        },
      });
    }
    const all = sets.flatMap(([, examples]) => examples);
    const clean = all.filter((e) => e.labels.length === 0).map((e) => e.text);
    const harmful = all.filter((e) => e.labels.length > 0).map((e) => e.text);
    const flagged = async (text: string) =>
      Object.values((await classifier.classify(text)).scores).some((score) => score >= 0.5);
    const joined: JoinedTextEvaluation[] = [];
    for (const cleanParts of JOINED_CLEAN_PARTS) {
      const random = new SeededRandom(cleanParts);
      const pick = (texts: string[]) => texts[Math.floor(random.next() * texts.length)] as string;
      let cleanFlagged = 0;
      let harmfulMissed = 0;
      for (let i = 0; i < JOINED_TEXTS; i++) {
        const parts = Array.from({ length: cleanParts }, () => pick(clean));
        const withHarm = [...parts];
        withHarm.splice(Math.floor(random.next() * (cleanParts + 1)), 0, pick(harmful));
        if (await flagged(parts.join(" "))) cleanFlagged++;
        if (!(await flagged(withHarm.join(" ")))) harmfulMissed++;
      }
      joined.push({
        cleanParts,
        cleanFlaggedRate: round(cleanFlagged / JOINED_TEXTS),
        harmfulMissedRate: round(harmfulMissed / JOINED_TEXTS),
      });
    }
    return { model: modelDir, sets: evaluations, joined };
  } finally {
    await classifier.close();
  }
}

/** Markdown: one table per set and the summary line the README quotes. */
export function formatEvaluation(evaluation: ModelEvaluation): string {
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [`model: ${evaluation.model}`];
  for (const { set, metrics, policy } of evaluation.sets) {
    lines.push("", `${set}: ${metrics.examples} texts, threshold ${metrics.threshold}`, "");
    lines.push("| label | precision | recall | F1 | texts |", "|---|---|---|---|---|");
    for (const [label, m] of Object.entries(metrics.perLabel)) {
      lines.push(
        `| ${label} | ${m.precision.toFixed(2)} | ${m.recall.toFixed(2)} | ${m.f1.toFixed(2)} | ${m.support} |`,
      );
    }
    lines.push(
      "",
      `clean texts flagged ${percent(metrics.cleanFlaggedRate)}, harmful texts missed ${percent(metrics.harmfulMissedRate)}; ` +
        `micro-F1 ${metrics.microF1.toFixed(2)}, macro-F1 ${metrics.macroF1.toFixed(2)}, mean AP ${metrics.meanAveragePrecision.toFixed(2)}`,
      `under ${policy.policy}: clean texts not allowed ${percent(policy.cleanNotAllowedRate)}, ` +
        `harmful texts allowed ${percent(policy.harmfulAllowedRate)}`,
    );
  }
  lines.push("", `joined texts (${JOINED_TEXTS} each, clean texts of both sets, seeded):`);
  for (const { cleanParts, cleanFlaggedRate, harmfulMissedRate } of evaluation.joined) {
    lines.push(
      `${cleanParts} clean texts joined: flagged ${percent(cleanFlaggedRate)}; ` +
        `with one harmful text among them: missed ${percent(harmfulMissedRate)}`,
    );
  }
  return lines.join("\n");
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

async function main(argv: string[]): Promise<void> {
  const options = new Command()
    .name("evaluate-model")
    .description("Score a model directory on the evaluation set and the held-out split")
    .option("--model <dir>", "model directory (Hugging Face ONNX layout)", DEFAULT_MODEL_DIR)
    .option("--policy <file>", "Policy file whose decisions to count", DEFAULT_POLICY_FILE)
    .option(
      "--max-sequence-length <tokens>",
      "as VIGIL_MAX_SEQUENCE_LENGTH: score longer texts in windows of this many tokens",
      (value: string) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 8) throw new InvalidArgumentError("an integer >= 8");
        return n;
      },
    )
    .option("--json", "print the figures as JSON")
    .parse(argv)
    .opts<{ model: string; policy: string; json?: boolean; maxSequenceLength?: number }>();
  const evaluation = await evaluateModel(options.model, options.policy, options.maxSequenceLength);
  console.log(options.json ? JSON.stringify(evaluation, null, 2) : formatEvaluation(evaluation));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv).catch((error: unknown) => {
    console.error(`evaluate-model: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
