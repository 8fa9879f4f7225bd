// The `moderation-operator` process with no cluster to talk to: with no configuration at all
// it exits at once with one line; with a configured but unreachable API server it keeps
// retrying, reports not-ready with the cause, and logs that cause once rather than once per
// informer and retry. No API server is involved, so this runs once (in the emulator project).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../harness/index.js";
import { onEmulator, waitFor } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = ["--import", "tsx", "operator/main.ts"];

// Reason for the skip: nothing here talks to an API server, so the real-cluster project would
// only repeat it.
describe.skipIf(!onEmulator)("moderation-operator without a reachable cluster", () => {
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "vigil-nocluster-"));
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { KUBECONFIG: _k, KUBERNETES_SERVICE_HOST: _h, ...rest } = process.env;
    return { ...rest, HOME: home, ...extra };
  }

  it("exits 1 with one line when there is no kubeconfig and no in-cluster config", () => {
    const result = spawnSync(process.execPath, MAIN, {
      cwd: ROOT,
      env: env(),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines).toEqual([expect.stringContaining("no Kubernetes configuration")]);
    expect(lines[0]).toContain(join(home, ".kube", "config"));
  });

  it("exits 1 with one line when $KUBECONFIG names no existing file", () => {
    const missing = join(home, "nope.yaml");
    const result = spawnSync(process.execPath, MAIN, {
      cwd: ROOT,
      env: env({ KUBECONFIG: missing }),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines).toEqual([expect.stringContaining(missing)]);
  });

  it("stays not-ready naming the cause, and logs the refused connection once for all informers", async () => {
    const port = await freePort(); // nothing listens there
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "gone", server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "gone", cluster: "gone", user: "u" }],
      currentContext: "gone",
    });
    const kubeconfig = join(home, "unreachable.json");
    writeFileSync(kubeconfig, kc.exportConfig());
    const proc = spawn(
      process.execPath,
      [...MAIN, "--kubeconfig", kubeconfig, "--metrics-bind-address", "127.0.0.1:0"],
      {
        cwd: ROOT,
        env: env(),
      },
    );
    const records: Record<string, unknown>[] = [];
    let buffered = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
    });
    try {
      const serving = await waitFor(() => records.find((r) => typeof r.port === "number"), {
        timeoutMs: 60_000,
        message: "the health server",
      });
      const base = `http://127.0.0.1:${String(serving.port)}`;
      // Let every informer fail and retry a few times (the default restart backoff starts at 0.5 s).
      await waitFor(
        async () => {
          const res = await fetch(`${base}/readyz`);
          const body = await res.text();
          return res.status === 503 && body.includes("ECONNREFUSED") ? body : undefined;
        },
        { timeoutMs: 30_000, message: "/readyz to report the refused connection" },
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const unavailable = records.filter((r) => String(r.msg).startsWith("Kubernetes API"));
      expect(unavailable).toEqual([
        expect.objectContaining({
          level: "warn",
          msg: expect.stringMatching(/^Kubernetes API unavailable: .*ECONNREFUSED/),
        }),
      ]);
      expect(records.filter((r) => r.level === "warn" || r.level === "error")).toHaveLength(1);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});
