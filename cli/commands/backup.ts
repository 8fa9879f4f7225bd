// `vigil backup <service> [--wait]`: asks the operator for a backup now by setting the
// moderation.vigil.dev/backup-now annotation to a new value; with --wait, follows the Job the
// operator created for that value until it finishes and exits non-zero if the backup failed.
import type { Command } from "commander";
import type { ModerationService } from "../../crds/index.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { isNotFound } from "../../operator/core/errors.js";
import { ANNOTATION } from "../../operator/desired/labels.js";
import { connect } from "../connection.js";

type LiveService = ModerationService & KubeObject;
interface LiveJob extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const POLL_MS = 1000;

async function until<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export function registerBackup(program: Command): void {
  program
    .command("backup")
    .description("take a backup of a ModerationService now (the operator runs its backup Job)")
    .argument("<service>", "ModerationService name")
    .option("--wait", "wait for the backup to finish; exit 1 if it failed")
    .option("--timeout <seconds>", "with --wait, give up after this long", "3600")
    .action(async (name: string, flags: { wait?: boolean; timeout: string }, command: Command) => {
      const { client, namespace } = connect(command);
      let service: LiveService;
      try {
        service = await client.get<LiveService>(Kinds.ModerationService, name, namespace);
      } catch (err) {
        if (isNotFound(err)) throw new Error(`ModerationService ${name} not found in namespace ${namespace}`);
        throw err;
      }
      if (!service.spec.backup)
        throw new Error(`ModerationService ${name} has no spec.backup: nothing to run`);
      // A new value each time: the operator acts once per value.
      const value = new Date().toISOString();
      await client.patch(
        Kinds.ModerationService,
        { name, namespace },
        {
          metadata: { annotations: { [ANNOTATION.backupNow]: value } },
        },
      );
      process.stdout.write(`backup of ${namespace}/${name} requested (${ANNOTATION.backupNow}=${value})\n`);
      if (!flags.wait) return;

      const seconds = Number(flags.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw new Error(`--timeout ${flags.timeout} is not a number of seconds`);
      const deadline = Date.now() + seconds * 1000;
      const jobName = await until("the operator to create the backup Job", deadline, async () => {
        const s = await client.get<LiveService>(Kinds.ModerationService, name, namespace);
        return s.status?.backupNow?.handled === value ? s.status.backupNow.job : undefined;
      });
      process.stdout.write(`Job ${jobName} started\n`);
      const outcome = await until(`Job ${jobName} to finish`, deadline, async () => {
        const job = await client.get<LiveJob>(Kinds.Job, jobName, namespace);
        return job.status?.conditions?.find(
          (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
        );
      });
      // The operator's reading of the Job (with the container's reason) is in the service's status.
      const condition = await until("the operator to record the outcome", deadline, async () => {
        const s = await client.get<LiveService>(Kinds.ModerationService, name, namespace);
        return s.status?.lastBackup?.name === jobName
          ? s.status.conditions?.find((c) => c.type === "BackupSucceeded")
          : undefined;
      });
      if (outcome.type === "Failed")
        throw new Error(`backup failed (${condition.reason}): ${condition.message}`);
      process.stdout.write(`backup succeeded: ${condition.message}\n`);
    });
}
