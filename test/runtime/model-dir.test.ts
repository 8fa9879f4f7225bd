import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import { ModelLoadError } from "../../runtime/errors.js";
import { loadModelDescriptor } from "../../runtime/inference/model-dir.js";
import { checkSignature } from "../../runtime/inference/signature.js";
import { DEFAULT_LABELS, makeTempDir } from "./support/runtime.js";

describe("loadModelDescriptor", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => temp.remove());

  async function copyDefault(): Promise<string> {
    const dir = path.join(temp.dir, "model");
    await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
    return dir;
  }

  it("reads the default model's labels, activation and limits", async () => {
    const model = await loadModelDescriptor(DEFAULT_MODEL_DIR, { version: "1.2.3" });
    expect(model.labels).toEqual(DEFAULT_LABELS);
    expect(model.problemType).toBe("multi_label_classification");
    expect(model.activation).toBe("sigmoid");
    expect(model.maxLength).toBeGreaterThan(0);
    expect(model.maxLength).toBeLessThanOrEqual(512);
    expect(model.version).toBe("1.2.3");
    expect(model.name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(model.modelPath).toBe(path.join(DEFAULT_MODEL_DIR, "model.onnx"));
  });

  it("truncates to VIGIL_MAX_SEQUENCE_LENGTH, but never past the model's position embeddings", async () => {
    const shorter = await loadModelDescriptor(DEFAULT_MODEL_DIR, { version: "1", maxSequenceLength: 128 });
    expect(shorter.maxLength).toBe(128);
    expect(shorter.truncationNote).toBeUndefined();
    const longer = await loadModelDescriptor(DEFAULT_MODEL_DIR, { version: "1", maxSequenceLength: 4096 });
    expect(longer.maxLength).toBe(512);
    expect(longer.truncationNote).toBe(
      "VIGIL_MAX_SEQUENCE_LENGTH=4096 exceeds the model's 512 positions; truncating to 512 tokens",
    );
  });

  async function withConfig(change: (config: Record<string, unknown>) => void, tokenizerConfig?: object) {
    const dir = await copyDefault();
    const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
    change(config);
    await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
    if (tokenizerConfig) {
      await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    }
    return dir;
  }

  it.each([
    ["roberta", 1, 514, 512],
    ["xlm-roberta", 1, 514, 512],
    ["camembert", 1, 514, 512],
    ["bert", 0, 512, 512],
    ["distilbert", 0, 512, 512],
  ])("gives a %s model (pad %i, %i positions) %i tokens", async (modelType, pad, positions, expected) => {
    const dir = await withConfig((config) => {
      config.model_type = modelType;
      config.pad_token_id = pad;
      config.max_position_embeddings = positions;
    }, {});
    expect((await loadModelDescriptor(dir, { version: "1" })).maxLength).toBe(expected);
    // The same bound holds against a larger requested length.
    const requested = await loadModelDescriptor(dir, { version: "1", maxSequenceLength: 4096 });
    expect(requested.maxLength).toBe(expected);
  });

  it("takes the tokenizer's model_max_length when it is lower, and ignores its 'unset' sentinel", async () => {
    const lower = await withConfig(() => undefined, { model_max_length: 128 });
    expect((await loadModelDescriptor(lower, { version: "1" })).maxLength).toBe(128);
    const sentinel = await withConfig(() => undefined, { model_max_length: 1e30 });
    expect((await loadModelDescriptor(sentinel, { version: "1" })).maxLength).toBe(512);
  });

  it("never truncates to config.json's max_length, a generation setting", async () => {
    const dir = await withConfig((config) => {
      config.max_length = 20;
    });
    expect((await loadModelDescriptor(dir, { version: "1" })).maxLength).toBe(512);
  });

  it("finds onnx/model.onnx (the optimum export layout) and honours a name override", async () => {
    const dir = await copyDefault();
    await mkdir(path.join(dir, "onnx"));
    await cp(path.join(dir, "model.onnx"), path.join(dir, "onnx", "model.onnx"));
    await rm(path.join(dir, "model.onnx"));
    const model = await loadModelDescriptor(dir, { name: "toxic-bert", version: "3.1.0" });
    expect(model.modelPath).toBe(path.join(dir, "onnx", "model.onnx"));
    expect(model.name).toBe("toxic-bert");
  });

  it("uses softmax for single-label models", async () => {
    const dir = await copyDefault();
    const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
    delete config.problem_type;
    await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
    expect((await loadModelDescriptor(dir, { version: "1" })).activation).toBe("softmax");
  });

  it.each([
    ["no directory", async (dir: string) => rm(dir, { recursive: true }), "model directory does not exist"],
    [
      "no model file",
      async (dir: string) => rm(path.join(dir, "model.onnx")),
      "no model.onnx or onnx/model.onnx",
    ],
    ["no tokenizer", async (dir: string) => rm(path.join(dir, "tokenizer.json")), "no tokenizer.json"],
    [
      "bad JSON",
      async (dir: string) => writeFile(path.join(dir, "config.json"), "{"),
      "config.json: invalid JSON",
    ],
    [
      "no id2label",
      async (dir: string) => writeFile(path.join(dir, "config.json"), "{}"),
      "config.json: id2label is missing",
    ],
    [
      "gaps in id2label",
      async (dir: string) =>
        writeFile(path.join(dir, "config.json"), JSON.stringify({ id2label: { 0: "a", 5: "b" } })),
      "id2label keys must be 0..1, got '5'",
    ],
  ])("fails clearly on %s", async (_case, breakIt, message) => {
    const dir = await copyDefault();
    await breakIt(dir);
    const error = await loadModelDescriptor(dir, { version: "1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message.split("\n")).toHaveLength(1);
  });
});

describe("checkSignature", () => {
  const int64 = (name: string) => ({ name, type: "int64", shape: ["batch", "sequence"] });
  const logits = (classes: number | string = 7) => ({
    name: "logits",
    type: "float32",
    shape: ["batch", classes],
  });

  it("accepts BERT-style and RoBERTa-style inputs and says whether token_type_ids is needed", () => {
    expect(checkSignature("m", [int64("input_ids"), int64("attention_mask")], [logits()], 7)).toEqual({
      usesTokenTypeIds: false,
      fixedSequenceLength: undefined,
    });
    expect(
      checkSignature(
        "m",
        [int64("input_ids"), int64("attention_mask"), int64("token_type_ids")],
        [logits()],
        7,
      ).usesTokenTypeIds,
    ).toBe(true);
  });

  it("reports a fixed sequence axis", () => {
    const fixed = { name: "input_ids", type: "int64", shape: [1, 128] };
    const mask = { name: "attention_mask", type: "int64", shape: [1, 128] };
    expect(checkSignature("m", [fixed, mask], [logits("n")], 7).fixedSequenceLength).toBe(128);
  });

  it.each([
    [[int64("input_ids")], [logits()], "m: missing input 'attention_mask' (model inputs: input_ids;"],
    [
      [int64("input_ids"), int64("attention_mask"), int64("pixel_values")],
      [logits()],
      "unsupported input 'pixel_values'",
    ],
    [
      [{ ...int64("input_ids"), type: "int32" }, int64("attention_mask")],
      [logits()],
      "input 'input_ids' must be int64, is int32",
    ],
    [
      [int64("input_ids"), int64("attention_mask")],
      [{ ...logits(), name: "last_hidden_state" }],
      "missing output 'logits' (model outputs: last_hidden_state)",
    ],
    [
      [int64("input_ids"), int64("attention_mask")],
      [{ ...logits(), type: "float16" }],
      "output 'logits' must be float32",
    ],
    [
      [int64("input_ids"), int64("attention_mask")],
      [logits(3)],
      "output 'logits' has 3 classes but config.json id2label names 7",
    ],
    [
      [int64("input_ids"), int64("attention_mask")],
      [{ ...logits(), shape: ["batch", "seq", 7] }],
      "must be rank 2",
    ],
  ])("rejects a wrong signature with a clear message (%#)", (inputs, outputs, message) => {
    expect(() => checkSignature("m", inputs, outputs, 7)).toThrow(ModelLoadError);
    expect(() => checkSignature("m", inputs, outputs, 7)).toThrow(message);
  });
});
