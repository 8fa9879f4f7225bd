// The canonical manifest of a model directory, so a directory (a PVC, or files fetched one by
// one) has one sha256 like an archive does. For every regular file under the directory, with
// its path relative to the directory ('/'-separated, no leading './'), sorted by the UTF-8
// bytes of that path, one line:
//     <sha256 hex of the content>  <size in bytes>  <relative path>\n
// (two spaces between fields). The directory's digest is the sha256 of these lines
// concatenated. Directories themselves are not listed, so empty ones do not count. Symbolic
// links are followed when they resolve inside the directory and refused otherwise.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ArtifactError } from "./artifact-error.js";
import type { Deadline } from "./deadline.js";

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

async function fileSha256(file: string, deadline: Deadline | undefined): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash, deadline ? { signal: deadline.signal } : {});
  return hash.digest("hex");
}

export async function manifestEntries(dir: string, deadline?: Deadline): Promise<ManifestEntry[]> {
  const files: string[] = [];
  await listFiles(dir, await realpath(dir), "", files);
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries: ManifestEntry[] = [];
  for (const rel of files) {
    const full = path.join(dir, rel);
    entries.push({ path: rel, size: (await stat(full)).size, sha256: await fileSha256(full, deadline) });
  }
  return entries;
}

export function manifestText(entries: readonly ManifestEntry[]): string {
  return entries.map((e) => `${e.sha256}  ${e.size}  ${e.path}\n`).join("");
}

/** The directory's sha256: the digest of its canonical manifest. */
export async function directoryDigest(dir: string, deadline?: Deadline): Promise<string> {
  const text = manifestText(await manifestEntries(dir, deadline));
  return createHash("sha256").update(text, "utf8").digest("hex");
}
