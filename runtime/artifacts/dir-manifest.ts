// The canonical manifest of a model directory, so a directory (a PVC, or files fetched one by
// one) has one sha256 like an archive does. For every regular file under the directory, with
// its path relative to the directory ('/'-separated, no leading './'), sorted by the UTF-8
// bytes of that path, one line:
//     <sha256 hex of the content>  <size in bytes>  <relative path>\n
// (two spaces between fields). The directory's digest is the sha256 of these lines
// concatenated. Directories themselves are not listed, so empty ones do not count. Symbolic
// links are followed when they resolve inside the directory and refused otherwise.
// copyWithManifest computes the same lines while copying the directory, reading each file once
// (the model cache copies entries out and checks them in the same pass).
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ArtifactError } from "./artifact-error.js";
import type { Deadline } from "./deadline.js";
import { GarbageBound } from "./garbage-bound.js";

/** A directory that does not match the manifest it was checked against. */
export class ManifestMismatch extends Error {}

export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

async function listFiles(root: string, realRoot: string, relative: string, out: string[]): Promise<void> {
  const here = path.join(root, relative);
  for (const name of await readdir(here)) {
    const rel = relative ? `${relative}/${name}` : name;
    const full = path.join(root, rel);
    let info = await lstat(full);
    if (info.isSymbolicLink()) {
      const resolved = await realpath(full).catch(() => undefined);
      if (!resolved || (resolved !== realRoot && !resolved.startsWith(realRoot + path.sep)))
        throw new ArtifactError("ArtifactInvalid", `${rel}: symbolic link points out of the model directory`);
      info = await stat(full);
    }
    if (info.isDirectory()) await listFiles(root, realRoot, rel, out);
    else if (info.isFile()) out.push(rel);
  }
}

/** Large reads: the default 64 KiB costs a syscall and a hash call per 64 KiB of a model. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** The file's sha256; with `copyTo`, the bytes are written there as they are hashed. */
async function fileSha256(file: string, deadline: Deadline | undefined, copyTo?: string): Promise<string> {
  const hash = createHash("sha256");
  const signal = deadline ? { signal: deadline.signal } : {};
  const source = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  const garbage = new GarbageBound();
  source.on("data", (chunk: Buffer | string) => garbage.streamed(chunk.length));
  if (copyTo === undefined) {
    await pipeline(source, hash, signal);
  } else {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      // Room for a chunk, so the next read and hash overlap this write.
      createWriteStream(copyTo, { flags: "wx", mode: 0o644, highWaterMark: READ_CHUNK_BYTES }),
      signal,
    );
  }
  return hash.digest("hex");
}

async function sortedFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  await listFiles(dir, await realpath(dir), "", files);
  return files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export async function manifestEntries(dir: string, deadline?: Deadline): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const rel of await sortedFiles(dir)) {
    const full = path.join(dir, rel);
    entries.push({ path: rel, size: (await stat(full)).size, sha256: await fileSha256(full, deadline) });
  }
  return entries;
}

/**
 * Copies every file of `dir` (links followed, as in the manifest) into `target`, which must not
 * hold them yet, and returns the manifest of what was read. `expected`, when given, is checked
 * before any byte is copied: a file missing, added or of another size stops the copy at once.
 */
export async function copyWithManifest(
  dir: string,
  target: string,
  deadline: Deadline,
  expected?: readonly ManifestEntry[],
): Promise<ManifestEntry[]> {
  const files = await sortedFiles(dir);
  const sizes = await Promise.all(files.map(async (rel) => (await stat(path.join(dir, rel))).size));
  if (expected !== undefined) {
    const listed = manifestText(files.map((rel, i) => ({ path: rel, size: sizes[i]!, sha256: "" })));
    const promised = manifestText(expected.map((e) => ({ ...e, sha256: "" })));
    if (listed !== promised) throw new ManifestMismatch("the files or their sizes differ from the manifest");
  }
  const entries: ManifestEntry[] = [];
  for (const [i, rel] of files.entries()) {
    const destination = path.join(target, rel);
    await mkdir(path.dirname(destination), { recursive: true });
    entries.push({
      path: rel,
      size: sizes[i]!,
      sha256: await fileSha256(path.join(dir, rel), deadline, destination),
    });
  }
  return entries;
}

export function manifestText(entries: readonly ManifestEntry[]): string {
  return entries.map((e) => `${e.sha256}  ${e.size}  ${e.path}\n`).join("");
}

/** The entries of a manifest written by manifestText; throws ManifestMismatch on any other text. */
export function parseManifest(text: string): ManifestEntry[] {
  if (text === "") return [];
  if (!text.endsWith("\n")) throw new ManifestMismatch("the manifest does not end with a newline");
  return text
    .slice(0, -1)
    .split("\n")
    .map((line, i) => {
      const match = /^([a-f0-9]{64}) {2}(\d+) {2}(.+)$/.exec(line);
      if (!match) throw new ManifestMismatch(`manifest line ${i + 1} is not '<sha256>  <size>  <path>'`);
      return { sha256: match[1]!, size: Number(match[2]), path: match[3]! };
    });
}

/** The directory's sha256: the digest of its canonical manifest. */
export async function directoryDigest(dir: string, deadline?: Deadline): Promise<string> {
  const text = manifestText(await manifestEntries(dir, deadline));
  return createHash("sha256").update(text, "utf8").digest("hex");
}
