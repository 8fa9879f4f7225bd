// `vigil-runtime fetch-model` against a local HTTP server: every outcome ends in one reason in
// the termination log and an exit code, and a refused artifact never appears at --dest.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphBuilder } from "../../hack/onnx/graph-builder.js";
import type { ArtifactTerminationMessage } from "../../operator/desired/runtime-contract.js";
import { runCli } from "../../runtime/cli.js";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import {
  directoryEntries,
  sha256,
  tarArchive,
  tgzArchive,
  zipArchive,
  type Entry,
} from "./support/archives.js";
import {
  ArtifactServer,
  body,
  chunked,
  redirect,
  requireAuthorization,
  stalls,
  status,
  truncated,
} from "./support/artifact-server.js";

let server: ArtifactServer;
let temp: string;
let model: Entry[];
let caseNo = 0;

beforeAll(async () => {
  server = await ArtifactServer.start();
  temp = await mkdtemp(path.join(tmpdir(), "vigil-fetch-"));
  model = await directoryEntries(DEFAULT_MODEL_DIR);
});
afterAll(async () => {
  await server.close();
  await rm(temp, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  message: ArtifactTerminationMessage;
  /** Where the model was to go; exists only when verified. */
  dest: string;
  /** What else is in dest's parent: staging and download files must be gone. */
  leftovers: string[];
}

async function fetchModel(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  prepare?: (dir: string) => Promise<void>,
): Promise<Outcome> {
  const dir = path.join(temp, `case-${++caseNo}`);
  await mkdir(dir);
  await prepare?.(dir);
  const dest = path.join(dir, "model");
  const log = path.join(temp, `termination-${caseNo}.log`);
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    [
      "node",
      "vigil-runtime",
      "fetch-model",
      "--dest",
      dest,
      "--termination-log",
      log,
      "--backoff-ms",
      "20",
      ...args,
    ],
    { env, out: (line) => (stdout += `${line}\n`), err: (text) => (stderr += text) },
  );
  const lines = (await readFile(log, "utf8")).split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  return {
    code,
    stdout,
    stderr,
    message: JSON.parse(lines[0]!) as ArtifactTerminationMessage,
    dest,
    leftovers: (await readdir(dir)).filter((name) => name !== "model"),
  };
}

function serve(name: string, data: Buffer): string {
  server.on(`/${name}`, body(data));
  return server.url(`/${name}`);
}

async function expectRefused(outcome: Outcome, reason: string, message: RegExp): Promise<void> {
  expect(outcome.message).toEqual({ reason, message: expect.stringMatching(message) });
  expect(outcome.code).toBe(1);
  // One line on stderr for the failure, naming the same reason.
  expect(outcome.stderr.trimEnd().split("\n").at(-1)).toBe(
    `fetch-model: ${reason}: ${outcome.message.message}`,
  );
  expect(existsSync(outcome.dest)).toBe(false);
  expect(outcome.leftovers).toEqual([]);
}

async function expectVerified(outcome: Outcome, digest: string): Promise<void> {
  expect(outcome.stderr).toBe("");
  expect(outcome.message).toEqual({ reason: "ArtifactVerified", sha256: digest });
  expect(outcome.code).toBe(0);
  expect(outcome.stdout).toBe(`${digest}\n`);
  expect((await readdir(outcome.dest)).sort()).toEqual(model.map((e) => e.name).sort());
  for (const entry of model) expect(await readFile(path.join(outcome.dest, entry.name))).toEqual(entry.data);
  expect(outcome.leftovers).toEqual([]);
}

describe("fetch-model: good archives", () => {
  it.each([
    ["model.tar", tarArchive],
    ["model.tar.gz", tgzArchive],
    ["model.tgz", tgzArchive],
    ["model.zip", zipArchive],
  ] as const)("unpacks and verifies %s", async (name, build) => {
    const archive = build(model);
    const outcome = await fetchModel(["--uri", serve(`good/${name}`, archive), "--sha256", sha256(archive)]);
    await expectVerified(outcome, sha256(archive));
  });

  it("takes the model from an archive's single top-level directory", async () => {
    const archive = tgzArchive([
      { name: "my-model/", type: "Directory" },
      ...(await directoryEntries(DEFAULT_MODEL_DIR, "my-model/")),
    ]);
    const outcome = await fetchModel(["--uri", serve("nested.tgz", archive), "--sha256", sha256(archive)]);
    await expectVerified(outcome, sha256(archive));
  });

  it("replaces what an earlier attempt left at --dest", async () => {
    const archive = tarArchive(model);
    const url = serve("again.tar", archive);
    const first = await fetchModel(["--uri", url, "--sha256", sha256(archive)]);
    await expectVerified(first, sha256(archive));
    const code = await runCli(
      [
        "node",
        "vigil-runtime",
        "fetch-model",
        "--uri",
        url,
        "--dest",
        first.dest,
        "--termination-log",
        path.join(temp, "again.log"),
      ],
      { out: () => undefined, err: () => undefined },
    );
    expect(code).toBe(0);
    expect((await readdir(first.dest)).sort()).toEqual(model.map((e) => e.name).sort());
  });
});

describe("fetch-model: what lands on disk", () => {
  it("removes the staging files an attempt killed mid-way left on the volume", async () => {
    const archive = tarArchive(model);
    const outcome = await fetchModel(["--uri", serve("after-kill.tar", archive)], {}, async (dir) => {
      await mkdir(path.join(dir, ".partial-model.dead0000"));
      await writeFile(path.join(dir, ".partial-model.dead0000", "model.onnx"), "half");
      await writeFile(path.join(dir, ".download-model.dead0000"), "half an archive");
    });
    await expectVerified(outcome, sha256(archive));
  });

  it("writes files 0644 whatever modes the archive carries", async () => {
    const archive = tarArchive([
      ...model,
      { name: "run.sh", data: Buffer.from("#!/bin/sh\n"), mode: 0o4755 },
    ]);
    const outcome = await fetchModel(["--uri", serve("modes.tar", archive)]);
    expect(outcome.message).toMatchObject({ reason: "ArtifactVerified" });
    expect((await stat(path.join(outcome.dest, "run.sh"))).mode & 0o7777).toBe(0o644);
  });
});

describe("fetch-model: single .onnx file or directory URL plus sidecars", () => {
  beforeAll(() => {
    for (const entry of model) server.on(`/files/${entry.name}`, body(entry.data!));
    server.on(`/files/custom-name.onnx`, body(model.find((e) => e.name === "model.onnx")!.data!));
  });

  it("fetches model.onnx, config.json, tokenizer.json and tokenizer_config.json from a directory URL", async () => {
    // The canonical manifest (docs/models.md), written out independently of dir-manifest.ts.
    const sidecars = model
      .filter((e) => e.name !== "metrics.json")
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const digest = sha256(
      Buffer.from(sidecars.map((e) => `${sha256(e.data!)}  ${e.data!.length}  ${e.name}\n`).join("")),
    );
    const outcome = await fetchModel(["--uri", server.url("/files/"), "--sha256", digest]);
    expect(outcome.message).toEqual({ reason: "ArtifactVerified", sha256: digest });
    expect((await readdir(outcome.dest)).sort()).toEqual([
      "config.json",
      "model.onnx",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });

  it("saves a named .onnx as model.onnx and tolerates a missing optional sidecar", async () => {
    server.on("/files/tokenizer_config.json", status(404));
    try {
      const outcome = await fetchModel(["--uri", server.url("/files/custom-name.onnx")]);
      expect(outcome.message).toMatchObject({ reason: "ArtifactVerified" });
      expect((await readdir(outcome.dest)).sort()).toEqual(["config.json", "model.onnx", "tokenizer.json"]);
    } finally {
      server.on(
        "/files/tokenizer_config.json",
        body(model.find((e) => e.name === "tokenizer_config.json")!.data!),
      );
    }
  });

  it("fails when a required sidecar is missing", async () => {
    server.on("/nosidecar/model.onnx", body(model.find((e) => e.name === "model.onnx")!.data!));
    const outcome = await fetchModel(["--uri", server.url("/nosidecar/model.onnx")]);
    await expectRefused(
      outcome,
      "ArtifactUnreachable",
      /\/nosidecar\/config\.json: HTTP 404.*required file config\.json/,
    );
  });

  it("checks sha256 against the fetched directory's manifest", async () => {
    const outcome = await fetchModel(["--uri", server.url("/files/"), "--sha256", "0".repeat(64)]);
    await expectRefused(
      outcome,
      "ArtifactChecksumMismatch",
      /^model directory manifest: sha256 is [0-9a-f]{64}, expected 0{64}$/,
    );
  });
});

describe("fetch-model: transport failures", () => {
  const archive = (): Buffer => tarArchive(model);

  it("refuses a wrong checksum before unpacking anything", async () => {
    const data = archive();
    const outcome = await fetchModel(["--uri", serve("wrong-sum.tar", data), "--sha256", "a".repeat(64)]);
    await expectRefused(
      outcome,
      "ArtifactChecksumMismatch",
      new RegExp(`^archive: sha256 is ${sha256(data)}, expected a{64}$`),
    );
  });

  it("retries a truncated body and fails as unreachable when it stays truncated", async () => {
    const data = archive();
    server.on("/truncated.tar", truncated(data, 1000));
    const outcome = await fetchModel([
      "--uri",
      server.url("/truncated.tar"),
      "--sha256",
      sha256(data),
      "--retries",
      "2",
    ]);
    await expectRefused(
      outcome,
      "ArtifactUnreachable",
      /truncated\.tar: .*1000 of \d+ bytes.*gave up after 3 attempts/,
    );
    expect(server.hits("/truncated.tar")).toHaveLength(3);
  });

  it("recovers when a truncated body is followed by a whole one", async () => {
    const data = archive();
    server.on("/truncated-once.tar", truncated(data, 4096), body(data));
    const outcome = await fetchModel(["--uri", server.url("/truncated-once.tar"), "--sha256", sha256(data)]);
    expect(outcome.message).toEqual({ reason: "ArtifactVerified", sha256: sha256(data) });
  });

  it("times out on a body that stops arriving", async () => {
    server.on("/slow.tar", stalls(archive()));
    const outcome = await fetchModel(["--uri", server.url("/slow.tar"), "--timeout", "1"]);
    await expectRefused(outcome, "ArtifactTimeout", /not fetched and verified within 1s/);
  });

  it("does not retry a 404", async () => {
    server.on("/missing.tar", status(404));
    const outcome = await fetchModel(["--uri", server.url("/missing.tar"), "--sha256", "a".repeat(64)]);
    await expectRefused(outcome, "ArtifactUnreachable", /missing\.tar: HTTP 404/);
    expect(server.hits("/missing.tar")).toHaveLength(1);
  });

  it("retries a 500 and succeeds", async () => {
    const data = archive();
    server.on("/flaky.tar", status(500), status(503), body(data));
    const outcome = await fetchModel(["--uri", server.url("/flaky.tar"), "--sha256", sha256(data)]);
    expect(outcome.message).toEqual({ reason: "ArtifactVerified", sha256: sha256(data) });
    expect(outcome.code).toBe(0);
    expect(server.hits("/flaky.tar")).toHaveLength(3);
    expect(outcome.stderr).toMatch(/HTTP 500 .*retrying in/);
  });

  it("gives up on a server that keeps failing", async () => {
    server.on("/down.tar", status(502));
    const outcome = await fetchModel([
      "--uri",
      server.url("/down.tar"),
      "--sha256",
      "a".repeat(64),
      "--retries",
      "1",
    ]);
    await expectRefused(outcome, "ArtifactUnreachable", /HTTP 502.*gave up after 2 attempts/);
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    const data = archive();
    server.on("/busy.tar", status(429, { "retry-after": "1" }), body(data));
    const outcome = await fetchModel(["--uri", server.url("/busy.tar"), "--sha256", sha256(data)]);
    expect(outcome.message).toEqual({ reason: "ArtifactVerified", sha256: sha256(data) });
    const [first, second] = server.hits("/busy.tar");
    // --backoff-ms is 20: only Retry-After explains a second's wait.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it("fails at once when Retry-After is beyond the timeout", async () => {
    server.on("/later.tar", status(429, { "retry-after": "3600" }));
    const outcome = await fetchModel([
      "--uri",
      server.url("/later.tar"),
      "--sha256",
      "a".repeat(64),
      "--timeout",
      "30",
    ]);
    await expectRefused(outcome, "ArtifactUnreachable", /HTTP 429.*would end after the 30s timeout/);
    expect(server.hits("/later.tar")).toHaveLength(1);
  });

  it("refuses an artifact whose Content-Length is over --max-bytes without reading it", async () => {
    const data = archive();
    const outcome = await fetchModel([
      "--uri",
      serve("big.tar", data),
      "--sha256",
      sha256(data),
      "--max-bytes",
      "10000",
    ]);
    await expectRefused(outcome, "ArtifactTooLarge", /\d+ bytes exceeds the 10000-byte limit/);
  });

  it("stops reading a chunked body once it passes --max-bytes", async () => {
    const data = archive();
    server.on("/big-chunked.tar", chunked(data));
    const outcome = await fetchModel(["--uri", server.url("/big-chunked.tar"), "--max-bytes", "10000"]);
    await expectRefused(outcome, "ArtifactTooLarge", /more than 10000 bytes/);
  });

  it("reports 401 and 403 as unauthorized, without retrying", async () => {
    server.on("/secret-401.tar", status(401));
    server.on("/secret-403.tar", status(403));
    for (const code of [401, 403]) {
      const outcome = await fetchModel([
        "--uri",
        server.url(`/secret-${code}.tar`),
        "--sha256",
        "a".repeat(64),
      ]);
      await expectRefused(outcome, "ArtifactUnauthorized", new RegExp(`HTTP ${code}`));
      expect(server.hits(`/secret-${code}.tar`)).toHaveLength(1);
    }
  });
});

describe("fetch-model: credentials", () => {
  it("sends a bearer token from --auth-file and basic credentials from --auth-env", async () => {
    const data = tarArchive(model);
    const tokenFile = path.join(temp, "token");
    await writeFile(tokenFile, "s3cret-token\n");
    server.on("/bearer.tar", requireAuthorization("Bearer s3cret-token", body(data)));
    server.on(
      "/basic.tar",
      requireAuthorization(`Basic ${Buffer.from("user:pw").toString("base64")}`, body(data)),
    );
    const bearer = await fetchModel(["--uri", server.url("/bearer.tar"), "--auth-file", tokenFile]);
    expect(bearer.message).toEqual({ reason: "ArtifactVerified", sha256: sha256(data) });
    const basic = await fetchModel(
      ["--uri", server.url("/basic.tar"), "--auth-env", "MODEL_CREDS", "--auth-type", "basic"],
      {
        MODEL_CREDS: "user:pw",
      },
    );
    expect(basic.message).toEqual({ reason: "ArtifactVerified", sha256: sha256(data) });
    const wrong = await fetchModel(
      ["--uri", server.url("/basic.tar"), "--auth-env", "MODEL_CREDS", "--auth-type", "basic"],
      {
        MODEL_CREDS: "user:wrong",
      },
    );
    await expectRefused(wrong, "ArtifactUnauthorized", /HTTP 401/);
  });

  it("does not send credentials to another host a redirect points at", async () => {
    const data = tarArchive(model);
    server.on("/elsewhere.tar", body(data));
    server.on("/redirecting.tar", redirect(server.url("/elsewhere.tar", "localhost")));
    const outcome = await fetchModel(["--uri", server.url("/redirecting.tar"), "--auth-env", "TOKEN"], {
      TOKEN: "t",
    });
    expect(outcome.message).toEqual({ reason: "ArtifactVerified", sha256: sha256(data) });
    expect(server.hits("/redirecting.tar").at(-1)!.authorization).toBe("Bearer t");
    expect(server.hits("/elsewhere.tar").at(-1)!.authorization).toBeUndefined();
  });

  it("fails as unauthorized when the credentials file is missing", async () => {
    const outcome = await fetchModel([
      "--uri",
      server.url("/bearer.tar"),
      "--auth-file",
      path.join(temp, "absent"),
    ]);
    await expectRefused(outcome, "ArtifactUnauthorized", /cannot read credentials from .*absent \(ENOENT\)/);
  });
});

describe("fetch-model: hostile archives", () => {
  const cases: [string, (entries: Entry[]) => Buffer, Entry, RegExp][] = [
    [
      "tar with ../",
      tarArchive,
      { name: "../escape.txt", data: Buffer.from("x") },
      /path '\.\.\/escape\.txt' contains '\.\.'/,
    ],
    [
      "tar with an absolute path",
      tarArchive,
      { name: "/etc/cron.d/x", data: Buffer.from("x") },
      /absolute path '\/etc\/cron\.d\/x'/,
    ],
    [
      "tar with a symlink out",
      tarArchive,
      { name: "evil", type: "SymbolicLink", linkpath: "../../etc" },
      /link 'evil' points out of the model directory/,
    ],
    [
      "tar with an absolute symlink",
      tarArchive,
      { name: "evil", type: "SymbolicLink", linkpath: "/etc/passwd" },
      /link 'evil' points to the absolute path/,
    ],
    [
      "tar with a hard link out",
      tarArchive,
      { name: "evil", type: "Link", linkpath: "../outside" },
      /link 'evil' points out of the model directory/,
    ],
    ["tar with a device", tarArchive, { name: "dev", type: "CharacterDevice" }, /'dev' is a CharacterDevice/],
    ["zip with ../", zipArchive, { name: "../escape.txt", data: Buffer.from("x") }, /\.\.\/escape\.txt/],
    ["zip with an absolute path", zipArchive, { name: "/etc/x", data: Buffer.from("x") }, /\/etc\/x/],
    [
      "zip with a symlink",
      zipArchive,
      { name: "evil", type: "SymbolicLink", linkpath: "../../etc" },
      /'evil' is a symbolic link/,
    ],
  ];

  it.each(cases)("refuses a %s", async (_name, build, hostile, message) => {
    const data = build([...model, hostile]);
    const outcome = await fetchModel([
      "--uri",
      serve(`hostile-${caseNo}.${build === zipArchive ? "zip" : "tar"}`, data),
      "--sha256",
      sha256(data),
    ]);
    await expectRefused(outcome, "ArtifactInvalid", message);
    expect(existsSync(path.join(temp, "escape.txt"))).toBe(false);
  });

  it("refuses a file written through a link inside the archive", async () => {
    const data = tarArchive([
      ...model,
      { name: "sub", type: "SymbolicLink", linkpath: "." },
      { name: "sub/x", data: Buffer.from("x") },
    ]);
    const outcome = await fetchModel(["--uri", serve("through-link.tar", data)]);
    await expectRefused(outcome, "ArtifactInvalid", /entry 'sub\/x' is inside the link 'sub'/);
  });

  it("refuses a zip bomb by its declared size", async () => {
    const bomb = zipArchive([...model, { name: "zeros.bin", data: Buffer.alloc(64 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const outcome = await fetchModel([
      "--uri",
      serve("bomb.zip", bomb),
      "--max-bytes",
      String(8 * 1024 * 1024),
    ]);
    await expectRefused(outcome, "ArtifactTooLarge", /unpacks to more than 8388608 bytes/);
  });

  it("refuses a zip bomb that lies about its size", async () => {
    const bomb = zipArchive([
      ...model,
      { name: "zeros.bin", data: Buffer.alloc(64 * 1024 * 1024), declaredSize: 1024 },
    ]);
    const outcome = await fetchModel([
      "--uri",
      serve("lying-bomb.zip", bomb),
      "--max-bytes",
      String(8 * 1024 * 1024),
    ]);
    await expectRefused(
      outcome,
      "ArtifactInvalid",
      /not a readable zip archive \(too many bytes in the stream/,
    );
  });

  it("refuses a gzip bomb in a tar.gz", async () => {
    const bomb = tgzArchive([...model, { name: "zeros.bin", data: Buffer.alloc(64 * 1024 * 1024) }]);
    const outcome = await fetchModel([
      "--uri",
      serve("bomb.tgz", bomb),
      "--max-bytes",
      String(8 * 1024 * 1024),
    ]);
    await expectRefused(outcome, "ArtifactTooLarge", /unpacks to more than 8388608 bytes/);
  });

  it("refuses more entries than --max-files", async () => {
    const data = tarArchive(model);
    const outcome = await fetchModel(["--uri", serve("many.tar", data), "--max-files", "3"]);
    await expectRefused(outcome, "ArtifactTooLarge", /more than 3 entries/);
  });
});

function wrongInputTypeModel(): Buffer {
  const g = new GraphBuilder("wrong-input");
  const ids = g.input("input_ids", "float32", ["batch", "sequence"]);
  g.input("attention_mask", "int64", ["batch", "sequence"]);
  g.output(ids, "logits", "float32", ["batch", "sequence"]);
  return Buffer.from(g.toModelBytes({ producerName: "vigil-test", producerVersion: "1" }));
}

describe("fetch-model: the runtime's model checks", () => {
  const replace = (name: string, data: Buffer | undefined): Entry[] =>
    data === undefined
      ? model.filter((e) => e.name !== name)
      : model.map((e) => (e.name === name ? { name, data } : e));
  const withConfig = (edit: (config: Record<string, unknown>) => void): Entry[] => {
    const config = JSON.parse(model.find((e) => e.name === "config.json")!.data!.toString()) as Record<
      string,
      unknown
    >;
    edit(config);
    return replace("config.json", Buffer.from(JSON.stringify(config)));
  };

  const cases: [string, () => Entry[], RegExp][] = [
    [
      "no model.onnx",
      () => replace("model.onnx", undefined),
      /model check failed: .*no model\.onnx or onnx\/model\.onnx/,
    ],
    [
      "no tokenizer.json",
      () => replace("tokenizer.json", undefined),
      /model check failed: .*no tokenizer\.json/,
    ],
    [
      "no config.json",
      () => replace("config.json", undefined),
      /model check failed: config\.json: cannot read \(ENOENT\)/,
    ],
    [
      "config.json that is not JSON",
      () => replace("config.json", Buffer.from("{nope")),
      /model check failed: config\.json: invalid JSON/,
    ],
    [
      "config.json without id2label",
      () => withConfig((c) => delete c.id2label),
      /model check failed: config\.json: id2label is missing/,
    ],
    [
      "id2label naming fewer classes than the ONNX output",
      () => withConfig((c) => (c.id2label = { 0: "a", 1: "b" })),
      /model check failed: model\.onnx: output 'logits' has 7 classes but config\.json id2label names 2/,
    ],
    [
      "model.onnx that is not ONNX",
      () => replace("model.onnx", Buffer.from("not protobuf")),
      /model check failed: model\.onnx: not an ONNX model \(wire type 6 at byte 0\)/,
    ],
    [
      "an int64 input declared float32",
      () => replace("model.onnx", wrongInputTypeModel()),
      /model check failed: model\.onnx: input 'input_ids' must be int64, is float32/,
    ],
    [
      "tokenizer.json that is not JSON",
      () => replace("tokenizer.json", Buffer.from("[")),
      /model check failed: tokenizer\.json: invalid JSON/,
    ],
    [
      "tokenizer.json that is not a tokenizer",
      () => replace("tokenizer.json", Buffer.from('{"model": 1}')),
      /model check failed: tokenizer\.json: not a usable tokenizer/,
    ],
  ];

  it.each(cases)("refuses a directory with %s", async (_name, entries, message) => {
    const data = tarArchive(entries());
    const outcome = await fetchModel(["--uri", serve(`check-${caseNo}.tar`, data), "--sha256", sha256(data)]);
    await expectRefused(outcome, "ArtifactInvalid", message);
  });
});

describe("fetch-model as the init container runs it (a separate process)", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

  async function runProcess(
    args: string[],
  ): Promise<{ code: number | null; stderr: string; log: string; dest: string }> {
    const dir = path.join(temp, `process-${++caseNo}`);
    await mkdir(dir);
    const log = path.join(dir, "termination-log");
    const dest = path.join(dir, "model");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "runtime/main.ts",
        "fetch-model",
        "--dest",
        dest,
        "--termination-log",
        log,
        ...args,
      ],
      { cwd: root },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, stderr, log: await readFile(log, "utf8"), dest };
  }

  it("exits 0 with the verified line, and 1 with the mismatch line and one stderr line", async () => {
    const archive = tgzArchive(model);
    const url = serve("process.tgz", archive);
    const good = await runProcess(["--uri", url, "--sha256", sha256(archive)]);
    expect(good.code).toBe(0);
    expect(good.log).toBe(`${JSON.stringify({ reason: "ArtifactVerified", sha256: sha256(archive) })}\n`);
    expect(existsSync(path.join(good.dest, "model.onnx"))).toBe(true);

    const bad = await runProcess(["--uri", url, "--sha256", "f".repeat(64)]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.log)).toEqual({
      reason: "ArtifactChecksumMismatch",
      message: `archive: sha256 is ${sha256(archive)}, expected ${"f".repeat(64)}`,
    });
    expect(bad.stderr).toBe(`fetch-model: ArtifactChecksumMismatch: ${JSON.parse(bad.log).message}\n`);
    expect(existsSync(bad.dest)).toBe(false);
  });

  it("exits 1 with ArtifactTimeout when the body stalls past --timeout", async () => {
    server.on("/process-slow.tar", stalls(tarArchive(model)));
    const slow = await runProcess(["--uri", server.url("/process-slow.tar"), "--timeout", "1"]);
    expect(slow.code).toBe(1);
    expect(JSON.parse(slow.log)).toMatchObject({ reason: "ArtifactTimeout" });
  });
});
