// A real runtime process standing in for the preview Service of every ModerationService the
// loop tests create: the operator's quality gate reaches it through the injectable preview
// URL resolver (a test cluster runs no pods, and its Service DNS names resolve nowhere). It
// serves the shipped sample Policy at generation 1, which is what a freshly created sample
// Policy has, so the gate's "is the preview on the live Policy generation" check holds.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { Policy } from "../../crds/index.js";
import { renderPolicyFile } from "../../operator/desired/policy-configmap.js";
import { freePort, waitFor } from "../harness/index.js";
import { withoutStorageEnv } from "../runtime/support/runtime.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface PreviewRuntime {
  url: string;
  /** Requests the runtime answered on /v1/classify, from its own metrics. */
  classifyRequests(): Promise<number>;
  /** Replaces the policy file the runtime hot-reloads, as kubelet updates a ConfigMap mount. */
  writePolicy(content: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPreviewRuntime(options: { modelDir?: string } = {}): Promise<PreviewRuntime> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-preview-"));
  const policy = parse(await readFile(path.join(ROOT, "config/samples/policy.yaml"), "utf8")) as Policy;
  policy.metadata = { ...policy.metadata, generation: 1 };
  const policyFile = path.join(dir, "policy.yaml");
  await writeFile(policyFile, renderPolicyFile(policy));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "runtime/main.ts", "serve", "--port", String(port)],
    {
      cwd: ROOT,
      env: {
        ...withoutStorageEnv(process.env),
        VIGIL_HOST: "127.0.0.1",
        VIGIL_POLICY_FILE: policyFile,
        VIGIL_DECISION_LOG: "off",
        VIGIL_LOG_LEVEL: "warn",
        VIGIL_MAX_EVENT_LOOP_DELAY_MS: "0",
        VIGIL_MAX_HEAP_USED_MB: "0",
        ...(options.modelDir && { VIGIL_MODEL_DIR: options.modelDir }),
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "preview runtime readiness",
      async () => {
        if (child.exitCode !== null) throw new Error(`preview runtime exited: ${stderr}`);
        return (await fetch(`${url}/ready`).catch(() => undefined))?.ok ?? false;
      },
      60_000,
    );
  } catch (err) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  // The first inferences compile kernels and fill caches; a gate measuring p95 should see a
  // warm runtime, as it would a preview pod that passed its readiness probe some time ago.
  for (let i = 0; i < 5; i++) {
    await fetch(`${url}/v1/classify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: `warm-up ${i}` }),
    });
  }
  return {
    url,
    async classifyRequests() {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text
        .split("\n")
        .filter((l) => l.startsWith("vigil_http_requests_total{") && l.includes('route="/v1/classify"'))
        .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
    },
    async writePolicy(content) {
      const next = `${policyFile}.next`;
      await writeFile(next, content);
      await rename(next, policyFile);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
