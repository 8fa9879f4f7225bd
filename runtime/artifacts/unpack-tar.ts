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
/** How long a refused archive waits for node-tar to close before the refusal is reported anyway. */
const CLOSE_GRACE_MS = 5_000;

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
    // already started (its "close"): rejecting earlier lets the caller remove the staging
    // directory while files are still being created in it. An aborted parser (a broken gzip
    // stream) never closes, and neither may one whose input ends inside a bad stream, so
    // those settle at once or after a grace period; the caller's cleanup tolerates stragglers.
    let refusal: ArtifactError | undefined;
    let aborted = false;
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
      if (aborted) {
        reject(refusal);
        return;
      }
      // Not from inside node-tar's own write (a filter or its error event runs there): the
      // rest of that write would then be a write after end, thrown where nobody catches it.
      setImmediate(() => unpack.end());
      setTimeout(() => reject(refusal), CLOSE_GRACE_MS).unref();
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
    unpack.on("abort", () => {
      aborted = true;
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
