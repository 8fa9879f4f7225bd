import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import { activate } from "../../runtime/inference/activation.js";
import { BatchTokenizer } from "../../runtime/inference/tokenizer.js";

const json = (file: string) => JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, file), "utf8"));
const tokenizerJson = json("tokenizer.json");
const tokenizerConfig = json("tokenizer_config.json");
const tokenizer = (maxLength = 512, withTokenTypeIds = false, fixedLength?: number) =>
  new BatchTokenizer(tokenizerJson, tokenizerConfig, { maxLength, withTokenTypeIds, fixedLength });

describe("BatchTokenizer", () => {
  const cls = BigInt(tokenizerJson.added_tokens.find((t: { content: string }) => t.content === "[CLS]").id);
  const sep = BigInt(tokenizerJson.added_tokens.find((t: { content: string }) => t.content === "[SEP]").id);
  const pad = BigInt(tokenizerJson.added_tokens.find((t: { content: string }) => t.content === "[PAD]").id);

  it("pads a batch to its longest item, not to a fixed length", () => {
    const batch = tokenizer().encode(["hello", "you are a complete idiot and I hate you"]);
    const short = tokenizer().tokenize("hello").ids.length;
    const long = tokenizer().tokenize("you are a complete idiot and I hate you").ids.length;
    expect(batch.batchSize).toBe(2);
    expect(batch.sequenceLength).toBe(long);
    expect(batch.inputIds).toHaveLength(2 * long);
    const row0 = [...batch.inputIds.slice(0, long)];
    expect(row0[0]).toBe(cls);
    expect(row0[short - 1]).toBe(sep);
    expect(row0.slice(short)).toEqual(Array(long - short).fill(pad));
    expect([...batch.attentionMask.slice(0, long)]).toEqual([
      ...Array(short).fill(1n),
      ...Array(long - short).fill(0n),
    ]);
    expect([...batch.attentionMask.slice(long)]).toEqual(Array(long).fill(1n));
    expect(batch.tokenTypeIds).toBeUndefined();
  });

  it("truncates to the model's limit and keeps the closing [SEP]", () => {
    const text = "idiot ".repeat(100);
    const batch = tokenizer(16).encode([text]);
    expect(batch.sequenceLength).toBe(16);
    expect(batch.inputIds[0]).toBe(cls);
    expect(batch.inputIds[15]).toBe(sep);
    expect([...batch.attentionMask]).toEqual(Array(16).fill(1n));
  });

  it("emits token_type_ids only for models that take them, and pads to a fixed length when required", () => {
    const batch = tokenizer(512, true, 32).encode(["hello"]);
    expect(batch.sequenceLength).toBe(32);
    expect(batch.tokenTypeIds).toHaveLength(32);
    expect([...batch.tokenTypeIds!]).toEqual(Array(32).fill(0n));
  });
});

describe("activate", () => {
  it("applies sigmoid per label for multi-label models", () => {
    const out = activate(new Float32Array([0, 2, -2]), 3, "sigmoid");
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(out[2]).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
  });

  it("applies softmax per row for single-label models", () => {
    const out = activate(new Float32Array([1, 1, 1000, 0]), 2, "softmax");
    expect([...out.slice(0, 2)].map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.5]);
    expect(out[2]).toBeCloseTo(1, 6);
    expect(out[3]).toBeCloseTo(0, 6);
  });
});

describe("BatchTokenizer windows for texts past the model's limit", () => {
  const cls = tokenizerJson.added_tokens.find((t: { content: string }) => t.content === "[CLS]").id;
  const sep = tokenizerJson.added_tokens.find((t: { content: string }) => t.content === "[SEP]").id;
  const windowed = (maxLength: number, maxWindows: number) =>
    new BatchTokenizer(tokenizerJson, tokenizerConfig, { maxLength, withTokenTypeIds: true, maxWindows });
  const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");

  it("keeps a text that fits as one row, the same as tokenize()", () => {
    expect(windowed(512, 8).windows("hello there")).toEqual([windowed(512, 8).tokenize("hello there")]);
  });

  it("covers a long text with overlapping windows, each within the limit and wrapped in [CLS] ... [SEP]", () => {
    const full = windowed(100_000, 1).tokenize(words).ids;
    const content = full.slice(1, -1);
    const rows = windowed(32, 64).windows(words);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row.ids.length).toBeLessThanOrEqual(32);
      expect(row.ids[0]).toBe(cls);
      expect(row.ids[row.ids.length - 1]).toBe(sep);
      expect(row.typeIds).toEqual(row.ids.map(() => 0));
    }
    // 30 content tokens a window; each starts 23 tokens after the previous (a quarter overlaps),
    // and together they cover the content to its last token.
    const inner = rows.map((r) => r.ids.slice(1, -1));
    inner.forEach((window, k) => expect(window).toEqual(content.slice(k * 23, k * 23 + 30)));
    expect((inner.length - 1) * 23 + inner.at(-1)!.length).toBe(content.length);
  });

  it("stops at maxWindows: the rest of a very long text is truncated", () => {
    const rows = windowed(32, 3).windows(words);
    expect(rows).toHaveLength(3);
  });

  it("truncates as before with maxWindows 1", () => {
    expect(windowed(32, 1).windows(words)).toEqual([windowed(32, 1).tokenize(words)]);
  });
});
