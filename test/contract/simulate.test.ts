// Emulator only (there is no controller simulator on a real cluster, its controllers act by
// themselves): the explicit helpers move status the way kube-controller-manager would,
// through /status, visible to watches, and not recorded as client requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServerEmulator } from "../apiserver/index.js";
import { deployment } from "./fixtures.js";
import { connect, onRealCluster, type Clients } from "./harness.js";
import { recordWatch } from "./watch-helper.js";

let c: Clients;
let ns: string;
let emulator: ApiServerEmulator;

const job = (name: string) => ({
  metadata: { name },
  spec: {
    template: {
      spec: { restartPolicy: "Never", containers: [{ name: "job", image: "registry.example/job:1" }] },
    },
  },
});

describe.skipIf(onRealCluster)("controller simulator (emulator only)", () => {
  beforeAll(async () => {
    c = await connect();
    emulator = c.cluster.emulator!;
    ns = await c.cluster.newNamespace("sim");
  });
  afterAll(async () => {
    await c?.cluster.close();
  });

  it("marks a Deployment rolled out and ready", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("ready") });
    const w = await recordWatch(c.kc, `/apis/apps/v1/namespaces/${ns}/deployments`, {
      resourceVersion: String(emulator.resourceVersion),
    });
    emulator.resetRequests();
    emulator.simulate.setDeploymentReady(ns, "ready");
    const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: "ready" });
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(d.status?.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
    const [event] = await w.waitForEvents(1);
    w.stop();
    expect(event!.type).toBe("MODIFIED");
    expect(emulator.writes()).toEqual([]);
    const manager = d.metadata?.managedFields?.find((m) => m.subresource === "status");
    expect(manager?.manager).toBe("kube-controller-manager");
  });

  it("reports partial readiness and a stalled rollout", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("slow") });
    emulator.simulate.setDeploymentReady(ns, "slow", 1);
    let d = await c.apps.readNamespacedDeployment({ namespace: ns, name: "slow" });
    expect(d.status).toMatchObject({ readyReplicas: 1, unavailableReplicas: 1 });
    expect(d.status?.conditions?.find((x) => x.type === "Available")?.status).toBe("False");
    emulator.simulate.setDeploymentProgressDeadlineExceeded(ns, "slow");
    d = await c.apps.readNamespacedDeployment({ namespace: ns, name: "slow" });
    expect(d.status?.conditions?.find((x) => x.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
    });
  });

  it("completes and fails Jobs", async () => {
    await c.batch.createNamespacedJob({ namespace: ns, body: job("ok") });
    await c.batch.createNamespacedJob({ namespace: ns, body: job("bad") });
    emulator.simulate.startJob(ns, "ok");
    expect((await c.batch.readNamespacedJob({ namespace: ns, name: "ok" })).status?.active).toBe(1);
    emulator.simulate.completeJob(ns, "ok");
    emulator.simulate.failJob(ns, "bad");
    const ok = await c.batch.readNamespacedJob({ namespace: ns, name: "ok" });
    expect(ok.status?.succeeded).toBe(1);
    expect(ok.status?.completionTime).toBeInstanceOf(Date);
    expect(ok.status?.conditions?.find((x) => x.type === "Complete")?.status).toBe("True");
    const bad = await c.batch.readNamespacedJob({ namespace: ns, name: "bad" });
    expect(bad.status?.conditions?.find((x) => x.type === "Failed")).toMatchObject({
      status: "True",
      reason: "BackoffLimitExceeded",
    });
  });

  it("runs a CronJob: a Job owned by it, listed as active", async () => {
    await c.batch.createNamespacedCronJob({
      namespace: ns,
      body: {
        metadata: { name: "nightly" },
        spec: { schedule: "0 3 * * *", jobTemplate: { spec: job("x").spec } },
      },
    });
    const created = emulator.simulate.runCronJob(ns, "nightly");
    const j = await c.batch.readNamespacedJob({ namespace: ns, name: created.metadata!.name! });
    expect(j.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "CronJob",
      name: "nightly",
      controller: true,
    });
    const cron = await c.batch.readNamespacedCronJob({ namespace: ns, name: "nightly" });
    expect(cron.status?.active?.[0]?.name).toBe(created.metadata!.name);
  });
});
