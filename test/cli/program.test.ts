// The `vigil` program's shared behaviour: version, and one-line errors with a non-zero exit.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { runVigil } from "./support.js";

describe.concurrent("vigil", () => {
  it("prints its version and API version", async () => {
    const run = await runVigil(["version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`vigil ${packageJson.version} (moderation.vigil.dev/v1alpha1)`);
  });

  it("rejects an unknown command with a non-zero exit and no stack trace", async () => {
    const run = await runVigil(["frobnicate"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("says in one line that no cluster is configured, instead of trying localhost", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "vigil-home-"));
    const run = await runVigil(["status", "comments"], {
      HOME: home,
      KUBECONFIG: "",
      KUBERNETES_SERVICE_HOST: "",
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^vigil: no Kubernetes configuration/);
  });

  it("answers version without reading a kubeconfig", async () => {
    const run = await runVigil(["--kubeconfig", "/nonexistent/kubeconfig", "version"]);
    // version needs no cluster: it must not even read the kubeconfig.
    expect(run.code).toBe(0);
  });
});
