// Blue-green rollouts end to end: the operator's controllers against the API emulator and the
// real control plane, with a real runtime process answering as every preview Service (the
// quality gate calls it). The test plays the kubelet (ready Deployments, pod statuses) and
// records every selector the active Service ever had, to assert that traffic only ever went
// to a revision that had passed the gate.
import { afterEach, describe, expect, it } from "vitest";
import type { LiveService } from "../../operator/controllers/live-objects.js";
import { Kinds, resourcePath } from "../../operator/core/kinds.js";
import { ARTIFACT_FAILURE_REASONS } from "../../operator/desired/runtime-contract.js";
import { ContentType, type KubeObject } from "../../operator/core/kubeclient.js";
import {
  conditionOf,
  convergedSamples,
  readOptional,
  useOperatorCluster,
  waitForCondition,
  type WithStatus,
} from "./reconcile-support.js";
import { canSimulateWorkloads, emulatorOf, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const REVISION = "moderation.vigil.dev/revision";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

type Rollout = {
  phase?: string;
  activeRevision?: string;
  previewRevision?: string;
  checks?: { passed?: number; failed?: number; verdict?: string; failures?: unknown[]; revision?: string };
  rollback?: { from?: string; to?: string; reason?: string; message?: string };
  failedRevisions?: string[];
};
const rolloutOf = (svc: WithStatus) => svc.status?.rollout as Rollout | undefined;

/** Every selector value the active Service had, polled as fast as the API answers. */
class SelectorHistory {
  readonly seen: string[] = [];
  #stop = false;
  #loop?: Promise<void>;
  start(namespace: string): void {
    this.#loop = (async () => {
      while (!this.#stop) {
        const svc = await readOptional<LiveService>(client(), Kinds.Service, namespace, "comments").catch(
          () => undefined,
        );
        const hash = svc?.spec?.selector?.[REVISION];
        if (hash && this.seen.at(-1) !== hash) this.seen.push(hash);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  }
  async stop(): Promise<string[]> {
    this.#stop = true;
    await this.#loop;
    return this.seen;
  }
}

async function rollout(namespace: string, until: (r: Rollout) => boolean, message: string) {
  return waitFor(
    async () => {
      const svc = await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace);
      const r = rolloutOf(svc);
      return r && until(r) ? svc : undefined;
    },
    { message },
  );
}

async function newVersion(namespace: string, patch: Record<string, unknown> = {}) {
  await client().patch(
    Kinds.ModelDeployment,
    { name: "toxicity", namespace },
    { spec: { model: { version: "1.1.0" }, ...patch } },
  );
  const svc = await rollout(namespace, (r) => r.previewRevision !== undefined, "a preview revision");
  const hash = rolloutOf(svc)!.previewRevision!;
  await waitFor(() => readOptional(client(), Kinds.Deployment, namespace, `comments-${hash}`), {
    message: "the preview Deployment",
  });
  return hash;
}

async function events(namespace: string) {
  return (
    await client().listAll<KubeObject & { reason?: string; type?: string; message?: string }>(Kinds.Event, {
      namespace,
    })
  ).items;
}

/** A pod of the preview revision, created as the ReplicaSet would, with a kubelet-reported status. */
async function previewPod(namespace: string, hash: string, status: Record<string, unknown>) {
  const name = `comments-${hash}-abcde`;
  await client().create(Kinds.Pod, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: {
        "app.kubernetes.io/name": "vigil-runtime",
        "app.kubernetes.io/instance": "comments",
        [REVISION]: hash,
      },
    },
    spec: { containers: [{ name: "runtime", image: "ghcr.io/vigil-dev/vigil-runtime:0.1.0" }] },
  });
  await setPodStatus(namespace, name, status);
}

/** What a kubelet (or the scheduler) reports, written through the status subresource. */
async function setPodStatus(namespace: string, name: string, status: Record<string, unknown>) {
  if (env.cluster.emulator) {
    emulatorOf(env.cluster).simulate.mergeStatus("v1", "pods", namespace, name, status);
    return;
  }
  await client().request({
    method: "PATCH",
    path: resourcePath(Kinds.Pod, { namespace, name, subresource: "status" }),
    contentType: ContentType.mergePatch,
    body: { status },
  });
}

const workloads = () => workloadsOf(env.cluster);

