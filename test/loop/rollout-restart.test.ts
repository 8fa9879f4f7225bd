// An operator stopped in the middle of a rollout and started again (a fresh process's state:
// new caches, no gate results in memory) converges to the same end state: the new revision
// active, the old one retained, no duplicate or unowned revision, and the active Service never
// selecting an unverified revision.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { LiveService } from "../../operator/controllers/live-objects.js";
import { ROLLOUT_ANNOTATION } from "../../operator/controllers/rollout/annotations.js";
import { Kinds } from "../../operator/core/kinds.js";
import {
  convergedSamples,
  readOptional,
  revisionDeployments,
  startOperator,
  useOperatorCluster,
  type WithStatus,
} from "./reconcile-support.js";
import { canSimulateWorkloads, testClient, waitFor, workloadsOf } from "./support.js";

const SAMPLES = ["modeldeployment.yaml", "policy.yaml", "moderationservice.yaml"];
const REVISION = "moderation.vigil.dev/revision";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

const phaseOf = async (namespace: string) =>
  ((await client().get<WithStatus>(Kinds.ModerationService, "comments", namespace)).status?.rollout as
    { phase?: string; previewRevision?: string; message?: string } | undefined) ?? {};

/** Waits for `phase`; on timeout the error carries the rollout status last seen. */
const waitForPhase = (namespace: string, phase: string) =>
  waitFor(
    async () => {
      const rollout = await phaseOf(namespace);
      if (rollout.phase === phase) return true;
      throw new Error(`rollout is ${JSON.stringify(rollout)}`);
    },
    { message: phase },
  );

/** Forwards to `target` after `delayMs`, as a slow preview would answer. */
async function delayingProxy(target: string, delayMs: number): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      setTimeout(() => {
        fetch(`${target}${req.url}`, {
          method: req.method,
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
        }).then(
          async (answer) => {
            res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
            res.end(Buffer.from(await answer.arrayBuffer()));
          },
          () => res.destroy(),
        );
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe.skipIf(!canSimulateWorkloads)("operator restart mid-rollout (pods are simulated)", () => {
  for (const stopIn of ["Deploying", "Verifying", "AwaitingPromotion", "Promoting"] as const) {
    it(`converges after a restart in ${stopIn}`, async () => {
      const namespace = await env.cluster.newNamespace(`restart-${stopIn.toLowerCase()}`);
      const old = await convergedSamples(env.cluster, client(), namespace, SAMPLES, "comments");
      const oldHash = old.metadata!.labels![REVISION]!;
      const seen: string[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const svc = await readOptional<LiveService>(client(), Kinds.Service, namespace, "comments").catch(
            () => undefined,
          );
          const hash = svc?.spec?.selector?.[REVISION];
          if (hash && seen.at(-1) !== hash) seen.push(hash);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      // Verifying lasts as long as the gate's requests: behind a slow preview it holds long
      // enough to stop the operator in the middle of a gate run, which the next one reruns.
      let slowPreview: Server | undefined;
      if (stopIn === "Verifying") {
        slowPreview = await delayingProxy(env.preview.url, 3000);
        const slowUrl = `http://127.0.0.1:${(slowPreview.address() as AddressInfo).port}`;
        await env.operator.stop();
        env.operator = await startOperator(env.cluster, { resolvePreviewUrl: () => slowUrl });
      }
      // AwaitingPromotion holds only while promotion is manual; the promote annotation after the
      // restart must still be acted on once.
      const manual = stopIn === "AwaitingPromotion";
      await client().patch(
        Kinds.ModelDeployment,
        { name: "toxicity", namespace },
        {
          spec: {
            model: { version: "1.1.0" },
            ...(manual && { strategy: { blueGreen: { autoPromotion: false } } }),
          },
        },
      );
      const hash = await waitFor(async () => (await phaseOf(namespace)).previewRevision, {
        message: "a preview",
      });
      const name = `comments-${hash}`;
      await waitFor(() => readOptional(client(), Kinds.Deployment, namespace, name));
      if (stopIn !== "Deploying") {
        // Only the preview's one pod: the simulator must not also run the pod that promotion adds,
        // or a fast gate lets the rollout pass Promoting before the test can stop the operator in it.
        await workloadsOf(env.cluster).setDeploymentReady(namespace, name, 1);
        await waitForPhase(namespace, stopIn);
      }
      await env.operator.stop();
      env.operator = await startOperator(env.cluster, { resolvePreviewUrl: () => env.preview.url });
      slowPreview?.close();
      if (manual) {
        expect((await phaseOf(namespace)).phase).toBe("AwaitingPromotion");
        await client().patch(
          Kinds.ModerationService,
          { name: "comments", namespace },
          { metadata: { annotations: { [ROLLOUT_ANNOTATION.promote]: "after-restart" } } },
        );
      }

      await waitFor(
        async () => {
          // Play the Deployment controller for the new revision at whatever size it has now.
          if (await readOptional(client(), Kinds.Deployment, namespace, name)) {
            await workloadsOf(env.cluster).setDeploymentReady(namespace, name);
          }
          return (await phaseOf(namespace)).phase === "Active" && seen.at(-1) === hash;
        },
        { message: "the rollout to finish after the restart", timeoutMs: 30_000 },
      );
      watching = false;
      await watcher;
      expect(seen).toEqual([oldHash, hash]);
      const revisions = await revisionDeployments(client(), namespace, "comments");
      expect(revisions.map((d) => d.metadata?.name).sort()).toEqual([old.metadata!.name!, name].sort());
      for (const d of revisions) {
        expect(d.metadata?.ownerReferences?.filter((o) => o.controller)).toHaveLength(1);
      }
    });
  }
});
