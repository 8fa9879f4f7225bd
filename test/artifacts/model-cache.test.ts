// `fetch-model --cache-dir`: the shared model cache. A hit is served without a request and
// only after it matches its manifest; a damaged entry is discarded and fetched again, never
// served; pods racing to fill one entry both succeed and leave one entry behind.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactTerminationMessage } from "../../operator/desired/runtime-contract.js";
import { STALE_PARTIAL_MS } from "../../runtime/artifacts/model-cache.js";
import { runCli } from "../../runtime/cli.js";
import { DEFAULT_MODEL_DIR } from "../../runtime/config.js";
import { directoryEntries, sha256, tarArchive, type Entry } from "./support/archives.js";
import { ArtifactServer, body, status, type Handler } from "./support/artifact-server.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: ArtifactServer;
let temp: string;
let model: Entry[];
let archive: Buffer;
let digest: string;
let runNo = 0;

beforeAll(async () => {
  server = await ArtifactServer.start();
  temp = await mkdtemp(path.join(tmpdir(), "vigil-cache-"));
  model = await directoryEntries(DEFAULT_MODEL_DIR);
  archive = tarArchive(model);
  digest = sha256(archive);
});
afterAll(async () => {
  await server.close();
  await rm(temp, { recursive: true, force: true });
});

/** The canonical manifest (docs/models.md), written out independently of dir-manifest.ts. */
const manifestOf = (entries: readonly Entry[]): string =>
  [...entries]
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .map((e) => `${sha256(e.data!)}  ${e.data!.length}  ${e.name}\n`)
    .join("");

interface Run {
  code: number;
  stderr: string;
  message: ArtifactTerminationMessage;
  dest: string;
}

async function fetchCached(cache: string, url: string, key = digest): Promise<Run> {
  const dir = path.join(temp, `run-${++runNo}`);
  await mkdir(dir);
  const dest = path.join(dir, "model");
  const log = path.join(dir, "termination-log");
  let stderr = "";
  const code = await runCli(
    [
      "node",
      "vigil-runtime",
      "fetch-model",
      "--uri",
      url,
      "--sha256",
      key,
      "--dest",
      dest,
      "--cache-dir",
      cache,
      "--termination-log",
      log,
      "--retries",
      "0",
    ],
    { env: {}, out: () => undefined, err: (text) => (stderr += text) },
  );
  return {
    code,
    stderr,
    message: JSON.parse(await readFile(log, "utf8")) as ArtifactTerminationMessage,
    dest,
  };
}

async function expectModelAt(dir: string): Promise<void> {
  expect((await readdir(dir)).sort()).toEqual(model.map((e) => e.name).sort());
  for (const entry of model) expect(await readFile(path.join(dir, entry.name))).toEqual(entry.data);
}

async function newCache(): Promise<string> {
  const cache = path.join(temp, `cache-${++runNo}`);
  await mkdir(cache);
  return cache;
}

/** A cache holding the model's entry, filled by one fetch. */
async function filledCache(url: string): Promise<string> {
  const cache = await newCache();
  const fill = await fetchCached(cache, url);
  expect(fill.message).toEqual({ reason: "ArtifactVerified", sha256: digest });
  return cache;
}

