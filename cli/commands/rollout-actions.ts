// `vigil promote|abort|rollback|retry <name>`: manual rollout control. Each sets its
// annotation on the ModerationService to a new unique value (the operator acts once per
// value and records it in status.rollout.handled); with --wait the command waits for that
// record and prints the outcome. Only metadata is written, never spec.
import { InvalidArgumentError, type Command } from "commander";
import type { ModerationServiceStatus } from "../../crds/index.js";
import { ROLLOUT_ANNOTATION, type RolloutAction } from "../../operator/controllers/rollout/annotations.js";
import { isNotFound } from "../../operator/core/errors.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { connect } from "../connection.js";

type Service = KubeObject & { status?: ModerationServiceStatus };

const DESCRIPTIONS: Record<RolloutAction, string> = {
  promote: "promote the verified preview revision now (skips the wait; needed when autoPromotion is false)",
  abort: "stop the rollout: traffic stays on the active revision, the preview is scaled to zero",
  rollback: "after a promotion: move traffic back to the retained previous revision",
  retry: "roll out a revision that was rolled back before, without changing the spec",
};

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number of seconds");
  return n;
}

function registerAction(program: Command, action: RolloutAction): void {
  program
    .command(action)
    .description(DESCRIPTIONS[action])
    .argument("<name>", "ModerationService name")
    .option("--wait", "wait until the operator has acted on it and print the outcome")
    .option("--timeout <seconds>", "how long --wait waits", parseSeconds, 120)
    .action(async (name: string, options: { wait?: boolean; timeout: number }, command: Command) => {
      const { client, namespace } = connect(command);
      const value = `${new Date().toISOString()}-${Math.random().toString(36).slice(2, 8)}`;
      try {
        await client.patch(
          Kinds.ModerationService,
          { name, namespace },
          { metadata: { annotations: { [ROLLOUT_ANNOTATION[action]]: value } } },
        );
      } catch (err) {
        if (isNotFound(err)) throw new Error(`ModerationService ${name} not found in namespace ${namespace}`);
        throw err;
      }
      if (!options.wait) {
        process.stdout.write(
          `${action} requested for ${namespace}/${name} (${ROLLOUT_ANNOTATION[action]}=${value})\n`,
        );
        return;
      }
      const deadline = Date.now() + options.timeout * 1000;
      for (;;) {
        const service = await client.get<Service>(Kinds.ModerationService, name, namespace);
        const rollout = service.status?.rollout;
        if (rollout?.handled?.[action] === value) {
          process.stdout.write(`${action} done: ${rollout.phase}: ${rollout.message ?? ""}\n`);
          return;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `the operator has not acted on ${action} within ${options.timeout}s (phase ${rollout?.phase ?? "unknown"}: ${rollout?.message ?? ""})`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    });
}

export function registerRolloutActions(program: Command): void {
  for (const action of ["promote", "abort", "rollback", "retry"] as const) registerAction(program, action);
}
