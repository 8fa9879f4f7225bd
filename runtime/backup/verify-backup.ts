// Before anything is restored: the manifest parses and every file it lists has its size and
// sha256. A truncated or corrupted backup is refused with one line naming the file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileDigest } from "./checksum.js";
import { InvalidBackupError, MANIFEST_FILE, parseManifest, type BackupManifest } from "./manifest.js";

export async function verifyBackup(dir: string, name: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), "utf8");
  } catch {
    throw new InvalidBackupError(`${name}: no manifest.json: the backup is incomplete`);
  }
  const manifest = parseManifest(text, name);
  for (const file of manifest.files) {
    let digest;
    try {
      digest = await fileDigest(path.join(dir, file.path));
    } catch {
      throw new InvalidBackupError(`${name}: ${file.path} is missing`);
    }
    if (digest.size !== file.size)
      throw new InvalidBackupError(
        `${name}: ${file.path} is ${digest.size} bytes, the manifest says ${file.size} (truncated?)`,
      );
    if (digest.sha256 !== file.sha256)
      throw new InvalidBackupError(
        `${name}: ${file.path} does not match its sha256 in the manifest (corrupted)`,
      );
  }
  return manifest;
}
