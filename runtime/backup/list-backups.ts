// `backups list`: every backup at a destination, complete or not, oldest first.
import type { StoredBackup } from "./backup-store.js";
import { totalSize } from "./manifest.js";

function humanSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function describeBackups(backups: readonly StoredBackup[]): string[] {
  if (backups.length === 0) return ["no backups"];
  const rows = backups.map((b) =>
    b.manifest
      ? [
          b.name,
          "complete",
          b.manifest.completedAt,
          humanSize(totalSize(b.manifest)),
          `${b.manifest.decisions.rows} decisions`,
        ]
      : [b.name, "INCOMPLETE", b.modifiedAt.toISOString(), "-", b.problem ?? ""],
  );
  const header = ["NAME", "STATE", "COMPLETED", "SIZE", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
}
