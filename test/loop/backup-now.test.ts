// On-demand backups: a new value of the moderation.vigil.dev/backup-now annotation creates
// exactly one Job from the CronJob's template, recorded in status.backupNow; reconciling
// again, or the same value again, creates nothing more; a new value creates one more.
import { describe, expect, it } from "vitest";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { backedUpService } from "./backup-support.js";
import { useOperatorCluster, writesOfAnotherReconcile, type WithStatus } from "./reconcile-support.js";
import { testClient, waitFor } from "./support.js";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

async function backupJobs(namespace: string): Promise<KubeObject[]> {
  const list = await client().listAll<KubeObject>(Kinds.Job, {
    namespace,
    labelSelector: "app.kubernetes.io/name=vigil-backup,app.kubernetes.io/instance=comments",
  });
  return list.items;
}

async function requestBackup(namespace: string, value: string): Promise<string> {
  await client().patch(
    Kinds.ModerationService,
    { name: "comments", namespace },
    {
      metadata: { annotations: { "moderation.vigil.dev/backup-now": value } },
    },
  );
  return waitFor(
    async () => {
      const s = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
      const handled = s.status?.backupNow as { handled?: string; job?: string } | undefined;
      return handled?.handled === value ? handled.job : undefined;
    },
    { message: `backup-now ${value} handled` },
  );
}

describe("backup-now", () => {
  it("creates exactly one Job per annotation value, from the CronJob's template", async () => {
    const namespace = await env.cluster.newNamespace("backup-now");
    const cronJob = (await backedUpService(client(), namespace)) as KubeObject & {
      spec?: { jobTemplate?: { spec?: unknown } };
    };
    const first = await requestBackup(namespace, "2026-03-10T12:00:00Z");
    const jobs = await backupJobs(namespace);
    expect(jobs.map((j) => j.metadata?.name)).toEqual([first]);
    // The API server adds the Job's own selector labels to the pod template; the pod spec is the CronJob's.
    const podSpec = (o: unknown) => (o as { template?: { spec?: unknown } } | undefined)?.template?.spec;
    const job = jobs[0] as KubeObject & { spec?: unknown };
    expect(podSpec(job.spec)).toEqual(podSpec(cronJob.spec?.jobTemplate?.spec));
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ModerationService", controller: true });

    // Acted on once: another reconcile writes nothing and creates no Job.
    const again = await writesOfAnotherReconcile(env.cluster, env.operator, namespace, "comments");
    expect(again.operatorWrites).toBe(0);
    expect((await backupJobs(namespace)).length).toBe(1);

    const second = await requestBackup(namespace, "2026-03-10T13:00:00Z");
    expect(second).not.toBe(first);
    expect((await backupJobs(namespace)).map((j) => j.metadata?.name).sort()).toEqual([first, second].sort());
  });
});
