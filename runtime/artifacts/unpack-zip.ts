// .zip, read with yauzl (streams each entry from the central directory, checks declared sizes
// against the data, refuses absolute and '..' names itself). Symbolic links in a zip are
// refused outright: model exports do not contain them and their targets are easy to abuse.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { ArtifactError } from "./artifact-error.js";
import { EntryGate, type UnpackLimits } from "./archive-rules.js";
import type { Deadline } from "./deadline.js";
import { GarbageBound } from "./garbage-bound.js";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (error, zip) => {
      if (error) reject(error);
      else resolve(zip);
    });
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) reject(error);
      else resolve(stream);
    });
  });
}

function asArtifactError(error: unknown, deadline: Deadline): ArtifactError {
  if (error instanceof ArtifactError) return error;
  if (deadline.signal.aborted) return deadline.error();
  const e = error as NodeJS.ErrnoException;
  if (e.code === "EEXIST")
    return new ArtifactError("ArtifactInvalid", `archive: duplicate entry ${e.path ?? ""}`);
  return new ArtifactError("ArtifactInvalid", `archive: not a readable zip archive (${e.message})`);
}

export async function unpackZip(
  archive: string,
  target: string,
  limits: UnpackLimits,
  deadline: Deadline,
): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(archive);
  } catch (error) {
    throw asArtifactError(error, deadline);
  }
  const gate = new EntryGate(limits);
  const garbage = new GarbageBound();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", resolve);
      zip.on("entry", (entry: yauzl.Entry) => {
        void (async () => {
          deadline.check();
          const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
          if (mode === S_IFLNK)
            throw new ArtifactError(
              "ArtifactInvalid",
              `archive: '${entry.fileName}' is a symbolic link (not allowed in zip archives)`,
            );
          const relative = gate.admit({ name: entry.fileName, size: entry.uncompressedSize });
          const destination = path.join(target, relative);
          if (entry.fileName.endsWith("/")) {
            await mkdir(destination, { recursive: true });
          } else {
            await mkdir(path.dirname(destination), { recursive: true });
            const stream = await openEntry(zip, entry);
            stream.on("data", (chunk: Buffer) => garbage.streamed(chunk.length));
            await pipeline(stream, createWriteStream(destination, { flags: "wx", mode: 0o644 }), {
              signal: deadline.signal,
            });
          }
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw asArtifactError(error, deadline);
  }
}
