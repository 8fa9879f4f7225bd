import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isHeldOut, loadExamples, splitExamples } from "../../hack/data/dataset.js";
import { LABELS } from "../../hack/data/labels.js";

const examples = loadExamples();
const scratch = mkdtempSync(join(tmpdir(), "vigil-dataset-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("labelled examples (hack/data)", () => {
  it("has at least 400 texts in at least 6 languages, at least 40% clean", () => {
    expect(examples.length).toBeGreaterThanOrEqual(400);
    const languages = new Set(examples.map((e) => e.lang));
    for (const lang of ["en", "de", "fr", "es", "pt", "it"]) expect(languages).toContain(lang);
    expect(examples.filter((e) => e.labels.length === 0).length / examples.length).toBeGreaterThanOrEqual(
      0.4,
    );
  });

  it("gives toxicity to every insult, threat and hate example, and uses every label in both splits", () => {
    for (const e of examples) {
      if (e.labels.some((l) => l === "insult" || l === "threat" || l === "hate")) {
        expect(e.labels, e.text).toContain("toxicity");
      }
    }
    const { train, heldOut } = splitExamples(examples);
    for (const label of LABELS) {
      expect(
        train.some((e) => e.labels.includes(label)),
        `${label} in train`,
      ).toBe(true);
      expect(
        heldOut.some((e) => e.labels.includes(label)),
        `${label} in held-out`,
      ).toBe(true);
    }
  });

  it("splits about 80/20 by a hash of the text, independent of order", () => {
    const { train, heldOut } = splitExamples(examples);
    expect(train.length + heldOut.length).toBe(examples.length);
    expect(heldOut.length / examples.length).toBeGreaterThan(0.15);
    expect(heldOut.length / examples.length).toBeLessThan(0.25);
    expect(
      splitExamples([...examples].reverse())
        .heldOut.map((e) => e.text)
        .sort(),
    ).toEqual(heldOut.map((e) => e.text).sort());
    for (const e of heldOut) expect(isHeldOut(e.text)).toBe(true);
  });

  it("rejects malformed lines with the file and line number", () => {
    const write = (name: string, lines: string[]) => {
      const dir = mkdtempSync(join(scratch, "case-"));
      writeFileSync(join(dir, name), lines.join("\n"));
      return dir;
    };
    const ok = JSON.stringify({ lang: "en", text: "fine", labels: [] });
    expect(() => loadExamples(write("en.jsonl", [ok, "{not json"]))).toThrow("en.jsonl:2: not valid JSON");
    expect(() =>
      loadExamples(write("en.jsonl", [JSON.stringify({ lang: "en", text: "x", labels: ["rude"] })])),
    ).toThrow('en.jsonl:1: "labels" must be an array of known labels');
    expect(() => loadExamples(write("en.jsonl", [ok, ok]))).toThrow('en.jsonl:2: duplicate text "fine"');
  });
});
