// manifest.json: what a backup holds and how to check it. It is written last, so its presence
// (parsed, and every file it lists present at the listed size) is what makes a backup complete.
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = "vigil-backup/v1";

export interface BackupFileEntry {
  /** Relative to the backup, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  /** The ModerationService it was taken for, when known. */
  service?: { namespace?: string; name: string };
  vigilVersion: string;
  startedAt: string;
  completedAt: string;
  postgres: { serverVersion: string; pgDumpVersion: string };
  /** The decision log as of the dump's snapshot: the counts and range restore must reproduce. */
  decisions: { rows: number; oldest: string | null; newest: string | null };
  tables: Record<string, number>;
  model?: ModelManifest;
  files: BackupFileEntry[];
}

export interface ModelManifest {
  name: string;
  version: string;
  uri: string;
  sha256?: string;
}

export class InvalidBackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidBackupError";
  }
}

const isString = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Parses and checks the shape of manifest.json; throws InvalidBackupError naming the field. */
export function parseManifest(text: string, where: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidBackupError(`${where}: manifest.json is not valid JSON (truncated or corrupted)`);
  }
  const m = raw as Partial<BackupManifest> | null;
  const bad = (field: string) =>
    new InvalidBackupError(`${where}: manifest.json ${field} is missing or invalid`);
  if (!m || typeof m !== "object") throw bad("(document)");
  if (m.format !== MANIFEST_FORMAT) throw bad(`format (want ${MANIFEST_FORMAT})`);
  if (!isString(m.name) || !m.name) throw bad("name");
  if (!isString(m.startedAt) || Number.isNaN(Date.parse(m.startedAt))) throw bad("startedAt");
  if (!isString(m.completedAt) || Number.isNaN(Date.parse(m.completedAt))) throw bad("completedAt");
  if (!m.decisions || !isCount(m.decisions.rows)) throw bad("decisions.rows");
  if (!m.tables || typeof m.tables !== "object" || !Object.values(m.tables).every(isCount))
    throw bad("tables");
  if (!m.postgres || !isString(m.postgres.serverVersion) || !isString(m.postgres.pgDumpVersion))
    throw bad("postgres");
  if (!Array.isArray(m.files) || m.files.length === 0) throw bad("files");
  for (const f of m.files) {
    const entry = f as Partial<BackupFileEntry>;
    const safe = isString(entry.path) && !entry.path.split("/").includes("..") && !entry.path.startsWith("/");
    if (!safe || !isCount(entry.size) || !isString(entry.sha256) || !/^[0-9a-f]{64}$/.test(entry.sha256))
      throw bad(`files entry ${JSON.stringify(entry.path)}`);
  }
  return m as BackupManifest;
}

export function totalSize(manifest: BackupManifest): number {
  return manifest.files.reduce((sum, f) => sum + f.size, 0);
}
