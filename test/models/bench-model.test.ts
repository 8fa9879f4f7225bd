import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LABELS } from "../../hack/data/labels.js";
import { DEFAULT_BENCH_OPTIONS, generateBenchModel } from "../../hack/gen-bench-model.js";
import { writeModelDirectory } from "../../hack/onnx/model-directory.js";
import { loadModelDirectory, runLogits } from "./model-runner.js";

/** Small enough that generating and running it takes well under a second. */
const SMALL = { layers: 2, hidden: 32, heads: 4, ffn: 64, maxLength: 32 };

const scratch = mkdtempSync(join(tmpdir(), "vigil-bench-model-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runCli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "hack/gen-bench-model.ts", ...args], {
    encoding: "utf8",
  });
}

describe("benchmark transformer (hack/gen-bench-model.ts)", () => {
  it("loads in onnxruntime-node and returns [batch, labels] logits that padding does not change", async () => {
    const dir = join(scratch, "small");
    writeModelDirectory(dir, generateBenchModel({ ...DEFAULT_BENCH_OPTIONS, ...SMALL }));
    const model = await loadModelDirectory(dir);
    try {
      expect(model.session.inputNames).toEqual(["input_ids", "attention_mask"]);
      expect(model.session.outputMetadata).toEqual([
        { name: "logits", isTensor: true, type: "float32", shape: ["batch_size", LABELS.length] },
      ]);
      const sequences = ["I will hurt you", "Guten Morgen, wie geht es dir heute?", "ok"].map(
        (text) => model.tokenizer.encode(text).ids,
      );
      const padded = await runLogits(model.session, sequences, { length: SMALL.maxLength });
      expect(padded.map((row) => row.length)).toEqual([LABELS.length, LABELS.length, LABELS.length]);
      for (const [i, sequence] of sequences.entries()) {
        const alone = (await runLogits(model.session, [sequence]))[0] ?? [];
        padded[i]?.forEach((z, l) => expect(z).toBeCloseTo(alone[l] ?? NaN, 4));
      }
      // Random weights, but not degenerate: different texts get different logits.
      expect(padded[0]).not.toEqual(padded[1]);
    } finally {
      await model.session.release();
    }
  });

  it("shares the default model's tokenizer and labels, capped at its position table", () => {
    const files = generateBenchModel({ ...DEFAULT_BENCH_OPTIONS, ...SMALL });
    const defaultTokenizer = readFileSync("runtime/models/default/tokenizer.json", "utf8");
    expect(files["tokenizer.json"]).toBe(defaultTokenizer);
    expect(JSON.parse(files["tokenizer_config.json"] as string)).toMatchObject({
      model_max_length: SMALL.maxLength,
    });
    expect(JSON.parse(files["config.json"] as string)).toMatchObject({
      problem_type: "multi_label_classification",
      id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])),
      max_position_embeddings: SMALL.maxLength,
      num_hidden_layers: SMALL.layers,
      num_attention_heads: SMALL.heads,
      hidden_size: SMALL.hidden,
      intermediate_size: SMALL.ffn,
    });
  });

  it("is deterministic for a seed", () => {
    const a = generateBenchModel({ ...DEFAULT_BENCH_OPTIONS, ...SMALL });
    const b = generateBenchModel({ ...DEFAULT_BENCH_OPTIONS, ...SMALL });
    expect(
      Buffer.from(a["model.onnx"] as Uint8Array).equals(Buffer.from(b["model.onnx"] as Uint8Array)),
    ).toBe(true);
  });

  it("with --token-type-ids exposes and uses a third input", async () => {
    const dir = join(scratch, "token-types");
    const result = runCli([
      ...[
        "--out",
        dir,
        "--layers",
        "1",
        "--hidden",
        "16",
        "--heads",
        "2",
        "--ffn",
        "32",
        "--max-length",
        "16",
      ],
      "--token-type-ids",
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const model = await loadModelDirectory(dir);
    try {
      expect(model.session.inputNames).toEqual(["input_ids", "attention_mask", "token_type_ids"]);
      const ids = [model.tokenizer.encode("hello there").ids];
      const [segmentA] = await runLogits(model.session, ids, { tokenTypeId: 0 });
      const [segmentB] = await runLogits(model.session, ids, { tokenTypeId: 1 });
      expect(segmentA).toHaveLength(LABELS.length);
      expect(segmentB).not.toEqual(segmentA);
    } finally {
      await model.session.release();
    }
  });

  it("rejects bad flags with a one-line error and a non-zero exit", () => {
    const cases = [
      { args: ["--hidden", "30", "--heads", "4"], message: "--hidden 30 is not divisible by --heads 4" },
      { args: ["--layers", "0"], message: "--layers must be a positive integer" },
      { args: ["--vocab", "10"], message: "--vocab 10 is smaller than the tokenizer's vocabulary" },
    ];
    for (const { args, message } of cases) {
      const result = runCli([...args, "--out", join(scratch, "rejected")]);
      expect(result.status, args.join(" ")).not.toBe(0);
      expect(result.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
  });
});
