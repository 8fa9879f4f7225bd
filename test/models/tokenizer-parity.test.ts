// Token ids from the runtime's tokenizer path must equal transformers' (the Rust `tokenizers`
// library behind every fast tokenizer) for the three tokenizer families the runtime serves. The
// reference ids were made once by hack/tokenizer-parity/generate.py from small tokenizers trained
// locally; this test replays the same texts and needs no Python.
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BatchTokenizer } from "../../runtime/inference/tokenizer.js";

const DATA = "test/models/data/tokenizer-parity";

interface Corpus {
  fixed: string[];
  sweep: { ranges: [number, number][]; chunk: number };
}

interface Reference {
  generator: Record<string, string>;
  fixed: number[][];
  sweep: number[][];
}

const corpus = JSON.parse(readFileSync(path.join(DATA, "corpus.json"), "utf8")) as Corpus;

const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/** The code point sweep, as generate.py's sweep_texts() builds it. */
function sweepTexts(): { text: string; first: number; last: number }[] {
  const texts = [];
  for (const [first, last] of corpus.sweep.ranges) {
    for (let start = first; start <= last; start += corpus.sweep.chunk) {
      const end = Math.min(start + corpus.sweep.chunk - 1, last);
      const parts: string[] = [];
      for (let cp = start; cp <= end; cp++) if (!isSurrogate(cp)) parts.push(`a${String.fromCodePoint(cp)}a`);
      texts.push({ text: parts.join(" "), first: start, last: end });
    }
  }
  return texts;
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

function loadFamily(family: string) {
  const dir = path.join(DATA, family);
  const read = (file: string) =>
    JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
  const reference = JSON.parse(
    gunzipSync(readFileSync(path.join(dir, "reference-ids.json.gz"))).toString("utf8"),
  ) as Reference;
  // No truncation: the comparison is of the whole encoding.
  const tokenizer = new BatchTokenizer(read("tokenizer.json"), read("tokenizer_config.json"), {
    maxLength: Number.MAX_SAFE_INTEGER,
    withTokenTypeIds: false,
  });
  return { tokenizer, reference };
}

/** The texts whose ids differ, first few, each with what was expected and what came out. */
function mismatches(
  tokenizer: BatchTokenizer,
  cases: { label: string; text: string; expected: number[] }[],
): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (const { label, text, expected } of cases) {
    const actual = tokenizer.tokenize(text).ids;
    if (actual.length === expected.length && actual.every((id, i) => id === expected[i])) continue;
    count++;
    if (first.length < 8) {
      first.push(
        `${label} ${JSON.stringify(text.slice(0, 80))}\n  expected ${expected}\n  actual   ${actual}`,
      );
    }
  }
  return { count, first };
}

describe.each(["wordpiece", "bpe", "unigram"])("%s tokenizer parity with transformers", (family) => {
  const { tokenizer, reference } = loadFamily(family);

  it("gives transformers' ids for every text of the fixed corpus", () => {
    expect(reference.fixed).toHaveLength(corpus.fixed.length);
    const result = mismatches(
      tokenizer,
      corpus.fixed.map((text, i) => ({ label: `fixed[${i}]`, text, expected: reference.fixed[i]! })),
    );
    expect(result.first.join("\n"), `${result.count} of ${corpus.fixed.length} texts differ`).toBe("");
  });

  it("gives transformers' ids for every code point of the sweep", () => {
    const texts = sweepTexts();
    expect(reference.sweep).toHaveLength(texts.length);
    const result = mismatches(
      tokenizer,
      texts.map(({ text, first, last }, i) => ({
        label: `${hex(first)}..${hex(last)}`,
        text,
        expected: reference.sweep[i]!,
      })),
    );
    expect(result.first.join("\n"), `${result.count} of ${texts.length} chunks differ`).toBe("");
  });
});
