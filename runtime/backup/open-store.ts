// A destination string to its store: `s3://bucket/prefix` or a directory path.
import path from "node:path";
import type { BackupStore } from "./backup-store.js";
import { DirectoryStore } from "./directory-store.js";
import { S3Store, type S3Options } from "./s3-store.js";

export function isS3Location(location: string): boolean {
  return location.startsWith("s3://");
}

/** S3 settings from the environment the backup Job gets (flags override them). */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv): S3Options {
  return {
    ...(env.VIGIL_S3_ENDPOINT && { endpoint: env.VIGIL_S3_ENDPOINT }),
    ...(env.VIGIL_S3_REGION && { region: env.VIGIL_S3_REGION }),
    ...(env.VIGIL_S3_FORCE_PATH_STYLE && { forcePathStyle: env.VIGIL_S3_FORCE_PATH_STYLE === "true" }),
  };
}

export function openStore(location: string, s3: S3Options = {}): BackupStore {
  return isS3Location(location) ? new S3Store(location, s3) : new DirectoryStore(path.resolve(location));
}

/** One backup's location (`<destination>/<name>`) to its store and name. */
export function splitBackupLocation(location: string): { destination: string; name: string } {
  const trimmed = location.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return { destination: ".", name: trimmed };
  if (isS3Location(trimmed) && slash < "s3://".length + 1)
    throw new Error(`${location} names a bucket, not a backup in it`);
  return { destination: trimmed.slice(0, slash) || "/", name: trimmed.slice(slash + 1) };
}
