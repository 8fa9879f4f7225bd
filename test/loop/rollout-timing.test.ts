// autoPromotionSeconds and scaleDownDelaySeconds follow the operator's injected clock: the
// test moves the clock forward instead of waiting minutes, and nudges a reconcile.
import { describe, expect, it } from "vitest";
import type { LiveDeployment } from "../../operator/controllers/live-objects.js";
import { systemClock, type Clock } from "../../operator/core/clock.js";
import { Kinds } from "../../operator/core/kinds.js";
import {
  convergedSamples,
  quiesce,
  readOptional,
  useOperatorCluster,
  type WithStatus,
} from "./reconcile-support.js";
import { canSimulateWorkloads, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const REVISION = "moderation.vigil.dev/revision";

/** Real time plus an offset the test moves; timers run on real time (short requeues still fire). */
class OffsetClock implements Clock {
  offsetMs = 0;
  now(): number {
    return systemClock.now() + this.offsetMs;
  }
  setTimer(delayMs: number, fn: () => void) {
    return systemClock.setTimer(delayMs, fn);
  }
}

const clock = new OffsetClock();
const env = useOperatorCluster({ clock });
const client = () => testClient(env.cluster.kubeConfig);

const rollout = async (namespace: string) =>
  ((await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace)).status?.rollout ??
    {}) as {
    phase?: string;
    previewRevision?: string;
  };
const replicas = async (namespace: string, name: string) =>
  (await client().get<LiveDeployment>(Kinds.Deployment, name, namespace)).spec?.replicas;

describe.skipIf(!canSimulateWorkloads)("rollout timing on the injected clock (pods are simulated)", () => {
  it("promotes after autoPromotionSeconds and scales the old revision down after scaleDownDelaySeconds", async () => {
    const namespace = await env.cluster.newNamespace("timing");
    const old = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
    const nudge = () => env.operator.controllers.get("moderationservice")!.queue.add(`${namespace}/comments`);
    await client().patch(
      Kinds.ModelDeployment,
      { name: "toxicity", namespace },
      {
        spec: {
          model: { version: "1.1.0" },
          strategy: { blueGreen: { autoPromotionSeconds: 60, scaleDownDelaySeconds: 120 } },
        },
      },
    );
    const hash = await waitFor(async () => (await rollout(namespace)).previewRevision, {
      message: "a preview",
    });
    const name = `comments-${hash}`;
    await waitFor(() => readOptional(client(), Kinds.Deployment, namespace, name));
    await workloadsOf(env.cluster).setDeploymentReady(namespace, name);
    await waitFor(async () => (await rollout(namespace)).phase === "AwaitingPromotion", {
      message: "AwaitingPromotion",
    });
    nudge();
    await quiesce(env.operator);
    expect((await rollout(namespace)).phase).toBe("AwaitingPromotion");

    clock.offsetMs += 61_000;
    nudge();
    await waitFor(async () => (await replicas(namespace, name)) === 2, { message: "promotion's scale-up" });
    await workloadsOf(env.cluster).setDeploymentReady(namespace, name);
    await waitFor(
      async () =>
        (
          await client().get<WithStatus & { spec?: { selector?: Record<string, string> } }>(
            Kinds.Service,
            "comments",
            namespace,
          )
        ).spec?.selector?.[REVISION] === hash,
      { message: "traffic on the new revision" },
    );
    nudge();
    await quiesce(env.operator);
    expect(await replicas(namespace, old.metadata!.name!)).toBe(2);

    clock.offsetMs += 121_000;
    nudge();
    await waitFor(async () => (await replicas(namespace, old.metadata!.name!)) === 0, {
      message: "the old revision scaled to zero",
    });
    // Kept for rollback, not deleted.
    expect(await readOptional(client(), Kinds.Deployment, namespace, old.metadata!.name!)).toBeDefined();
  });
});