describe("fetch-model --cache-dir", () => {
  it("on a miss downloads into the cache, stores the verified model with its manifest, and copies it to --dest", async () => {
    const url = server.on("/miss.tar", body(archive)).url("/miss.tar");
    const cache = await newCache();
    const run = await fetchCached(cache, url);
    expect(run.message).toEqual({ reason: "ArtifactVerified", sha256: digest });
    expect(run.code).toBe(0);
    expect(server.hits("/miss.tar")).toHaveLength(1);
    await expectModelAt(run.dest);
    expect(await readdir(cache)).toEqual([digest]);
    expect((await readdir(path.join(cache, digest))).sort()).toEqual(["manifest", "model"]);
    await expectModelAt(path.join(cache, digest, "model"));
    expect(await readFile(path.join(cache, digest, "manifest"), "utf8")).toBe(manifestOf(model));
    expect(run.stderr).toContain(`model cache: stored ${digest}`);
  });

  it("on a hit serves the entry without a request", async () => {
    const url = server.on("/hit.tar", body(archive)).url("/hit.tar");
    const cache = await filledCache(url);
    server.on("/hit.tar", status(500));
    const run = await fetchCached(cache, url);
    expect(run.message).toEqual({ reason: "ArtifactVerified", sha256: digest });
    expect(server.hits("/hit.tar")).toHaveLength(1);
    await expectModelAt(run.dest);
    expect(run.stderr).toBe(`fetch-model: model cache: ${digest} found in ${cache} and verified\n`);
  });

  const damages: [string, (entry: string) => Promise<void>, RegExp][] = [
    [
      "a changed byte",
      async (entry) => {
        const file = path.join(entry, "model", "config.json");
        const data = await readFile(file);
        data[0] = data[0]! ^ 1;
        await writeFile(file, data);
      },
      /a file's content differs from the manifest/,
    ],
    [
      "a missing file",
      (entry) => rm(path.join(entry, "model", "tokenizer.json")),
      /the files or their sizes differ/,
    ],
    [
      "an extra file",
      (entry) => writeFile(path.join(entry, "model", "extra.bin"), "x"),
      /the files or their sizes differ/,
    ],
    [
      "a truncated file",
      (entry) => writeFile(path.join(entry, "model", "model.onnx"), "half"),
      /the files or their sizes differ/,
    ],
    [
      "a manifest that is not one",
      (entry) => writeFile(path.join(entry, "manifest"), "garbage\n"),
      /manifest line 1 is not/,
    ],
    ["no model directory", (entry) => rm(path.join(entry, "model"), { recursive: true }), /ENOENT/],
  ];

  it.each(damages)("discards an entry with %s and fetches the model again", async (_name, damage, why) => {
    const route = `/damaged-${++runNo}.tar`;
    const url = server.on(route, body(archive)).url(route);
    const cache = await filledCache(url);
    await damage(path.join(cache, digest));
    const run = await fetchCached(cache, url);
    expect(run.message).toEqual({ reason: "ArtifactVerified", sha256: digest });
    expect(run.stderr).toMatch(new RegExp(`model cache: discarding ${digest} \\(.*${why.source}.*\\)`));
    expect(server.hits(route)).toHaveLength(2);
    await expectModelAt(run.dest);
    // The entry is whole again, and nothing is left aside.
    expect(await readdir(cache)).toEqual([digest]);
    await expectModelAt(path.join(cache, digest, "model"));
  });

  it("for a directory-shaped source, refuses an entry whose manifest and files were both replaced", async () => {
    // A directory URL fetches the model file and its sidecars; the key is their manifest's digest.
    const files = model.filter((e) => e.name !== "metrics.json");
    for (const entry of files) server.on(`/cached-files/${entry.name}`, body(entry.data!));
    const url = server.url("/cached-files/");
    const key = sha256(Buffer.from(manifestOf(files)));
    const cache = await newCache();
    const fill = await fetchCached(cache, url, key);
    expect(fill.message).toEqual({ reason: "ArtifactVerified", sha256: key });
    // Consistent with each other, but no longer the artifact the key names.
    const extra = { name: "extra.txt", data: Buffer.from("x") };
    await writeFile(path.join(cache, key, "model", extra.name), extra.data);
    await writeFile(path.join(cache, key, "manifest"), manifestOf([...files, extra]));
    const run = await fetchCached(cache, url, key);
    expect(run.message).toEqual({ reason: "ArtifactVerified", sha256: key });
    expect(run.stderr).toContain(`model cache: discarding ${key} (its manifest's digest is not the key)`);
    expect((await readdir(run.dest)).sort()).toEqual(files.map((e) => e.name).sort());
  });

  it("stores nothing when the artifact is refused", async () => {
    const url = server.on("/refused.tar", body(archive)).url("/refused.tar");
    const cache = await newCache();
    const run = await fetchCached(cache, url, "0".repeat(64));
    expect(run.message).toMatchObject({ reason: "ArtifactChecksumMismatch" });
    expect(await readdir(cache)).toEqual([]);
  });

  it("removes what dead pods left, and keeps another pod's fill in progress", async () => {
    const url = server.on("/leftovers.tar", body(archive)).url("/leftovers.tar");
    const cache = await newCache();
    const stale = `.partial-${Date.now() - STALE_PARTIAL_MS - 60_000}-dead0000`;
    const live = `.partial-${Date.now() - 60_000}-11ve0000`;
    for (const name of [stale, live, ".discarded-0000dead"]) {
      await mkdir(path.join(cache, name));
      await writeFile(path.join(cache, name, "download"), "half an archive");
    }
    const run = await fetchCached(cache, url);
    expect(run.message).toMatchObject({ reason: "ArtifactVerified" });
    expect((await readdir(cache)).sort()).toEqual([live, digest].sort());
  });

  it("reports a cache directory that is not there as unreachable", async () => {
    const url = server.on("/no-cache.tar", body(archive)).url("/no-cache.tar");
    const run = await fetchCached(path.join(temp, "absent"), url);
    expect(run.code).toBe(1);
    expect(run.message).toEqual({
      reason: "ArtifactUnreachable",
      message: `${path.join(temp, "absent")}: no such directory (is the model cache volume mounted?)`,
    });
  });

  it("exits 2 when --cache-dir comes without --sha256, or with --verify-dir", async () => {
    const lines: string[] = [];
    const run = (args: string[]) =>
      runCli(
        [
          "node",
          "vigil-runtime",
          "fetch-model",
          "--cache-dir",
          temp,
          "--termination-log",
          "/dev/null",
          ...args,
        ],
        {
          env: {},
          out: () => undefined,
          err: (text) => lines.push(text),
        },
      );
    expect(await run(["--uri", "https://example.com/m.tar", "--dest", path.join(temp, "x")])).toBe(2);
    expect(await run(["--verify-dir", DEFAULT_MODEL_DIR])).toBe(2);
    expect(lines).toEqual([
      "vigil-runtime: --cache-dir needs --sha256: cache entries are keyed by the artifact's digest\n",
      "vigil-runtime: --cache-dir applies to --uri downloads only\n",
    ]);
  });
});

