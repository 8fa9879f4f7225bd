// `fetch-model --verify-dir`: a mounted directory (pvc://, an OCI modelcar copy) is checked
// against the canonical manifest digest and the runtime's model checks; run as real processes,
// the way the init container runs it.
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let temp: string;

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "vigil-verify-"));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  termination: string;
}

let runNo = 0;
async function runFetchModel(args: string[]): Promise<Run> {
  const log = path.join(temp, `termination-${++runNo}`);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "runtime/main.ts", "fetch-model", "--termination-log", log, ...args],
    {
      cwd: ROOT,
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const termination = await readFile(log, "utf8").catch(() => "");
  return { code, stdout, stderr, termination };
}

async function copyOfModel(name: string): Promise<string> {
  const dir = path.join(temp, name);
  await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
  return dir;
}

/** The documented shell recipe for the manifest digest (docs/models.md), run with coreutils. */
function shellDigest(dir: string): string {
  return execFileSync(
    "sh",
    [
      "-c",
      `cd "$1" && find . -type f -printf '%P\\n' | LC_ALL=C sort | while IFS= read -r f; do ` +
        `printf '%s  %s  %s\\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"; done | sha256sum | cut -d' ' -f1`,
      "sh",
      dir,
    ],
    { encoding: "utf8" },
  ).trim();
}

describe.concurrent("fetch-model --verify-dir", () => {
  it("prints and reports the manifest digest the documented shell recipe computes", async () => {
    const dir = await copyOfModel("good");
    const expected = shellDigest(dir);
    const run = await runFetchModel(["--verify-dir", dir, "--sha256", expected]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected}\n`);
    expect(JSON.parse(run.termination)).toEqual({ reason: "ArtifactVerified", sha256: expected });
  });

  it("refuses a directory whose content changed", async () => {
    const dir = await copyOfModel("changed");
    const before = shellDigest(dir);
    await writeFile(path.join(dir, "tokenizer_config.json"), "{}");
    const run = await runFetchModel(["--verify-dir", dir, "--sha256", before]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.termination)).toEqual({
      reason: "ArtifactChecksumMismatch",
      message: `${dir} manifest: sha256 is ${shellDigest(dir)}, expected ${before}`,
    });
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("refuses a symlink that points out of the directory", async () => {
    const dir = await copyOfModel("symlink");
    await symlink("/etc/hostname", path.join(dir, "outside"));
    const run = await runFetchModel(["--verify-dir", dir]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.termination)).toEqual({
      reason: "ArtifactInvalid",
      message: "outside: symbolic link points out of the model directory",
    });
  });

  it("runs the model checks on the directory", async () => {
    const dir = await copyOfModel("bad-config");
    await writeFile(path.join(dir, "config.json"), JSON.stringify({ architectures: ["X"] }));
    const run = await runFetchModel(["--verify-dir", dir]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.termination)).toEqual({
      reason: "ArtifactInvalid",
      message: `model check failed: ${dir}/config.json: id2label is missing; it names the model's output classes`,
    });
  });

  it("reports a directory that is not there as unreachable", async () => {
    const run = await runFetchModel(["--verify-dir", path.join(temp, "absent")]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.termination)).toMatchObject({ reason: "ArtifactUnreachable" });
  });

  it("exits 2 with one line on bad flags", async () => {
    const run = await runFetchModel(["--verify-dir", DEFAULT_MODEL_DIR, "--sha256", "xyz"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("vigil-runtime: --sha256 must be 64 hex characters, got 'xyz'\n");
    const both = await runFetchModel([
      "--verify-dir",
      DEFAULT_MODEL_DIR,
      "--uri",
      "https://example.com/m.tgz",
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
