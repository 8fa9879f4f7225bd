// `vigil backups list <destination>`: what a backup directory or bucket holds, complete or not.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { BackupFlags } from "../../runtime/backup/backup-command.js";
import { withS3Flags } from "./s3-flags.js";

export function registerBackups(program: Command): void {
  const backups = program.command("backups").description("inspect backups at a destination");
  withS3Flags(
    backups
      .command("list")
      .description("list the backups at a destination: name, complete or not, time, size, decisions")
      .argument("<destination>", "a backup directory (e.g. a mounted PVC) or s3://bucket/prefix"),
  ).action(async (destination: string, flags: BackupFlags) => {
    const [{ s3Options }, { openStore }, { describeBackups }] = await Promise.all([
      import("../../runtime/backup/backup-command.js"),
      import("../../runtime/backup/open-store.js"),
      import("../../runtime/backup/list-backups.js"),
    ]);
    // A backup job lists a directory it has yet to create; a person listing one means a typo.
    if (!destination.startsWith("s3://") && !existsSync(destination)) {
      throw new Error(`${destination} does not exist`);
    }
    const listed = await openStore(destination, s3Options(flags, process.env)).list();
    for (const line of describeBackups(listed)) process.stdout.write(`${line}\n`);
  });
}