/** Holds every request until `count` have arrived, then answers them all: both pods miss. */
function barrier(count: number, then: Handler): Handler {
  const waiting: (() => void)[] = [];
  return (req, res) => {
    waiting.push(() => then(req, res));
    if (waiting.length >= count) for (const answer of waiting.splice(0)) answer();
  };
}

describe("fetch-model --cache-dir: two pods filling one entry at once", () => {
  async function runProcess(
    cache: string,
    url: string,
  ): Promise<{ code: number | null; stderr: string; dest: string }> {
    const dir = path.join(temp, `process-${++runNo}`);
    await mkdir(dir);
    const dest = path.join(dir, "model");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "runtime/main.ts",
        "fetch-model",
        ...["--uri", url, "--sha256", digest, "--dest", dest, "--cache-dir", cache],
        // Ends on its own, within the test's time, if the other pod never asks.
        ...["--termination-log", path.join(dir, "termination-log"), "--timeout", "45"],
      ],
      { cwd: ROOT },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, stderr, dest };
  }

  it("both succeed, one rename wins, and the cache holds one whole entry", async () => {
    const url = server.on("/race.tar", barrier(2, body(archive))).url("/race.tar");
    const cache = await newCache();
    const pods = await Promise.all([runProcess(cache, url), runProcess(cache, url)]);
    expect(server.hits("/race.tar")).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.code, pod.stderr).toBe(0);
      await expectModelAt(pod.dest);
    }
    const stored = pods.filter((p) => p.stderr.includes(`model cache: stored ${digest}`));
    const lost = pods.filter((p) => p.stderr.includes("was stored by another pod meanwhile"));
    expect([stored.length, lost.length]).toEqual([1, 1]);
    expect(await readdir(cache)).toEqual([digest]);
    expect(await readFile(path.join(cache, digest, "manifest"), "utf8")).toBe(manifestOf(model));
    await expectModelAt(path.join(cache, digest, "model"));
  });
});
