// `vigil restore <backup> --to <db-url>`: the same verify-then-pg_restore as `vigil-runtime
// restore` (one implementation, runtime/backup/restore-backup.ts), run from a workstation that
// can reach both the backup and the database.
import type { Command } from "commander";
import type { BackupFlags } from "../../runtime/backup/backup-command.js";
import { withS3Flags } from "./s3-flags.js";

export function registerRestore(program: Command): void {
  withS3Flags(
    program
      .command("restore")
      .description("verify a backup's checksums and restore its decision log into a database")
      .argument("<backup>", "<directory>/<name> or s3://bucket/prefix/<name> (see `vigil backups list`)")
      .requiredOption("--to <database-url>", "target database, e.g. postgres://user:pass@host/db")
      .option("--force", "restore into a database that already holds tables, replacing the decision log"),
  ).action(async (backup: string, flags: BackupFlags & { to: string; force?: boolean }) => {
    const { runRestore } = await import("../../runtime/backup/backup-command.js");
    await runRestore({ ...flags, from: backup }, process.env, (line) => process.stdout.write(`${line}\n`));
  });
}
