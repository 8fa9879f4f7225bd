// Backup names: `<prefix>-<UTC timestamp>`, so a listing sorts by time and a name alone says
// when the backup was taken. The prefix is the service name when the operator runs it.
const STAMP = /(\d{8}T\d{6}Z)$/;

export function backupName(prefix: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `${prefix}-${stamp}`;
}

/** The time in a backup name, or undefined for a name this module did not make. */
export function timeOfBackupName(name: string): Date | undefined {
  const match = STAMP.exec(name);
  if (!match) return undefined;
  const s = match[1]!;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const VALID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export function isValidBackupName(name: string): boolean {
  return VALID.test(name) && !name.startsWith(".");
}
