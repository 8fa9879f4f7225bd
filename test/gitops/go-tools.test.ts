// hack/tools/build.sh: prints the cached binary's path, and says exactly what to run when a
// tool is not built, so a test never fails with a bare ENOENT.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { goTool } from "../harness/go-tools.js";

const SCRIPT = join(import.meta.dirname, "../../hack/tools/build.sh");
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(SCRIPT, args, { encoding: "utf8", env: { ...process.env, ...env } });

describe("hack/tools/build.sh", () => {
  it("names the command to run for a tool that is not built", () => {
    const empty = mkdtempSync(join(tmpdir(), "vigil-tools-"));
    const result = run(["--print", "helm"], { VIGIL_TOOLS_CACHE: empty });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/helm v\d+\.\d+\.\d+ is not built; run: .*build\.sh helm/);
  });

  it("rejects a tool it does not know", () => {
    const result = run(["--print", "kubectl"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown tool 'kubectl'/);
  });

  it("keys the gopher-lua runner's cache by its sources and finds the built binary", () => {
    const path = goTool("argocd-health");
    expect(path).toMatch(/vigil-tools\/argocd-health-src-[0-9a-f]{12}\/argocd-health$/);
    expect(run(["--print", "argocd-health"]).stdout.trim()).toBe(path);
  });
});
