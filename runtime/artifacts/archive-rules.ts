// What an archive may contain, for every format: relative paths that stay inside the target,
// links that point inside it and are never written through, and at most maxBytes / maxFiles
// of content, counted from the entries as they are read (a zip bomb fails before it fills the
// disk).
import path from "node:path";
import { ArtifactError } from "./artifact-error.js";

export interface UnpackLimits {
  /** Total bytes of all unpacked files. */
  maxBytes: number;
  /** Number of entries (files, directories, links). */
  maxFiles: number;
}

function invalid(message: string): ArtifactError {
  return new ArtifactError("ArtifactInvalid", `archive: ${message}`);
}

/** The entry's path, normalised; throws ArtifactInvalid for absolute paths and '..'. */
export function safeEntryPath(name: string): string {
  if (name.includes("\0")) throw invalid(`entry name contains a NUL byte`);
  const unix = name.replaceAll("\\", "/");
  if (unix.startsWith("/") || /^[A-Za-z]:/.test(unix)) throw invalid(`absolute path '${name}'`);
  const segments = unix.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw invalid(`path '${name}' contains '..'`);
  return segments.join("/");
}

/** Tracks one archive's entries against the limits and the link rules. */
export class EntryGate {
  private files = 0;
  private bytes = 0;
  private readonly links = new Set<string>();

  constructor(private readonly limits: UnpackLimits) {}

  /** Checks one entry before anything is written; returns its safe relative path. */
  admit(entry: { name: string; size: number; link?: { target: string; hard: boolean } }): string {
    const relative = safeEntryPath(entry.name);
    this.files += 1;
    if (this.files > this.limits.maxFiles) {
      throw new ArtifactError("ArtifactTooLarge", `archive: more than ${this.limits.maxFiles} entries`);
    }
    this.bytes += entry.size;
    if (this.bytes > this.limits.maxBytes) {
      throw new ArtifactError(
        "ArtifactTooLarge",
        `archive: unpacks to more than ${this.limits.maxBytes} bytes (the limit, spec.model.source.size)`,
      );
    }
    // An entry under a link would be written wherever the link points.
    const parts = relative.split("/");
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (this.links.has(prefix)) throw invalid(`entry '${entry.name}' is inside the link '${prefix}'`);
    }
    if (entry.link) {
      const { target, hard } = entry.link;
      if (target.startsWith("/") || /^[A-Za-z]:/.test(target))
        throw invalid(`link '${entry.name}' points to the absolute path '${target}'`);
      // Hard link targets are archive paths; symlink targets are relative to the link's directory.
      const resolved = hard
        ? path.posix.normalize(target)
        : path.posix.normalize(path.posix.join(path.posix.dirname(relative), target));
      if (resolved === ".." || resolved.startsWith("../"))
        throw invalid(`link '${entry.name}' points out of the model directory ('${target}')`);
      this.links.add(relative);
    }
    return relative;
  }

  /** Counts bytes actually read, for formats whose declared sizes could lie. */
  get totalBytes(): number {
    return this.bytes;
  }
}
