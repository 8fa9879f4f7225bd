// `vigil render` as a user runs it: a process that reads CR files and prints the objects the
// operator would create, valid under the upstream schemas, or fails with one line.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { schemaErrors, type KubeObject } from "../harness/k8s-schemas.js";
import { runVigil } from "./support.js";

const ROOT = join(import.meta.dirname, "../..");
const SAMPLES = "config/samples";
const BASIC = ["policy.yaml", "modeldeployment.yaml", "moderationservice.yaml"].flatMap((f) => [
  "-f",
  `${SAMPLES}/${f}`,
]);

const objects = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject);

function expectOneLineError(run: { code: number | null; stderr: string; stdout: string }, pattern: RegExp) {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

/** runVigil with `input` on stdin. */
function runVigilWithStdin(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "vigil-render-")), name);
  writeFileSync(path, content);
  return path;
}

describe.concurrent("vigil render", () => {
  it("prints the children of a ModerationService, valid under the upstream schemas", async () => {
    const run = await runVigil([
      "-n",
      "trust",
      "render",
      ...BASIC,
      "--runtime-image",
      "registry.example/vigil-runtime:9.9",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = objects(run.stdout);
    expect(out.map((o) => o.kind)).toEqual(
      expect.arrayContaining(["ServiceAccount", "NetworkPolicy", "ConfigMap", "Deployment", "Service"]),
    );
    expect(schemaErrors(out)).toEqual([]);
    for (const o of out) {
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe("trust");
      expect((o.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences).toEqual([
        expect.objectContaining({ kind: "ModerationService", name: "comments", controller: true }),
      ]);
    }
    const deployment = out.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: { name: string; image: string }[] } } };
    };
    // The sample sets no spec.runtime.image, so the operator's --runtime-image applies.
    expect(deployment.spec.template.spec.containers.map((c) => c.image)).toContain(
      "registry.example/vigil-runtime:9.9",
    );
  });

  it("renders autoscaling, and VPAs only when told their CRD is installed", async () => {
    const files = ["policy.yaml", "modeldeployment-gpu.yaml", "moderationservice-production.yaml"].flatMap(
      (f) => ["-f", `${SAMPLES}/${f}`],
    );
    const [without, withVpa] = await Promise.all([
      runVigil(["render", ...files]),
      runVigil(["render", ...files, "--vpa-available"]),
    ]);
    expect(without.code).toBe(0);
    expect(withVpa.code).toBe(0);
    const kinds = (yaml: string) => objects(yaml).map((o) => o.kind);
    expect(kinds(without.stdout)).toContain("HorizontalPodAutoscaler");
    expect(kinds(without.stdout)).not.toContain("VerticalPodAutoscaler");
    expect(without.stderr).toMatch(
      /^warning: ModerationService default\/comments-prod: VerticalPodAutoscalerUnavailable/m,
    );
    expect(kinds(withVpa.stdout)).toContain("VerticalPodAutoscaler");
    expect(schemaErrors(objects(withVpa.stdout))).toEqual([]);
  });

  it("quotes strings that kubectl's YAML 1.1 reader would take for booleans", async () => {
    // updateMode "Off" unquoted is the boolean false to kubectl and Helm.
    const service = readFileSync(join(ROOT, SAMPLES, "moderationservice-production.yaml"), "utf8").replace(
      "updateMode: Initial",
      'updateMode: "Off"',
    );
    expect(service).toContain('updateMode: "Off"');
    const run = await runVigilWithStdin(
      [
        "render",
        "--vpa-available",
        "-f",
        "-",
        "-f",
        `${SAMPLES}/policy.yaml`,
        "-f",
        `${SAMPLES}/modeldeployment-gpu.yaml`,
      ],
      service,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/updateMode: "Off"/);
  });

  it("reads stdin and skips objects that are not Vigil's", async () => {
    const input = [
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: unrelated }\n",
      ...["policy.yaml", "modeldeployment.yaml", "moderationservice.yaml"].map((f) =>
        readFileSync(join(ROOT, SAMPLES, f), "utf8"),
      ),
    ].join("---\n");
    const run = await runVigilWithStdin(["render", "-f", "-"], input);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped 1 object/);
    expect(objects(run.stdout).some((o) => o.kind === "Deployment")).toBe(true);
  });

  it("rejects an invalid custom resource as the API server would, naming the field", async () => {
    const run = await runVigil([
      "render",
      "-f",
      `${SAMPLES}/invalid/policy-threshold-out-of-range.yaml`,
      ...BASIC,
    ]);
    expectOneLineError(
      run,
      /^vigil: .*policy-threshold-out-of-range\.yaml: Policy default\/\w+ is invalid: spec\./,
    );
  });

  it("names the reference a ModerationService makes that the files do not satisfy", async () => {
    const run = await runVigil([
      "render",
      "-f",
      `${SAMPLES}/moderationservice.yaml`,
      "-f",
      `${SAMPLES}/policy.yaml`,
    ]);
    expectOneLineError(
      run,
      /ModerationService default\/comments: spec\.modelRef: ModelDeployment default\/toxicity is not in the files/,
    );
  });

  it("fails with one line on a missing file, broken YAML or nothing to render", async () => {
    const broken = tempFile("broken.yaml", "kind: [unclosed\n");
    const [missing, yaml, empty] = await Promise.all([
      runVigil(["render", "-f", "/nonexistent/cr.yaml"]),
      runVigil(["render", "-f", broken]),
      runVigil(["render", "-f", `${SAMPLES}/policy.yaml`]),
    ]);
    expectOneLineError(missing, /\/nonexistent\/cr\.yaml: no such file/);
    expectOneLineError(yaml, /broken\.yaml: /);
    expectOneLineError(empty, /no ModerationService in the files/);
  });

  it("requires -f", async () => {
    const run = await runVigil(["render"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/required option '-f, --filename <file>'/);
  });
});
