// Manual rollout control through the `vigil` CLI, run as a process against the API server while
// the operator's controllers reconcile: promote a verified preview when autoPromotion is off,
// roll back after a promotion (traffic returns to the retained revision), abort a rollout,
// and read it all back with `vigil status`.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveService } from "../../operator/controllers/live-objects.js";
import { Kinds } from "../../operator/core/kinds.js";
import { runVigil } from "../cli/support.js";
import { convergedSamples, readOptional, useOperatorCluster, type WithStatus } from "./reconcile-support.js";
import { canSimulateWorkloads, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const REVISION = "moderation.vigil.dev/revision";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-cli-"));
  kubeconfig = path.join(dir, "kubeconfig");
  await writeFile(kubeconfig, env.cluster.kubeConfig.exportConfig());
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const vigil = (namespace: string, ...args: string[]) =>
  runVigil([...args, "--namespace", namespace, "--kubeconfig", kubeconfig]);

type Rollout = {
  phase?: string;
  previewRevision?: string;
  activeRevision?: string;
  rollback?: { reason?: string };
};
const rolloutIn = async (namespace: string) =>
  (await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace)).status?.rollout as
    Rollout | undefined;
const phaseIs = (namespace: string, phase: string) =>
  waitFor(
    async () => ((await rolloutIn(namespace))?.phase === phase ? await rolloutIn(namespace) : undefined),
    {
      message: `phase ${phase}`,
    },
  );
const selected = async (namespace: string) =>
  (await readOptional<LiveService>(client(), Kinds.Service, namespace, "comments"))?.spec?.selector?.[
    REVISION
  ];

async function previewReady(namespace: string): Promise<string> {
  const r = await waitFor(async () => (await rolloutIn(namespace))?.previewRevision, {
    message: "a preview",
  });
  const name = `comments-${r}`;
  await waitFor(() => readOptional(client(), Kinds.Deployment, namespace, name));
  await workloadsOf(env.cluster).setDeploymentReady(namespace, name);
  return r;
}

describe.skipIf(!canSimulateWorkloads)(
  "vigil promote / rollback / abort / status (pods are simulated)",
  () => {
    it("promotes on request, rolls back after the promotion, and shows it in vigil status", async () => {
      const namespace = await env.cluster.newNamespace("cli");
      const old = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
      const oldHash = old.metadata!.labels![REVISION]!;
      await client().patch(
        Kinds.ModelDeployment,
        { name: "toxicity", namespace },
        { spec: { model: { version: "1.1.0" }, strategy: { blueGreen: { autoPromotion: false } } } },
      );
      const hash = await previewReady(namespace);
      await phaseIs(namespace, "AwaitingPromotion");
      expect(await selected(namespace)).toBe(oldHash);

      const promote = await vigil(namespace, "promote", "comments", "--wait");
      expect(promote).toMatchObject({ code: 0, stderr: "" });
      expect(promote.stdout).toMatch(/^promote done: Promoting: /);
      await waitFor(async () => {
        const d = await client().get<{ spec?: { replicas?: number } } & WithStatus>(
          Kinds.Deployment,
          `comments-${hash}`,
          namespace,
        );
        return d.spec?.replicas === 2;
      });
      await workloadsOf(env.cluster).setDeploymentReady(namespace, `comments-${hash}`);
      await waitFor(async () => (await selected(namespace)) === hash, {
        message: "traffic on the new revision",
      });

      const rollback = await vigil(namespace, "rollback", "comments", "--wait");
      expect(rollback).toMatchObject({ code: 0, stderr: "" });
      expect(rollback.stdout).toContain("rollback done: RolledBack");
      await waitFor(async () => (await selected(namespace)) === oldHash, {
        message: "traffic back on the old revision",
      });
      expect(await rolloutIn(namespace)).toMatchObject({
        phase: "RolledBack",
        activeRevision: oldHash,
        rollback: { reason: "ManualRollback" },
      });

      const table = await vigil(namespace, "status", "comments");
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^Phase\s+RolledBack$/m);
      expect(table.stdout).toMatch(new RegExp(`^Active revision\\s+${oldHash}$`, "m"));
      expect(table.stdout).toContain(`${hash} -> ${oldHash} ManualRollback`);
      expect(table.stdout).toMatch(/^Degraded\s+True\s+ManualRollback/m);
      const json = await vigil(namespace, "status", "comments", "-o", "json");
      expect(JSON.parse(json.stdout).rollout).toMatchObject({ phase: "RolledBack", failedRevisions: [hash] });
      const yaml = await vigil(namespace, "status", "comments", "-o", "yaml");
      expect(yaml.stdout).toContain("phase: RolledBack");
    });

    it("aborts a rollout in progress", async () => {
      const namespace = await env.cluster.newNamespace("cli-abort");
      const old = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
      await client().patch(
        Kinds.ModelDeployment,
        { name: "toxicity", namespace },
        { spec: { model: { version: "2.0.0" } } },
      );
      await phaseIs(namespace, "Deploying");
      const abort = await vigil(namespace, "abort", "comments", "--wait");
      expect(abort).toMatchObject({ code: 0, stderr: "" });
      expect(abort.stdout).toContain("abort done: RolledBack");
      expect((await rolloutIn(namespace))?.rollback?.reason).toBe("Aborted");
      expect(await selected(namespace)).toBe(old.metadata!.labels![REVISION]);
    });

    it("fails with one line and a non-zero exit for a service that does not exist or a bad format", async () => {
      const namespace = await env.cluster.newNamespace("cli-errors");
      const missing = await vigil(namespace, "status", "nope");
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`vigil: ModerationService nope not found in namespace ${namespace}\n`);
      const promote = await vigil(namespace, "promote", "nope");
      expect(promote.code).toBe(1);
      expect(promote.stderr.trim().split("\n")).toHaveLength(1);
      const format = await vigil(namespace, "status", "comments", "-o", "xml");
      expect(format.code).not.toBe(0);
      // Usage errors are commander's: the error line first, then the command's usage.
      expect(format.stderr.split("\n")[0]).toBe(
        "error: option '-o, --output <format>' argument 'xml' is invalid. must be one of table, yaml, json",
      );
      expect(format.stderr).toContain("table, yaml, json");
    });
  },
);
