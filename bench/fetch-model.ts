/**
 * fetch-model throughput and memory (a measurement, not a test):
 *   npm run bench:artifacts [-- --size-mb 500 --rounds 3 --source --baseline-rev <git rev>]
 * Builds a .tar of the default model plus a <size-mb> MB file of random bytes (incompressible,
 * so no time goes into compressing it), serves it from a node:http server in this process, and
 * in the same run, alternating, times
 *   (1) `curl -s -o <file>`: download to disk, nothing else (the baseline);
 *   (2) `vigil-runtime fetch-model --sha256 …`: download to disk while hashing, verify, unpack
 *       the tar, run the model checks, rename into place;
 * each as its own process, the compiled runtime (`npm run build` first, as the image runs it;
 * --source runs the TypeScript via tsx). Prints the median times, the throughput ratio
 * (target >= 0.8) and fetch-model's peak RSS (VmHWM of the child, target < 100 MB), plus the
 * fixed cost (process start + model check) measured on the bare model tar, and the same fetch
 * through a shared model cache (--cache-dir): a miss, then a hit.
 * --baseline-rev compiles the runtime of another commit (git archive into a temporary directory)
 * and times its fetch-model in the same rounds, so a change shows as before/after under the
 * same load.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import * as tar from "tar";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, "runtime/models/default");

interface Options {
  sizeMb: number;
  rounds: number;
  source: boolean;
  baselineRev: string | undefined;
}

interface Timed {
  seconds: number;
  peakRssMb?: number;
}

async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  const out = createWriteStream(file);
  for (let written = 0; written < bytes; written += chunk.length) {
    randomFillSync(chunk);
    const slice = chunk.subarray(0, Math.min(chunk.length, bytes - written));
    if (!out.write(slice)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function buildArtifact(
  dir: string,
  name: string,
  extraBytes: number,
): Promise<{ file: string; sha256: string }> {
  const content = path.join(dir, `${name}-content`);
  mkdirSync(content);
  for (const file of ["config.json", "model.onnx", "tokenizer.json", "tokenizer_config.json"]) {
    await pipeline(
      createReadStream(path.join(DEFAULT_MODEL_DIR, file)),
      createWriteStream(path.join(content, file)),
    );
  }
  if (extraBytes > 0) await writeRandomFile(path.join(content, "weights.bin"), extraBytes);
  const file = path.join(dir, `${name}.tar`);
  await tar.c({ file, cwd: content, portable: true }, [...readdirSorted(content)]);
  rmSync(content, { recursive: true });
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return { file, sha256: hash.digest("hex") };
}

function readdirSorted(dir: string): string[] {
  return spawnSync("ls", [dir], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).sort();
}

async function serve(
  files: Record<string, string>,
): Promise<{ url: (name: string) => string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname.slice(1)];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-length": statSync(file).size, "content-type": "application/x-tar" });
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs a child, polling its VmHWM (the kernel's peak-RSS mark, which only grows) until it exits. */
async function timeChild(
  command: string,
  args: string[],
): Promise<Timed & { code: number | null; stderr: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // exited between polls
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { code, stderr, seconds, peakRssMb: peakKb / 1024 };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The compiled runtime of `rev`, built in `dir` from `git archive` with this checkout's node_modules. */
function buildBaseline(rev: string, dir: string): string[] {
  console.log(`compiling the runtime of ${rev} for the baseline ...`);
  const extracted = spawnSync(
    "sh",
    ["-c", `git archive --format=tar "$1" | tar -x -C "$2"`, "sh", rev, dir],
    {
      cwd: REPO_ROOT,
      stdio: "inherit",
    },
  );
  if (extracted.status !== 0) throw new Error(`git archive ${rev} failed`);
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  const built = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: dir,
      stdio: "inherit",
    },
  );
  if (built.status !== 0) throw new Error(`compiling ${rev} failed`);
  return [path.join(dir, "dist/runtime/main.js")];
}

