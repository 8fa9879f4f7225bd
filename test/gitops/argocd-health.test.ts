// The Argo CD health checks in argocd/resource_customizations, run by gopher-lua (the Lua
// interpreter Argo CD embeds) through hack/tools/argocd-health against every case in each
// kind's health_test.yaml, the same file Argo CD's own test suite reads for contributed checks.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { goTool } from "../harness/go-tools.js";
import { KINDS as KIND_DEFINITIONS } from "../../crds/index.js";

const ROOT = join(import.meta.dirname, "../..");
const KINDS = KIND_DEFINITIONS.map((k) => k.kind);
const GROUP_DIR = join(ROOT, "argocd/resource_customizations/moderation.vigil.dev");

interface CaseResult {
  dir: string;
  inputPath: string;
  expected: { status: string; message: string };
  got?: { status: string; message: string };
  error?: string;
}

function runCases(kind: string): CaseResult[] {
  const out = execFileSync(goTool("argocd-health"), [join(GROUP_DIR, kind)], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as CaseResult);
}

describe("Argo CD health checks (gopher-lua)", () => {
  it("has a check for every kind the operator serves, and nothing else", () => {
    expect(readdirSync(GROUP_DIR).sort()).toEqual([...KINDS].sort());
  });

  for (const kind of KINDS) {
    describe(kind, () => {
      const dir = join(GROUP_DIR, kind);
      const cases = runCases(kind);

      it("runs a case for every file in testdata/", () => {
        const listed = cases.map((c) => c.inputPath).sort();
        const files = readdirSync(join(dir, "testdata"))
          .map((f) => `testdata/${f}`)
          .sort();
        expect(listed).toEqual(files);
      });

      for (const c of cases) {
        it(`${c.inputPath} is ${c.expected.status}`, () => {
          expect(c.error).toBeUndefined();
          expect(c.got).toEqual(c.expected);
        });
      }

      it("covers stale status and every status Argo CD shows for this kind", () => {
        const statuses = new Set(cases.map((c) => c.expected.status));
        expect(statuses).toContain("Healthy");
        expect(statuses).toContain("Progressing");
        expect(statuses).toContain("Degraded");
        expect(cases.map((c) => c.inputPath)).toContain("testdata/stale.yaml");
      });

      it("tests objects of this kind", () => {
        for (const c of cases) expect(parse(readFileSync(join(dir, c.inputPath), "utf8")).kind).toBe(kind);
      });
    });
  }

  it("reports a script that returns a status Argo CD does not know", () => {
    // The runner itself must be able to fail: a broken script gives an error, not a pass.
    const script = join(ROOT, "test/gitops/testdata/bad-status.lua");
    const object = join(GROUP_DIR, "Policy/testdata/valid.yaml");
    expect(() =>
      execFileSync(goTool("argocd-health"), ["-eval", script, object], { encoding: "utf8", stdio: "pipe" }),
    ).toThrow(/status "Fine", which Argo CD does not know/);
  });
});
