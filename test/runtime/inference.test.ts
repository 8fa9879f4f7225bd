// The inference path below the HTTP layer: worker threads with onnxruntime sessions, the
// execution-provider fallback, and the signature check a wrong model fails with at load.
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import { ModelLoadError } from "../../runtime/errors.js";
import { loadModelDescriptor } from "../../runtime/inference/model-dir.js";
import { OnnxTextClassifier } from "../../runtime/inference/text-classifier.js";
import { RuntimeMetrics } from "../../runtime/server/metrics.js";
import { DEFAULT_LABELS, makeTempDir } from "./support/runtime.js";

const batching = { maxBatchSize: 8, maxDelayMs: 2, maxQueue: 64 };
const opened: OnnxTextClassifier[] = [];
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
});

async function load(
  modelDir: string,
  options: { workers?: number; executionProvider?: "cpu" | "cuda" } = {},
) {
  const model = await loadModelDescriptor(modelDir, { version: "1" });
  const classifier = await OnnxTextClassifier.load(
    model,
    {
      workers: options.workers ?? 1,
      intraOpThreads: 1,
      executionProvider: options.executionProvider ?? "cpu",
    },
    batching,
    new RuntimeMetrics(),
  );
  opened.push(classifier);
  return classifier;
}

describe("OnnxTextClassifier", () => {
  it("falls back to CPU with a warning when CUDA is requested but unavailable", async () => {
    const classifier = await load(DEFAULT_MODEL_DIR, { executionProvider: "cuda" });
    expect(classifier.info.provider).toBe("cpu");
    expect(classifier.providerWarning).toMatch(
      /^CUDA execution provider unavailable \(.+\); running on CPU$/,
    );
    const { scores } = await classifier.classify("hello there");
    expect(Object.keys(scores)).toEqual(DEFAULT_LABELS);
  });

  it("spreads batches over several workers with identical results", async () => {
    const one = await load(DEFAULT_MODEL_DIR, { workers: 1 });
    const two = await load(DEFAULT_MODEL_DIR, { workers: 2 });
    expect(two.providerWarning).toBeUndefined();
    const texts = Array.from({ length: 24 }, (_, i) => `text number ${i} ${"word ".repeat(i % 7)}`);
    const [a, b] = await Promise.all([
      Promise.all(texts.map((t) => one.classify(t))),
      Promise.all(texts.map((t) => two.classify(t))),
    ]);
    a.forEach(({ scores }, i) => {
      for (const label of DEFAULT_LABELS) expect(b[i]!.scores[label]).toBeCloseTo(scores[label]!, 5);
    });
  });

  it("refuses a model whose outputs do not match config.json, naming both", async () => {
    const temp = await makeTempDir();
    try {
      const dir = path.join(temp.dir, "model");
      await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
      const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
      config.id2label = { 0: "toxicity", 1: "insult", 2: "threat" };
      await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
      const error = await load(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as Error).message).toBe(
        `${path.join(dir, "model.onnx")}: output 'logits' has 7 classes but config.json id2label names 3`,
      );
    } finally {
      await temp.remove();
    }
  });

  it("refuses a file that is not an ONNX model", async () => {
    const temp = await makeTempDir();
    try {
      const dir = path.join(temp.dir, "model");
      await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
      await writeFile(path.join(dir, "model.onnx"), "this is not protobuf");
      const error = await load(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as Error).message).toMatch(/model\.onnx: onnxruntime cannot load the model: /);
    } finally {
      await temp.remove();
    }
  });
});
