// `vigil-runtime fetch-model`: deliver a verified model directory or fail with one reason.
// http(s): download (http-download.ts), check sha256, unpack into a staging directory next to
// the destination, run the runtime's model checks, then rename the staging directory onto
// the destination, so a half-fetched model never sits where the runtime looks. With a model
// cache (model-cache.ts) the same happens inside the cache, and the destination gets a copy.
// --verify-dir: check a directory someone else provided (a pvc:// mount, an OCI modelcar copy).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ArtifactError } from "./artifact-error.js";
import type { UnpackLimits } from "./archive-rules.js";
import type { Deadline } from "./deadline.js";
import { copyWithManifest, directoryDigest, manifestText } from "./dir-manifest.js";
import { downloadToFile, NotFound, type DownloadOptions } from "./http-download.js";
import { ModelCache } from "./model-cache.js";
import { sourceShape, type ArchiveFormat, type SourceShape } from "./source-shape.js";

export interface FetchOptions {
  deadline: Deadline;
  /** Expected lower-case hex digest; when absent the digest is only reported. */
  sha256?: string | undefined;
  limits: UnpackLimits;
  download: Omit<DownloadOptions, "deadline" | "maxBytes">;
  /** The shared model cache's directory; entries are keyed by `sha256`, which it requires. */
  cacheDir?: string | undefined;
}

export interface Verified {
  sha256: string;
  dir: string;
}

function checkDigest(expected: string | undefined, actual: string, what: string): void {
  if (expected !== undefined && expected.toLowerCase() !== actual) {
    throw new ArtifactError(
      "ArtifactChecksumMismatch",
      `${what}: sha256 is ${actual}, expected ${expected.toLowerCase()}`,
    );
  }
}

// The unpackers and the model checks (tokenizer library included) load when they are needed:
// every module loaded before the download adds to the init container's peak memory.
async function unpack(
  format: ArchiveFormat,
  archive: string,
  target: string,
  options: FetchOptions,
): Promise<void> {
  if (format === "zip") {
    const { unpackZip } = await import("./unpack-zip.js");
    await unpackZip(archive, target, options.limits, options.deadline);
  } else {
    const { unpackTar } = await import("./unpack-tar.js");
    await unpackTar(archive, target, options.limits, options.deadline);
  }
}

async function checkModelDirectory(dir: string, options: { relative: boolean }): Promise<void> {
  const { checkModelDirectory: check } = await import("./model-check.js");
  await check(dir, options);
}

/** An archive of one top-level directory (`tar czf m.tgz model/`) holds the model in that directory. */
async function modelRoot(dir: string): Promise<string> {
  const names = await readdir(dir);
  if (names.length === 1) {
    const only = path.join(dir, names[0]!);
    if ((await stat(only)).isDirectory() && !existsSync(path.join(dir, "config.json"))) return only;
  }
  return dir;
}

async function fetchFiles(
  files: { url: string; name: string; required: boolean }[],
  target: string,
  options: FetchOptions,
): Promise<void> {
  let budget = options.limits.maxBytes;
  for (const file of files) {
    try {
      const { bytes } = await downloadToFile(file.url, path.join(target, file.name), {
        ...options.download,
        deadline: options.deadline,
        maxBytes: budget,
      });
      budget -= bytes;
    } catch (error) {
      if (error instanceof NotFound && !file.required) continue;
      if (error instanceof NotFound)
        throw new ArtifactError("ArtifactUnreachable", `${error.message} (required file ${file.name})`);
      throw error;
    }
  }
}

/** Moves the verified directory onto `dest`; a mount point is emptied and filled instead of replaced. */
async function publish(root: string, dest: string): Promise<void> {
  try {
    await rm(dest, { recursive: true, force: true });
    await rename(root, dest);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EBUSY" && code !== "EXDEV" && code !== "EPERM" && code !== "ENOTEMPTY") throw error;
  }
  for (const name of await readdir(dest)) await rm(path.join(dest, name), { recursive: true, force: true });
  for (const name of await readdir(root)) await rename(path.join(root, name), path.join(dest, name));
}

/** An attempt killed mid-way (OOM, node drain) leaves its staging files on the emptyDir. */
async function removeLeftovers(parent: string, name: string): Promise<void> {
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(`.partial-${name}.`) || entry.startsWith(`.download-${name}.`)) {
      await rm(path.join(parent, entry), { recursive: true, force: true });
    }
  }
}

/** Where one fetch downloads the artifact and unpacks it: two new paths on the same volume. */
interface WorkPaths {
  download: string;
  unpacked: string;
}

