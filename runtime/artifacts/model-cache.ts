// The shared model cache (spec.model.source.cache.pvc, mounted at --cache-dir): verified model
// directories keyed by the artifact's sha256, so pods that share the volume download a model
// once. Layout:
//     <cache>/<sha256>/model/     the model directory, as it passed the model checks
//     <cache>/<sha256>/manifest   its canonical manifest (dir-manifest.ts)
//     <cache>/.partial-<ms>-<hex>/  an entry being filled: download, unpack, then rename
// An entry appears only by renaming a complete .partial directory onto <sha256>, so a reader on
// any pod sees all of an entry or none of it. Two pods that miss at once both fill one; the
// second rename fails because the name is taken, and that pod drops its copy. An entry is
// served only after its files, sizes and content hashes match its manifest (checked while it
// is copied out); one that does not is moved out of the way and fetched again.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Deadline } from "./deadline.js";
import { copyWithManifest, ManifestMismatch, manifestText, parseManifest } from "./dir-manifest.js";

/**
 * A .partial directory older than this belongs to a pod that died: no fetch outlives its
 * timeout, and the CRD caps timeoutSeconds at 3600.
 */
export const STALE_PARTIAL_MS = 2 * 3600 * 1000;

const PARTIAL = ".partial-";
const DISCARDED = ".discarded-";

export class ModelCache {
  constructor(
    readonly dir: string,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  entry(sha256: string): string {
    return path.join(this.dir, sha256);
  }

  /** Removes what dead pods left: stale .partial directories and discarded entries. */
  async removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const started = name.startsWith(PARTIAL) ? Number(name.slice(PARTIAL.length).split("-")[0]) : NaN;
      const stale = Number.isFinite(started) && this.now() - started > STALE_PARTIAL_MS;
      if (stale || name.startsWith(DISCARDED))
        await rm(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** A fresh directory to fill an entry in; `publish` it when complete, or remove it. */
  async newPartial(): Promise<string> {
    const dir = path.join(this.dir, `${PARTIAL}${this.now()}-${randomBytes(4).toString("hex")}`);
    await mkdir(dir);
    return dir;
  }

  /**
   * Copies the entry's model into `target` (a new directory) and checks it against the entry's
   * manifest in the same pass. Returns false, with `target` removed, when there is no entry or
   * it is damaged; a damaged entry is discarded so the next fetch fills it again.
   * `manifestIsKey`: for a directory-shaped source the key is the manifest's own digest.
   */
  async copyOut(
    sha256: string,
    target: string,
    deadline: Deadline,
    manifestIsKey: boolean,
  ): Promise<boolean> {
    const entry = this.entry(sha256);
    if (!existsSync(entry)) return false;
    try {
      const manifest = await readFile(path.join(entry, "manifest"), "utf8");
      if (manifestIsKey && sha256Of(manifest) !== sha256)
        throw new ManifestMismatch("its manifest's digest is not the key");
      const copied = await copyWithManifest(
        path.join(entry, "model"),
        target,
        deadline,
        parseManifest(manifest),
      );
      if (manifestText(copied) !== manifest)
        throw new ManifestMismatch("a file's content differs from the manifest");
      this.log(`model cache: ${sha256} found in ${this.dir} and verified`);
      return true;
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (deadline.signal.aborted) throw error;
      // Whatever stops the copy (a mismatch, a link out of the entry, a file another pod's
      // discard removed mid-copy) makes the entry one not to serve: fetch it again.
      this.log(`model cache: discarding ${sha256} (${(error as Error).message}); fetching it again`);
      await this.discard(sha256);
      return false;
    }
  }

  /** Writes the manifest into the partial directory and renames it onto the entry's name. */
  async publish(partial: string, sha256: string, manifest: string): Promise<void> {
    await writeFile(path.join(partial, "manifest"), manifest);
    try {
      await rename(partial, this.entry(sha256));
      this.log(`model cache: stored ${sha256} in ${this.dir}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      // Another pod stored the same artifact first; its entry is as good as this one.
      await rm(partial, { recursive: true, force: true });
      this.log(`model cache: ${sha256} was stored by another pod meanwhile; keeping that entry`);
    }
  }

  private async discard(sha256: string): Promise<void> {
    const aside = path.join(this.dir, `${DISCARDED}${randomBytes(4).toString("hex")}`);
    try {
      await rename(this.entry(sha256), aside);
    } catch (error) {
      // Already discarded by another pod.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return;
    }
    await rm(aside, { recursive: true, force: true });
  }
}

function sha256Of(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
