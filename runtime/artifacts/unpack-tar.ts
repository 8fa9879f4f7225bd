// .tar, .tar.gz and .tgz, read with node-tar (npm `tar`, the npm CLI's own extractor). Every
// entry passes EntryGate first; node-tar's own path and symlink protections stay on as a
// second line, and anything it would only warn about fails the fetch instead.
import { createReadStream } from "node:fs";
import * as tar from "tar";
import { ArtifactError } from "./artifact-error.js";
import { EntryGate, type UnpackLimits } from "./archive-rules.js";
import type { Deadline } from "./deadline.js";
import { GarbageBound } from "./garbage-bound.js";

const CONTENT_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "GNUDumpDir"]);
const LINK_TYPES = new Set(["SymbolicLink", "Link"]);

export async function unpackTar(
  archive: string,
  target: string,
  limits: UnpackLimits,
  deadline: Deadline,
): Promise<void> {
  const gate = new EntryGate(limits);
  const source = createReadStream(archive, { highWaterMark: 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    // A refusal stops reading at once but settles only when node-tar has finished the writes it
    // already started: rejecting earlier lets the caller remove the staging directory while
    // files are still being created in it.
    let refusal: ArtifactError | undefined;
    const fail = (error: unknown): void => {
      if (refusal) return;
      refusal =
        error instanceof ArtifactError
          ? error
          : deadline.signal.aborted
            ? deadline.error()
            : new ArtifactError(
                "ArtifactInvalid",
                `archive: not a readable tar archive (${(error as Error).message})`,
              );
      source.unpipe(unpack);
      source.destroy();
      unpack.end();
    };
    const settle = (): void => (refusal ? reject(refusal) : resolve());
    const unpack = new tar.Unpack({
      cwd: target,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      dmode: 0o755,
      fmode: 0o644,
      noMtime: true,
      filter: (entryPath, entry) => {
        if (refusal) return false;
        try {
          const type = "type" in entry ? entry.type : "File";
          if (!CONTENT_TYPES.has(type) && !LINK_TYPES.has(type))
            throw new ArtifactError(
              "ArtifactInvalid",
              `archive: entry '${entryPath}' is a ${type}, not a file`,
            );
          const linkpath = "linkpath" in entry ? entry.linkpath : undefined;
          gate.admit({
            name: entryPath,
            size: "size" in entry ? entry.size : 0,
            ...(LINK_TYPES.has(type) && { link: { target: String(linkpath ?? ""), hard: type === "Link" } }),
          });
          // Model files are data: never keep set-uid or executable bits from the archive.
          if ("mode" in entry) entry.mode = type === "Directory" || type === "GNUDumpDir" ? 0o755 : 0o644;
          deadline.check();
          return true;
        } catch (error) {
          fail(error);
          return false;
        }
      },
      onwarn: (code, message) => {
        if (code !== "TAR_ENTRY_INFO") fail(new ArtifactError("ArtifactInvalid", `archive: ${message}`));
      },
    });
    unpack.on("error", fail);
    // node-tar emits "close" once the input has ended and its last pending write is done.
    unpack.on("close", settle);
    source.on("error", fail);
    const garbage = new GarbageBound();
    source.on("data", (chunk: Buffer | string) => garbage.streamed(chunk.length));
    // Past the deadline nothing is waited for: the process is about to exit with the reason.
    deadline.signal.addEventListener(
      "abort",
      () => {
        fail(deadline.error());
        reject(refusal);
      },
      { once: true },
    );
    source.pipe(unpack);
  });
}
