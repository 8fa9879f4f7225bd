// The `vigil-runtime` binary as a user runs it: separate processes, real exit codes and output.
import { spawn, type ChildProcess } from "node:child_process";
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import { freePort, waitFor } from "../harness/index.js";
import { DEFAULT_LABELS, makeTempDir, withoutStorageEnv } from "./support/runtime.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ["--import", "tsx", "runtime/main.ts", ...args], {
    cwd: ROOT,
    // Storage comes only from what a test passes: a DATABASE_URL or REDIS_URL meant for the test
    // harness must not turn these runs into Postgres/Redis runs.
    // Load shedding reacts to how busy the machine is, and none of these tests is about it: on
    // a loaded runner it would turn their requests into 503s (protection.test.ts covers it).
    env: {
      ...withoutStorageEnv(process.env),
      VIGIL_LOG_LEVEL: "info",
      VIGIL_MAX_EVENT_LOOP_DELAY_MS: "0",
      VIGIL_MAX_HEAP_USED_MB: "0",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const run = (args: string[], env: Record<string, string> = {}): Promise<Run> => start(args, env).done;

describe.concurrent("vigil-runtime classify", () => {
  it("prints the /v1/classify body with --json", async () => {
    const result = await run(["classify", "--json", "kys, idiot", "have a nice day"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.policy).toEqual({ name: "default", generation: 1 });
    expect(body.results).toHaveLength(2);
    expect(Object.keys(body.results[0].scores)).toEqual(DEFAULT_LABELS);
    expect(body.results[0].decision).toMatchObject({ action: "block", matched_terms: ["kys", "idiot"] });
  });

  it("prints a readable summary by default and honours --language", async () => {
    const result = await run(["classify", "--language", "de", "so ein Vollidiot"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^(allow|flag|review|block)\t\[de\] so ein Vollidiot\n/);
    expect(result.stdout).toContain("term 'Vollidiot' (flag list)");
    expect(result.stdout).toMatch(/scores: toxicity=\d\.\d{3} insult=/);
  });
});

describe.concurrent("vigil-runtime usage errors", () => {
  it("documents its commands with --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("serve [options]");
    expect(result.stdout).toContain("classify [options] <text...>");
    expect(result.stdout).toContain("migrate");
    const serve = await run(["serve", "--help"]);
    expect(serve.stdout).toContain("--model-dir <dir>");
  });

  it.each([
    [["classify", "--bogus", "x"], "error: unknown option '--bogus'"],
    [["serv"], "error: unknown command 'serv' (Did you mean serve?)"],
    [["classify"], "error: missing required argument 'text'"],
  ])("exits 2 with one line for %j", async (args, line) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe("");
  });

  it("exits 2 with one line for a bad environment variable", async () => {
    const result = await run(["classify", "x"], { VIGIL_MAX_BATCH_SIZE: "lots" });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vigil-runtime: VIGIL_MAX_BATCH_SIZE must be an integer from 1 to 1024, got 'lots'\n",
    );
  });

  it("exits 1 with one line when the model or the policy cannot be loaded", async () => {
    const model = await run(["classify", "x", "--model-dir", "/nonexistent/model"]);
    expect(model.code).toBe(1);
    expect(model.stderr).toBe("vigil-runtime: /nonexistent/model: model directory does not exist\n");
    const policy = await run(["classify", "x", "--policy-file", path.join(ROOT, "package.json")]);
    expect(policy.code).toBe(1);
    expect(policy.stderr).toMatch(
      /^vigil-runtime: .*package\.json: kind: expected 'Policy', got undefined\n$/,
    );
  });
});

describe("vigil-runtime serve", () => {
  it("serves, prints how to call it, and shuts down cleanly on SIGTERM", async () => {
    const port = await freePort();
    const server = start(["serve", "--port", String(port)], { VIGIL_HOST: "127.0.0.1" });
    try {
      await waitFor("readiness", async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 30_000);
      const res = await fetch(`http://127.0.0.1:${port}/v1/moderations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "hello" }),
      });
      expect(res.status).toBe(200);
      server.child.kill("SIGTERM");
      const result = await server.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`curl -s http://127.0.0.1:${port}/v1/moderations`);
      const logs = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const messages = logs.map((l) => l.msg);
      expect(messages).toContain(
        "no Redis/Postgres configured: result cache in-memory LRU (10000 entries, TTL 300s); decisions to stdout (JSON lines, text as sha256)",
      );
      expect(messages).toContain("model loaded; ready");
      expect(messages).toContain("shut down cleanly");
      const decision = logs.find((l) => l.msg === "decision");
      expect(decision).toMatchObject({ api: "moderations", textLength: 5, cached: false });
      expect(JSON.stringify(decision)).not.toContain("hello");
    } finally {
      server.child.kill("SIGKILL");
    }
  });

  it("exits 1 with the reason when the model fails its signature check", async () => {
    const temp = await makeTempDir();
    try {
      const dir = path.join(temp.dir, "model");
      await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
      const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
      config.id2label = { 0: "a", 1: "b" };
      await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
      const policy = path.join(temp.dir, "policy.yaml");
      await writeFile(policy, "kind: Policy\nmetadata: { name: p }\nspec: {}\n");
      const result = await run([
        "serve",
        "--port",
        String(await freePort()),
        "--model-dir",
        dir,
        "--policy-file",
        policy,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split("\n").at(-1)).toBe(
        `vigil-runtime: ${path.join(dir, "model.onnx")}: output 'logits' has 7 classes but config.json id2label names 2`,
      );
    } finally {
      await temp.remove();
    }
  });
});
