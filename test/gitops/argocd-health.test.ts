// The Argo CD health checks in argocd/resource_customizations, run by gopher-lua (the Lua
// interpreter Argo CD embeds) through hack/tools/argocd-health against every case in each
// kind's health_test.yaml, the same file Argo CD's own test suite reads for contributed checks.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { goTool } from "../harness/go-tools.js";
import { schemaErrors, type KubeObject } from "../harness/k8s-schemas.js";
import { KINDS as KIND_DEFINITIONS, openAPIV3Schema } from "../../crds/index.js";
import { formatFieldErrors, validateObject } from "../../crds/validation.js";

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

      it("tests objects of this kind whose status has the shape the CRD declares", () => {
        const schema = openAPIV3Schema(KIND_DEFINITIONS.find((k) => k.kind === kind)!);
        for (const c of cases) {
          const obj = parse(readFileSync(join(dir, c.inputPath), "utf8"));
          expect(obj.kind).toBe(kind);
          expect(formatFieldErrors(validateObject(schema, obj)), c.inputPath).toBe("");
        }
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

describe("Argo CD install files", () => {
  it("package every health.lua, byte for byte, as an argocd-cm key", () => {
    const cm = parse(readFileSync(join(ROOT, "argocd/argocd-cm-health.yaml"), "utf8")) as KubeObject & {
      data: Record<string, string>;
    };
    expect(schemaErrors([cm])).toEqual([]);
    for (const kind of KINDS) {
      expect(cm.data[`resource.customizations.health.moderation.vigil.dev_${kind}`]).toBe(
        readFileSync(join(GROUP_DIR, kind, "health.lua"), "utf8"),
      );
    }
  });

  it("ship example Applications that are valid and point at paths in this repository", () => {
    const apps = parseAllDocuments(readFileSync(join(ROOT, "argocd/applications.yaml"), "utf8")).map(
      (d) => d.toJS() as KubeObject & { spec: { source: { path: string } } },
    );
    expect(apps.map((a) => a.metadata.name)).toEqual(["vigil", "vigil-services"]);
    expect(schemaErrors(apps)).toEqual([]);
    for (const app of apps)
      expect(existsSync(join(ROOT, app.spec.source.path)), app.spec.source.path).toBe(true);
    // The operator's CRDs before the custom resources that need them.
    const wave = (a: KubeObject) => Number(a.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);
    expect(wave(apps[0]!)).toBeLessThan(wave(apps[1]!));
  });
});
