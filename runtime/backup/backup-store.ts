// Where backups live: a directory (a PVC mounted in the backup Job) or an S3-compatible
// bucket. Both publish the same way: the files first, manifest.json last, so a backup
// interrupted at any point has no manifest and never looks complete.
import type { BackupManifest } from "./manifest.js";

export interface StoredBackup {
  name: string;
  /** Present only when the backup is complete: manifest parsed, every file there at its size. */
  manifest?: BackupManifest;
  /** Why the backup is not complete (interrupted, corrupted manifest, missing file). */
  problem?: string;
  /** Newest modification of anything in it: the age of an incomplete backup. */
  modifiedAt: Date;
}

export interface OpenedBackup {
  /** A local directory holding the backup's files. */
  dir: string;
  release(): Promise<void>;
}

export interface BackupStore {
  /** `/backups` or `s3://bucket/prefix`, for messages. */
  readonly location: string;
  list(): Promise<StoredBackup[]>;
  /** A local directory to write a new backup's files into. */
  stage(name: string): Promise<string>;
  /** Makes a staged backup visible under `name`, its manifest last; the staging directory is consumed. */
  publish(name: string, stagingDir: string, manifest: BackupManifest): Promise<void>;
  /** Removes a staging directory after a failure. */
  discard(stagingDir: string): Promise<void>;
  open(name: string): Promise<OpenedBackup>;
  /** Removes a backup, its manifest first so a half-removed backup is never taken as complete. */
  remove(name: string): Promise<void>;
}

export class BackupNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupNotFoundError";
  }
}

/** Checks a manifest's file list against what the store holds (presence and size). */
export function missingOrWrongSize(
  manifest: BackupManifest,
  sizes: ReadonlyMap<string, number>,
): string | undefined {
  for (const file of manifest.files) {
    const size = sizes.get(file.path);
    if (size === undefined) return `${file.path} is missing`;
    if (size !== file.size) return `${file.path} is ${size} bytes, manifest says ${file.size}`;
  }
  return undefined;
}
