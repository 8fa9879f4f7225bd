import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isLabel, type Label } from "./labels.js";

export interface Example {
  lang: string;
  text: string;
  labels: Label[];
}

export interface DatasetSplit {
  train: Example[];
  heldOut: Example[];
}

export const DATA_DIR = fileURLToPath(new URL(".", import.meta.url));
/** The evaluation set: texts written apart from the training data and never trained on (heldout/README.md). */
export const EVALUATION_DIR = join(DATA_DIR, "heldout");

/** One in five examples is held out (see isHeldOut). */
const HELD_OUT_BUCKETS = 5;

/** Reads every `<lang>.jsonl` in the directory, in file-name order, rejecting malformed lines. */
export function loadExamples(dir: string = DATA_DIR): Example[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .sort();
  const examples: Example[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const lines = readFileSync(join(dir, file), "utf8").split("\n");
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const example = parseExample(line, `${file}:${index + 1}`);
      if (seen.has(example.text)) throw new Error(`${file}:${index + 1}: duplicate text "${example.text}"`);
      seen.add(example.text);
      examples.push(example);
    });
  }
  return examples;
}

export function loadEvaluationSet(dir: string = EVALUATION_DIR): Example[] {
  return loadExamples(dir);
}

/**
 * Held-out membership depends only on the text, so it is stable when examples are added,
 * removed or reordered, and identical texts can never land on both sides.
 */
export function isHeldOut(text: string): boolean {
  return createHash("sha256").update(text).digest().readUInt32BE(0) % HELD_OUT_BUCKETS === 0;
}

export function splitExamples(examples: Example[]): DatasetSplit {
  return {
    train: examples.filter((e) => !isHeldOut(e.text)),
    heldOut: examples.filter((e) => isHeldOut(e.text)),
  };
}

function parseExample(line: string, where: string): Example {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${where}: not valid JSON`);
  }
  const record = value as Partial<Record<keyof Example, unknown>>;
  if (typeof record.lang !== "string" || record.lang === "")
    throw new Error(`${where}: "lang" must be a string`);
  if (typeof record.text !== "string" || record.text.trim() === "")
    throw new Error(`${where}: "text" is empty`);
  if (!Array.isArray(record.labels) || !record.labels.every(isLabel)) {
    throw new Error(`${where}: "labels" must be an array of known labels`);
  }
  return { lang: record.lang, text: record.text, labels: record.labels };
}