// A cluster with real kubelets would run the pods itself and report other statuses.
describe.skipIf(!canSimulateWorkloads)("blue-green rollouts (pods are simulated)", () => {
  let namespace: string;
  let oldHash: string;
  let history: SelectorHistory;

  afterEach(async () => {
    await history?.stop();
  });

  async function serving(prefix: string) {
    namespace = await env.cluster.newNamespace(prefix);
    const old = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
    oldHash = old.metadata!.labels![REVISION]!;
    history = new SelectorHistory();
    history.start(namespace);
  }

  it("promotes a good model: the selector moves only after the gate passed and the revision is at serving size", async () => {
    await serving("promote");
    const hash = await newVersion(namespace);
    await workloads().setDeploymentReady(namespace, `comments-${hash}`);
    // On the real control plane the pod simulator may ready the scaled-up pods before this
    // poll sees Promoting; either way the gate's verdict is in status.
    const promoting = await rollout(
      namespace,
      (r) => r.phase === "Promoting" || (r.phase === "Active" && r.activeRevision === hash),
      "Promoting",
    );
    expect(rolloutOf(promoting)?.checks).toMatchObject({
      passed: 3,
      failed: 0,
      verdict: "Passed",
      revision: hash,
    });
    // The gate reached the real runtime.
    expect(await env.preview.classifyRequests()).toBeGreaterThanOrEqual(3);
    await waitFor(async () => {
      const d = await client().get<KubeObject & { spec?: { replicas?: number } }>(
        Kinds.Deployment,
        `comments-${hash}`,
        namespace,
      );
      return d.spec?.replicas === 2;
    });
    await workloads().setDeploymentReady(namespace, `comments-${hash}`);
    await rollout(namespace, (r) => r.phase === "Active" && r.activeRevision === hash, "Active");
    // The rollout state is recorded first; the selector follows on the next reconcile.
    await waitFor(() => history.seen.at(-1) === hash, { message: "the selector to switch" });
    await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Ready",
      status: "True",
    });
    const seen = await history.stop();
    expect(seen).toEqual([oldHash, hash]);
    const reasons = (await events(namespace)).map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        "RolloutStarted",
        "QualityGateRunning",
        "QualityGatePassed",
        "RolloutPromoting",
        "RevisionPromoted",
      ]),
    );
  });

  it("rolls back a model that fails the golden set, with the failures in status, and never moves traffic", async () => {
    await serving("mislabel");
    // The new version's golden set expects what the model does not do.
    const hash = await newVersion(namespace, {
      strategy: {
        blueGreen: {
          checks: {
            minPassRate: 1,
            samples: [
              { text: "have a nice day", expect: { action: "allow" } },
              {
                text: "thanks for the help, see you tomorrow",
                expect: { action: "block", categories: ["threat"] },
              },
            ],
          },
        },
      },
    });
    await workloads().setDeploymentReady(namespace, `comments-${hash}`);
    const rolledBack = await rollout(namespace, (r) => r.phase === "RolledBack", "RolledBack");
    const r = rolloutOf(rolledBack)!;
    expect(r.rollback).toMatchObject({ from: hash, to: oldHash, reason: "QualityGateFailed" });
    expect(r.checks).toMatchObject({ passed: 1, failed: 1, verdict: "Failed" });
    expect(r.checks?.failures).toEqual([
      { text: "thanks for the help, see you tomorrow", expected: "block [threat]", got: "allow" },
    ]);
    expect(r.failedRevisions).toEqual([hash]);
    // GitOps: the service stays Ready on the old revision and says it is Degraded and why.
    const degraded = await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Degraded",
      status: "True",
      reason: "QualityGateFailed",
    });
    expect(conditionOf(degraded, "Ready")?.status).toBe("True");
    await waitFor(async () => {
      const d = await client().get<KubeObject & { spec?: { replicas?: number } }>(
        Kinds.Deployment,
        `comments-${hash}`,
        namespace,
      );
      return d.spec?.replicas === 0;
    });
    expect(await history.stop()).toEqual([oldHash]);
    expect((await events(namespace)).filter((e) => e.reason === "RolledBack").map((e) => e.type)).toEqual([
      "Warning",
    ]);
  });

  it.each(ARTIFACT_FAILURE_REASONS)(
    "fails fast on %s (fetch-model's termination message): ArtifactVerified=False and traffic never moves",
    async (reason) => {
      await serving(`artifact-${reason.slice("Artifact".length).toLowerCase()}`);
      const hash = await newVersion(namespace);
      const message = `${reason}: the artifact of revision ${hash} was refused`;
      await previewPod(namespace, hash, {
        phase: "Pending",
        initContainerStatuses: [
          {
            name: "fetch-model",
            image: "ghcr.io/vigil-dev/vigil-runtime:0.1.0",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: {
              terminated: { exitCode: 1, reason: "Error", message: JSON.stringify({ reason, message }) },
            },
          },
        ],
      });
      const failed = await rollout(namespace, (r) => r.phase === "RolledBack", "RolledBack");
      expect(rolloutOf(failed)?.rollback).toMatchObject({ reason, to: oldHash });
      expect(rolloutOf(failed)?.rollback?.message).toContain(message);
      expect((failed.status?.rollout as { artifact?: unknown }).artifact).toMatchObject({
        revision: hash,
        state: "Failed",
        reason,
      });
      await waitForCondition(client(), Kinds.ModelDeployment, namespace, "toxicity", {
        type: "ArtifactVerified",
        status: "False",
        reason,
      });
      expect(await history.stop()).toEqual([oldHash]);
    },
  );

  it("reports GPU pods the scheduler cannot place as InsufficientGPU with its message", async () => {
    await serving("gpu");
    const hash = await newVersion(namespace);
    const message =
      "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available.";
    await previewPod(namespace, hash, {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }],
    });
    const failed = await rollout(namespace, (r) => r.phase === "RolledBack", "RolledBack");
    expect(rolloutOf(failed)?.rollback).toMatchObject({ reason: "InsufficientGPU" });
    expect(rolloutOf(failed)?.rollback?.message).toContain(message);
    await waitForCondition(client(), Kinds.ModerationService, namespace, "comments", {
      type: "Degraded",
      status: "True",
      reason: "InsufficientGPU",
    });
    expect(await history.stop()).toEqual([oldHash]);
  });
});
