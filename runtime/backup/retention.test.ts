import { describe, expect, it } from "vitest";
import type { StoredBackup } from "./backup-store.js";
import { MANIFEST_FORMAT, type BackupManifest } from "./manifest.js";
import { backupsToPrune, retentionCutoff } from "./retention.js";

const NOW = new Date("2026-03-31T03:30:00Z");

function complete(name: string, completedAt: string): StoredBackup {
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    name,
    vigilVersion: "0.1.0",
    startedAt: completedAt,
    completedAt,
    postgres: { serverVersion: "15.14", pgDumpVersion: "15.14" },
    decisions: { rows: 1, oldest: null, newest: null },
    tables: { vigil_decisions: 1 },
    files: [{ path: "decisions.dump", size: 1, sha256: "0".repeat(64) }],
  };
  return { name, manifest, modifiedAt: new Date(completedAt) };
}

const incomplete = (name: string, modifiedAt: string): StoredBackup => ({
  name,
  problem: "no manifest.json",
  modifiedAt: new Date(modifiedAt),
});

describe("retentionCutoff", () => {
  it("counts days, weeks and calendar months back from now", () => {
    expect(retentionCutoff("30d", NOW).toISOString()).toBe("2026-03-01T03:30:00.000Z");
    expect(retentionCutoff("2w", NOW).toISOString()).toBe("2026-03-17T03:30:00.000Z");
    expect(retentionCutoff("1m", new Date("2026-03-15T00:00:00Z")).toISOString()).toBe(
      "2026-02-15T00:00:00.000Z",
    );
  });

  it("rejects anything but a positive number and d, w or m", () => {
    for (const bad of ["30", "0d", "1y", "-1d", "d", " 30d"])
      expect(() => retentionCutoff(bad, NOW)).toThrow(/retention/);
  });
});

describe("backupsToPrune", () => {
  it("keeps exactly the right set", () => {
    const backups = [
      complete("svc-20260201T030000Z", "2026-02-01T03:05:00Z"), // expired
      complete("svc-20260228T030000Z", "2026-02-28T03:05:00Z"), // expired
      complete("svc-20260301T030000Z", "2026-03-01T03:40:00Z"), // completed after the cutoff: kept
      complete("svc-20260330T030000Z", "2026-03-30T03:05:00Z"), // kept
      incomplete("svc-20260215T030000Z", "2026-02-15T03:01:00Z"), // old partial: removed
      incomplete("svc-20260330T020000Z", "2026-03-30T02:00:00Z"), // partial, over a day old: removed
      incomplete(".partial-svc-20260331T030000Z-1a2b3c4d", "2026-03-31T03:00:00Z"), // may be running: kept
    ];
    expect(backupsToPrune(backups, "30d", NOW)).toEqual([
      "svc-20260201T030000Z",
      "svc-20260215T030000Z",
      "svc-20260228T030000Z",
      "svc-20260330T020000Z",
    ]);
  });

  it("never removes the newest complete backup, however old", () => {
    const backups = [
      complete("svc-20250101T030000Z", "2025-01-01T03:05:00Z"),
      complete("svc-20250102T030000Z", "2025-01-02T03:05:00Z"),
      incomplete("svc-20260330T030000Z", "2026-03-30T03:01:00Z"),
    ];
    expect(backupsToPrune(backups, "7d", NOW)).toEqual(["svc-20250101T030000Z", "svc-20260330T030000Z"]);
  });

  it("does not let a newer incomplete backup stand in for the newest complete one", () => {
    const backups = [
      complete("svc-20250101T030000Z", "2025-01-01T03:05:00Z"),
      incomplete("svc-20260331T000000Z", "2026-03-31T00:00:00Z"),
    ];
    expect(backupsToPrune(backups, "1d", NOW)).toEqual([]);
  });

  it("removes nothing while everything is inside the window", () => {
    const backups = [
      complete("svc-20260330T030000Z", "2026-03-30T03:05:00Z"),
      complete("svc-20260331T030000Z", "2026-03-31T03:05:00Z"),
    ];
    expect(backupsToPrune(backups, "30d", NOW)).toEqual([]);
  });
});