async function main(): Promise<void> {
  const options = new Command()
    .option("--size-mb <n>", "size of the random payload in the tar", "500")
    .option("--rounds <n>", "alternating rounds of curl and fetch-model", "3")
    .option("--source", "run the TypeScript via tsx instead of the compiled dist/")
    .option("--baseline-rev <rev>", "also time the fetch-model of this git commit (before/after)")
    .parse()
    .opts<{ sizeMb: string; rounds: string; source?: boolean; baselineRev?: string }>();
  const opts: Options = {
    sizeMb: Number(options.sizeMb),
    rounds: Number(options.rounds),
    source: options.source === true,
    baselineRev: options.baselineRev,
  };
  let runtime: string[];
  if (opts.source) {
    runtime = ["--import", "tsx", "runtime/main.ts"];
  } else {
    console.log("compiling the runtime (npm run build) ...");
    const built = spawnSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
    if (built.status !== 0 || !existsSync(path.join(REPO_ROOT, "dist/runtime/main.js"))) {
      throw new Error("npm run build failed; rerun with --source");
    }
    runtime = ["dist/runtime/main.js"];
  }

  const dir = mkdtempSync(path.join(tmpdir(), "vigil-bench-fetch-"));
  try {
    const runtimes: { label: string; args: string[] }[] = [{ label: "fetch-model", args: runtime }];
    if (opts.baselineRev !== undefined) {
      const baseline = path.join(dir, "baseline");
      mkdirSync(baseline);
      runtimes.push({
        label: `fetch-model at ${opts.baselineRev}`,
        args: buildBaseline(opts.baselineRev, baseline),
      });
    }
    console.log(`building a ${opts.sizeMb} MB model tar in ${dir} ...`);
    const big = await buildArtifact(dir, "big", opts.sizeMb * 1024 * 1024);
    const small = await buildArtifact(dir, "small", 0);
    const bytes = statSync(big.file).size;
    const server = await serve({ "big.tar": big.file, "small.tar": small.file });
    const fetchModel = (args: string[], name: string, sha256: string, dest: string, extra: string[] = []) =>
      timeChild(process.execPath, [
        ...args,
        "fetch-model",
        "--uri",
        server.url(name),
        "--sha256",
        sha256,
        "--dest",
        dest,
        "--max-bytes",
        String(bytes * 2),
        "--timeout",
        "600",
        "--termination-log",
        path.join(dir, "termination.log"),
        ...extra,
      ]);

    const curlTimes: number[] = [];
    const results = runtimes.map(() => ({
      times: [] as number[],
      fixed: [] as number[],
      peak: 0,
      barePeak: 0,
    }));
    const cacheMiss: number[] = [];
    const cacheHit: number[] = [];
    let cacheHitPeak = 0;
    for (let round = 0; round < opts.rounds; round++) {
      const curlOut = path.join(dir, "curl.tar");
      const curl = await timeChild("curl", ["-sS", "-f", "-o", curlOut, server.url("big.tar")]);
      if (curl.code !== 0 || statSync(curlOut).size !== bytes) throw new Error(`curl failed: ${curl.stderr}`);
      curlTimes.push(curl.seconds);
      rmSync(curlOut);
      const line = [`round ${round + 1}: curl ${curl.seconds.toFixed(2)} s`];
      // Every other round in reverse order, so neither runtime always follows curl's write.
      const order = round % 2 === 0 ? [...runtimes.keys()] : [...runtimes.keys()].reverse();
      for (const i of order) {
        const { label, args } = runtimes[i]!;
        const result = results[i]!;
        const dest = path.join(dir, "fetched", "model");
        const fetched = await fetchModel(args, "big.tar", big.sha256, dest);
        if (
          fetched.code !== 0 ||
          statSync(path.join(dest, "weights.bin")).size !== opts.sizeMb * 1024 * 1024
        ) {
          throw new Error(`${label} failed: ${fetched.stderr}`);
        }
        result.times.push(fetched.seconds);
        result.peak = Math.max(result.peak, fetched.peakRssMb ?? 0);
        rmSync(path.join(dir, "fetched"), { recursive: true });

        const fixed = await fetchModel(args, "small.tar", small.sha256, path.join(dir, "small", "model"));
        if (fixed.code !== 0) throw new Error(`${label} (small) failed: ${fixed.stderr}`);
        result.fixed.push(fixed.seconds);
        result.barePeak = Math.max(result.barePeak, fixed.peakRssMb ?? 0);
        rmSync(path.join(dir, "small"), { recursive: true });
        line.push(
          `${label} ${fetched.seconds.toFixed(2)} s (peak RSS ${fetched.peakRssMb?.toFixed(0)} MB), ` +
            `bare model ${fixed.seconds.toFixed(2)} s (peak RSS ${fixed.peakRssMb?.toFixed(0)} MB)`,
        );
      }
      // The shared cache (current runtime only): a miss fills it, a hit copies and checks the entry.
      const cache = path.join(dir, "cache");
      mkdirSync(cache);
      for (const times of [cacheMiss, cacheHit]) {
        const dest = path.join(dir, "cached", "model");
        const cached = await fetchModel(runtime, "big.tar", big.sha256, dest, ["--cache-dir", cache]);
        if (cached.code !== 0) throw new Error(`fetch-model --cache-dir failed: ${cached.stderr}`);
        times.push(cached.seconds);
        if (times === cacheHit) cacheHitPeak = Math.max(cacheHitPeak, cached.peakRssMb ?? 0);
        rmSync(path.join(dir, "cached"), { recursive: true });
      }
      rmSync(cache, { recursive: true });
      line.push(`with a cache: miss ${cacheMiss.at(-1)!.toFixed(2)} s, hit ${cacheHit.at(-1)!.toFixed(2)} s`);
      console.log(line.join("; "));
    }
    await server.close();

    const mb = bytes / 1024 / 1024;
    const curlS = median(curlTimes);
    console.log("");
    console.log(
      `artifact: ${mb.toFixed(0)} MB tar (random payload + default model), ${opts.rounds} rounds, medians`,
    );
    console.log(`curl -o                        ${curlS.toFixed(2)} s  ${(mb / curlS).toFixed(0)} MB/s`);
    for (const [i, { label }] of runtimes.entries()) {
      const result = results[i]!;
      const fetchS = median(result.times);
      const fixedS = median(result.fixed);
      const ratio = curlS / fetchS;
      console.log("");
      console.log(
        `${label} (download+sha256+unpack+checks) ${fetchS.toFixed(2)} s  ${(mb / fetchS).toFixed(0)} MB/s`,
      );
      console.log(`  of which fixed cost (process start + model check, bare model): ${fixedS.toFixed(2)} s`);
      console.log(
        `  throughput ratio to curl: ${ratio.toFixed(2)} (target >= 0.80) ${ratio >= 0.8 ? "OK" : "BELOW TARGET"}`,
      );
      console.log(`  without the fixed cost: ${(curlS / Math.max(0.001, fetchS - fixedS)).toFixed(2)}`);
      console.log(
        `  peak RSS: ${result.peak.toFixed(0)} MB (target < 100 MB) ${result.peak < 100 ? "OK" : "ABOVE TARGET"}; ` +
          `on the bare model: ${result.barePeak.toFixed(0)} MB`,
      );
    }
    console.log("");
    console.log(
      `fetch-model --cache-dir: miss ${median(cacheMiss).toFixed(2)} s (download into the cache, then copy out), ` +
        `hit ${median(cacheHit).toFixed(2)} s (copy out while checking the manifest; ` +
        `${(curlS / median(cacheHit)).toFixed(2)}x curl's throughput), hit peak RSS ${cacheHitPeak.toFixed(0)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