/** Downloads, verifies the digest, unpacks and runs the model checks; the model is at `root`. */
async function fetchVerified(
  shape: SourceShape,
  work: WorkPaths,
  options: FetchOptions,
): Promise<{ digest: string; root: string }> {
  await mkdir(work.unpacked);
  let digest: string;
  // Freeing a large archive's blocks takes the kernel a while: let it overlap the checks.
  let removingArchive = Promise.resolve();
  if (shape.kind === "archive") {
    ({ sha256: digest } = await downloadToFile(shape.url, work.download, {
      ...options.download,
      deadline: options.deadline,
      maxBytes: options.limits.maxBytes,
    }));
    checkDigest(options.sha256, digest, "archive");
    await unpack(shape.format, work.download, work.unpacked, options);
    removingArchive = rm(work.download, { force: true });
  } else {
    await fetchFiles(shape.files, work.unpacked, options);
    digest = await directoryDigest(work.unpacked, options.deadline);
    checkDigest(options.sha256, digest, "model directory manifest");
  }
  try {
    options.deadline.check();
    const root = await modelRoot(work.unpacked);
    await checkModelDirectory(root, { relative: true });
    options.deadline.check();
    return { digest, root };
  } finally {
    await removingArchive;
  }
}

/**
 * Fills `staging` from the cache entry of `sha256`, or on a miss fetches into the cache first.
 * Returns the artifact's digest.
 */
async function fetchThroughCache(
  shape: SourceShape,
  cacheDir: string,
  staging: string,
  options: FetchOptions,
): Promise<string> {
  const { sha256, deadline } = options;
  if (sha256 === undefined) throw new Error("a model cache needs the artifact's sha256");
  if (!existsSync(cacheDir))
    throw new ArtifactError(
      "ArtifactUnreachable",
      `${cacheDir}: no such directory (is the model cache volume mounted?)`,
    );
  const cache = new ModelCache(cacheDir, options.download.log);
  await cache.removeLeftovers();
  if (await cache.copyOut(sha256, staging, deadline, shape.kind === "files")) {
    // The entry passed these checks when it was stored; a newer runtime may check more.
    await checkModelDirectory(staging, { relative: true });
    return sha256;
  }
  const partial = await cache.newPartial();
  try {
    const unpacked = path.join(partial, "unpacked");
    const { digest, root } = await fetchVerified(
      shape,
      { download: path.join(partial, "download"), unpacked },
      options,
    );
    const model = path.join(partial, "model");
    await rename(root, model);
    await rm(unpacked, { recursive: true, force: true });
    const manifest = manifestText(await copyWithManifest(model, staging, deadline));
    deadline.check();
    await cache.publish(partial, sha256, manifest);
    return digest;
  } finally {
    // Gone already when it became the entry.
    await rm(partial, { recursive: true, force: true });
  }
}

export async function fetchHttpModel(uri: string, dest: string, options: FetchOptions): Promise<Verified> {
  const shape = sourceShape(uri);
  const parent = path.dirname(path.resolve(dest));
  await mkdir(parent, { recursive: true });
  await removeLeftovers(parent, path.basename(dest));
  const tag = `${path.basename(dest)}.${randomBytes(4).toString("hex")}`;
  const staging = path.join(parent, `.partial-${tag}`);
  const download = path.join(parent, `.download-${tag}`);
  try {
    if (options.cacheDir !== undefined) {
      const digest = await fetchThroughCache(shape, options.cacheDir, staging, options);
      await publish(staging, path.resolve(dest));
      return { sha256: digest, dir: path.resolve(dest) };
    }
    const { digest, root } = await fetchVerified(shape, { download, unpacked: staging }, options);
    await publish(root, path.resolve(dest));
    return { sha256: digest, dir: path.resolve(dest) };
  } finally {
    // A cleanup failure must not replace the reason the fetch failed; whatever is left is
    // removed by the next attempt (removeLeftovers) and is never published.
    await rm(download, { force: true }).catch(() => undefined);
    await rm(staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

export async function verifyModelDirectory(
  dir: string,
  options: Pick<FetchOptions, "deadline" | "sha256">,
): Promise<Verified> {
  if (!existsSync(dir))
    throw new ArtifactError("ArtifactUnreachable", `${dir}: no such directory (is the volume mounted?)`);
  const digest = await directoryDigest(dir, options.deadline);
  checkDigest(options.sha256, digest, `${dir} manifest`);
  options.deadline.check();
  await checkModelDirectory(dir, { relative: false });
  return { sha256: digest, dir };
}
