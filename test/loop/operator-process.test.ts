// The `moderation-operator` process itself: --help documents every flag, bad flags end with
// one line and a non-zero exit, and a running operator serves its probes and metrics, logs
// JSON lines, holds the Lease, and on SIGTERM exits 0 after releasing it.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, parseDuration } from "../../operator/cli.js";
import { Kinds } from "../../operator/core/kinds.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { testClient, waitFor } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = ["--import", "tsx", "operator/main.ts"];

function runOnce(args: string[]) {
  const result = spawnSync(process.execPath, [...MAIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("moderation-operator flags", () => {
  it("documents every flag in --help", () => {
    const { code, stdout } = runOnce(["--help"]);
    expect(code).toBe(0);
    const flags = buildProgram().options.map((o) => o.long);
    expect(flags).toEqual(
      expect.arrayContaining([
        "--namespaces",
        "--leader-elect",
        "--leader-election-namespace",
        "--lease-duration",
        "--renew-deadline",
        "--retry-period",
        "--concurrency",
        "--metrics-bind-address",
        "--runtime-image",
        "--log-level",
        "--log-format",
        "--kubeconfig",
      ]),
    );
    for (const flag of flags) expect(stdout).toContain(flag);
  });

  it.each([
    [["--no-such-flag"], "unknown option"],
    [["--concurrency", "0"], "--concurrency"],
    [["--lease-duration", "soon"], "--lease-duration"],
    [["--log-format", "xml"], "--log-format"],
    [["--namespaces", "Bad_Name"], "--namespaces"],
    [["--metrics-bind-address", "8081"], "--metrics-bind-address"],
    [["--lease-duration", "5s", "--renew-deadline", "10s"], "lease duration must be greater"],
    [["--kubeconfig", "/does/not/exist"], "does not exist"],
    [["surplus-argument"], "too many arguments"],
  ])("rejects %j with one line on stderr and exit code 1", (args, mentions) => {
    const { code, stderr } = runOnce(args);
    expect(code).toBe(1);
    const lines = stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(mentions);
  });

  it("parses Go-style durations", () => {
    expect(parseDuration("15s")).toBe(15_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(() => parseDuration("15")).toThrow("not a duration");
    expect(() => parseDuration("0s")).toThrow("longer than zero");
  });
});

describe("a running moderation-operator", () => {
  let cluster: TestCluster;
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster({ installCrds: true });
    dir = mkdtempSync(join(tmpdir(), "vigil-operator-"));
  });

  afterAll(async () => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    await cluster?.close();
  });

  it("serves probes and metrics, logs JSON, holds the Lease and releases it on SIGTERM", async () => {
    const namespace = await cluster.newNamespace("process");
    const kubeconfig = join(dir, "kubeconfig.json");
    writeFileSync(kubeconfig, cluster.kubeConfig.exportConfig());
    const proc = spawn(
      process.execPath,
      [
        ...MAIN,
        "--kubeconfig",
        kubeconfig,
        "--namespaces",
        namespace,
        "--leader-elect",
        "--leader-election-namespace",
        namespace,
        "--lease-duration",
        "3s",
        "--renew-deadline",
        "2s",
        "--retry-period",
        "400ms",
        "--metrics-bind-address",
        "127.0.0.1:0",
      ],
      { cwd: ROOT },
    );
    child = proc;
    const lines: Record<string, unknown>[] = [];
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const parts = stdout.split("\n");
      stdout = parts.pop() ?? "";
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));

    const serving = await waitFor(() => lines.find((l) => typeof l.port === "number"), {
      timeoutMs: 60_000,
      message: `the metrics server to start (stderr: ${stderr})`,
    });
    const started = await waitFor(() => lines.find((l) => l.msg === "operator started"), {
      message: "startup",
    });
    const base = `http://127.0.0.1:${String(serving.port)}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { message: "/readyz" });
    await waitFor(() => lines.some((l) => l.msg === "became leader"), { message: "leadership" });

    const client = testClient(cluster.kubeConfig);
    type Lease = { spec?: { holderIdentity?: string } };
    const lease = await client.get<Lease>(Kinds.Lease, "vigil-operator-leader", namespace);
    expect(lease.spec?.holderIdentity).toBe(started.identity);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/vigil_operator_api_requests_total\{verb="get",code="\d+"\} \d+/);
    expect(metrics).toContain("vigil_operator_leader 1");
    expect(metrics).toContain("process_cpu_seconds_total");
    for (const line of lines)
      expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String) });

    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    const released = await client.get<Lease>(Kinds.Lease, "vigil-operator-leader", namespace);
    expect(released.spec?.holderIdentity ?? "").toBe("");
    expect(lines.some((l) => l.msg === "released lease")).toBe(true);
    child = undefined;
  });
});
