// `vigil backup <service> --wait` against the operator and the API emulator: it sets the
// backup-now annotation, follows the Job the operator creates, and reports the outcome the
// operator recorded (exit 0 on success, 1 with the container's reason on failure).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { runVigil } from "../cli/support.js";
import { backedUpService, terminateBackupPod } from "./backup-support.js";
import { useOperatorCluster } from "./reconcile-support.js";
import { emulatorOf, onEmulator, testClient, waitFor } from "./support.js";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

async function kubeconfigFile(): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), "vigil-kubeconfig-")), "config");
  await writeFile(file, env.cluster.kubeConfig.exportConfig());
  return file;
}

/** The backup Job the operator creates for the CLI's request, once it exists. */
const requestedJob = (namespace: string) =>
  waitFor(
    async () => {
      const jobs = await client().listAll<KubeObject>(Kinds.Job, { namespace });
      return jobs.items[0];
    },
    { message: "the on-demand backup Job" },
  );

// Emulator only: the test decides how the backup Job ends (succeeded with a termination message,
// or failed). On a real control plane the Job controller owns Job status and the pod simulator
// runs no containers, so no Job there can succeed or fail on the test's word.
describe.skipIf(!onEmulator)("vigil backup (emulator: the Job simulated)", () => {
  it("waits for a requested backup and reports its success", async () => {
    const namespace = await env.cluster.newNamespace("cli-backup");
    await backedUpService(client(), namespace);
    const run = runVigil([
      "--kubeconfig",
      await kubeconfigFile(),
      "-n",
      namespace,
      "backup",
      "comments",
      "--wait",
    ]);
    const job = await requestedJob(namespace);
    const emulator = emulatorOf(env.cluster);
    await terminateBackupPod(client(), emulator, job, {
      reason: "BackupCompleted",
      name: "comments-20260310T120000Z",
      size: 2048,
      startedAt: "2026-03-10T12:00:00Z",
      completedAt: "2026-03-10T12:00:09Z",
      rows: 42,
    });
    emulator.simulate.completeJob(namespace, job.metadata!.name!);
    const result = await run;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Job ${job.metadata!.name} started`);
    expect(result.stdout).toMatch(/backup succeeded: .*2048 bytes, 42 decisions/);
  });

  it("exits 1 with the failure reason on one line", async () => {
    const namespace = await env.cluster.newNamespace("cli-backup-fail");
    await backedUpService(client(), namespace);
    const run = runVigil([
      "--kubeconfig",
      await kubeconfigFile(),
      "-n",
      namespace,
      "backup",
      "comments",
      "--wait",
    ]);
    const job = await requestedJob(namespace);
    const emulator = emulatorOf(env.cluster);
    await terminateBackupPod(client(), emulator, job, {
      reason: "DestinationUnwritable",
      message: "/backups: EACCES: permission denied",
    });
    emulator.simulate.failJob(namespace, job.metadata!.name!);
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^vigil: backup failed \(DestinationUnwritable\): .*EACCES/),
    ]);
  });

  it("refuses a service without spec.backup", async () => {
    const namespace = await env.cluster.newNamespace("cli-backup-none");
    await backedUpService(client(), namespace);
    await client().patch(
      Kinds.ModerationService,
      { name: "comments", namespace },
      { spec: { backup: null } },
    );
    const result = await runVigil([
      "--kubeconfig",
      await kubeconfigFile(),
      "-n",
      namespace,
      "backup",
      "comments",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vigil: ModerationService comments has no spec.backup/);
  });
});
