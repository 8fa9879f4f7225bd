// Which backups retention removes. Complete backups older than the retention window go,
// except the newest complete one, which is kept whatever its age (a service whose backups
// have been failing for a month still has one to restore). Incomplete backups (interrupted,
// failed, corrupted) never count as the one to keep; they are removed once older than the
// window or than a day, whichever is shorter: no backup runs for a day, so one that old is dead.
import type { StoredBackup } from "./backup-store.js";
import { timeOfBackupName } from "./backup-name.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export class InvalidRetentionError extends Error {}

/** `30d`, `4w`, `6m` (calendar months) -> the cutoff: backups before it are expired. */
export function retentionCutoff(retention: string, now: Date): Date {
  const match = /^([1-9][0-9]*)([dwm])$/.exec(retention);
  if (!match)
    throw new InvalidRetentionError(`retention "${retention}" must be a number and d, w or m, e.g. 30d`);
  const n = Number(match[1]);
  const cutoff = new Date(now);
  if (match[2] === "m") cutoff.setUTCMonth(cutoff.getUTCMonth() - n);
  else cutoff.setTime(now.getTime() - n * (match[2] === "w" ? 7 : 1) * DAY_MS);
  return cutoff;
}

/** When a backup was taken: its manifest, else the time in its name, else its files. */
function takenAt(backup: StoredBackup): Date {
  if (backup.manifest) return new Date(backup.manifest.completedAt);
  return timeOfBackupName(backup.name) ?? backup.modifiedAt;
}

export function backupsToPrune(backups: readonly StoredBackup[], retention: string, now: Date): string[] {
  const cutoff = retentionCutoff(retention, now);
  const incompleteCutoff = new Date(Math.max(cutoff.getTime(), now.getTime() - DAY_MS));
  const complete = backups
    .filter((b) => b.manifest)
    .sort((a, b) => takenAt(b).getTime() - takenAt(a).getTime());
  const newest = complete[0];
  return backups
    .filter((b) => {
      if (!b.manifest) return b.modifiedAt < incompleteCutoff && takenAt(b) < incompleteCutoff;
      return b !== newest && takenAt(b) < cutoff;
    })
    .map((b) => b.name)
    .sort();
}
