// `vigil status <name>`: where a ModerationService's rollout stands: phase, revisions, the
// quality gate's last run, the rollback if any, and the conditions. A table for people, or
// the status object as YAML or JSON for scripts.
import { InvalidArgumentError, type Command } from "commander";
import { stringify } from "yaml";
import type { Condition, ModerationServiceStatus } from "../../crds/index.js";
import { isNotFound } from "../../operator/core/errors.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { connect } from "../connection.js";

type Service = KubeObject & { status?: ModerationServiceStatus };

const FORMATS = ["table", "yaml", "json"] as const;
type Format = (typeof FORMATS)[number];

function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${FORMATS.join(", ")}`);
  }
  return value as Format;
}

function rows(pairs: [string, string | undefined][]): string {
  const shown = pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== "");
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

function conditionTable(conditions: readonly Condition[]): string {
  const header = ["TYPE", "STATUS", "REASON", "MESSAGE"];
  const lines = conditions.map((c) => [c.type, c.status, c.reason, c.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [pad(header), ...lines.map((l) => pad(l as string[]))].join("\n");
}

/** The human view of a ModerationService's status. */
export function formatStatus(
  name: string,
  namespace: string,
  status: ModerationServiceStatus | undefined,
): string {
  const rollout = status?.rollout;
  const checks = rollout?.checks;
  const parts: string[] = [];
  parts.push(
    rows([
      ["Name", `${namespace}/${name}`],
      ["Phase", rollout?.phase ?? "Unknown"],
      ["Active revision", rollout?.activeRevision],
      ["Preview revision", rollout?.previewRevision],
      ["Previous revision", rollout?.previousRevision],
      [
        "Serving",
        status?.activeRevision
          ? `${status.activeRevision.name} (${status.activeRevision.modelVersion})`
          : undefined,
      ],
      [
        "Replicas",
        status?.readyReplicas !== undefined
          ? `${status.readyReplicas}/${status.replicas ?? 0} ready`
          : undefined,
      ],
      ["Started", rollout?.startedAt],
      ["Message", rollout?.message],
      ["Failed revisions", rollout?.failedRevisions?.join(", ")],
    ]),
  );
  if (checks) {
    parts.push(
      `\nQuality gate (revision ${checks.revision}, Policy generation ${checks.policyGeneration}): ` +
        `${checks.verdict ?? "?"} - ${checks.message ?? `${checks.passed} passed, ${checks.failed} failed`}`,
    );
    for (const f of checks.failures ?? []) {
      parts.push(`  x "${f.text}": expected ${f.expected}, got ${f.got}`);
    }
  }
  if (rollout?.rollback) {
    const r = rollout.rollback;
    parts.push(
      `\nRollback at ${r.at}: ${r.from} -> ${r.to || "(nothing serves)"} ${r.reason}: ${r.message ?? ""}`,
    );
  }
  if (status?.conditions?.length) parts.push(`\n${conditionTable(status.conditions)}`);
  return `${parts.join("\n")}\n`;
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show a ModerationService's rollout: phase, revisions, quality gate, conditions")
    .argument("<name>", "ModerationService name")
    .option("-o, --output <format>", "table, yaml or json", parseFormat, "table" as Format)
    .action(async (name: string, options: { output: Format }, command: Command) => {
      const { client, namespace } = connect(command);
      let service: Service;
      try {
        service = await client.get<Service>(Kinds.ModerationService, name, namespace);
      } catch (err) {
        if (isNotFound(err)) throw new Error(`ModerationService ${name} not found in namespace ${namespace}`);
        throw err;
      }
      const status = service.status ?? {};
      if (options.output === "json") process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else if (options.output === "yaml") process.stdout.write(stringify(status));
      else process.stdout.write(formatStatus(name, namespace, service.status));
    });
}
