// A small controller built from the core pieces the real reconcilers use: it watches
// ModerationServices, owns a ConfigMap per service (server-side applied) and references a
// Policy (through an index). It shows: events on children and referenced objects reach the
// right key; a steady state writes nothing; an object we did not create is not taken over;
// status carries observedGeneration and is written only when it changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Condition } from "../../crds/schema.js";
import { applyObject } from "../../operator/core/apply.js";
import { setCondition } from "../../operator/core/conditions.js";
import type { Controller, ControllerDefinition } from "../../operator/core/controller.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import type { Manager } from "../../operator/core/manager.js";
import { writeStatusIfChanged } from "../../operator/core/status.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import {
  configMap,
  emulatorOf,
  moderationService,
  onEmulator,
  policy,
  testClient,
  testManager,
  waitFor,
} from "./support.js";

type Service = KubeObject & {
  spec: { policyRef: { name: string }; replicas?: number };
  status?: { observedGeneration?: number; conditions?: Condition[] };
};
type ConfigMap = KubeObject & { data?: Record<string, string> };

const reconciles = new Map<string, number>();

/** Renders the referenced Policy into a ConfigMap owned by the service; reports Ready. */
const renderPolicy: ControllerDefinition<Service> = {
  name: "render-policy",
  for: Kinds.ModerationService,
  owns: [Kinds.ConfigMap],
  references: [
    {
      kind: Kinds.Policy,
      indexName: "spec.policyRef",
      referencedKeys: (svc) => [`${svc.metadata?.namespace}/${svc.spec.policyRef.name}`],
    },
  ],
  async reconcile(key, ctx) {
    reconciles.set(key, (reconciles.get(key) ?? 0) + 1);
    const svc = ctx.cache<Service>(Kinds.ModerationService).get(ctx.name, ctx.namespace);
    if (!svc?.metadata?.uid) return;
    const generation = svc.metadata.generation ?? 0;
    const pol = ctx
      .cache<KubeObject & { spec?: unknown }>(Kinds.Policy)
      .get(svc.spec.policyRef.name, ctx.namespace);
    const now = ctx.clock.now();
    let conditions = svc.status?.conditions;
    if (!pol) {
      conditions = setCondition(
        conditions,
        {
          type: "Ready",
          status: "False",
          reason: "PolicyNotFound",
          message: `Policy ${svc.spec.policyRef.name} does not exist`,
          observedGeneration: generation,
        },
        now,
      );
    } else {
      const child: ConfigMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: `${ctx.name}-policy`,
          namespace: ctx.namespace,
          labels: { "app.kubernetes.io/instance": ctx.name },
          ownerReferences: [
            {
              apiVersion: Kinds.ModerationService.apiVersion,
              kind: "ModerationService",
              name: ctx.name,
              uid: svc.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: { policy: JSON.stringify(pol.spec) },
      };
      const applied = await applyObject(ctx.client, child, { cache: ctx.cache<ConfigMap>(Kinds.ConfigMap) });
      if (applied.outcome === "created")
        ctx.recorder.record(svc, "Normal", "Created", `created ConfigMap ${ctx.name}-policy`);
      conditions = setCondition(
        conditions,
        applied.outcome === "notOwned"
          ? {
              type: "Ready",
              status: "False",
              reason: applied.reason,
              message: applied.message,
              observedGeneration: generation,
            }
          : {
              type: "Ready",
              status: "True",
              reason: "PolicyRendered",
              message: "",
              observedGeneration: generation,
            },
        now,
      );
    }
    await writeStatusIfChanged(ctx.client, Kinds.ModerationService, svc, { conditions });
  },
};

let cluster: TestCluster;
let manager: Manager;
let controller: Controller;
let namespace: string;
const client = () => testClient(cluster.kubeConfig);

beforeAll(async () => {
  cluster = await startTestCluster();
  namespace = await cluster.newNamespace("wiring");
  manager = testManager(cluster.kubeConfig, { namespaces: [namespace] });
  controller = manager.add(renderPolicy);
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await cluster?.close();
});

const readService = (name: string) => client().get<Service>(Kinds.ModerationService, name, namespace);
const readyOf = (svc: Service | undefined) => svc?.status?.conditions?.find((c) => c.type === "Ready");
const count = (name: string) => reconciles.get(`${namespace}/${name}`) ?? 0;

async function waitReady(name: string, status: "True" | "False", reason?: string): Promise<Service> {
  return waitFor(
    async () => {
      const svc = await readService(name);
      const ready = readyOf(svc);
      return ready?.status === status && (!reason || ready.reason === reason) ? svc : undefined;
    },
    { message: `${name} Ready=${status}${reason ? ` (${reason})` : ""}` },
  );
}

/** Create/update/patch/apply/delete requests the operator has made, from its own metrics. */
async function operatorWrites(): Promise<number> {
  const counts = await manager.metrics.apiRequests.get();
  return counts.values
    .filter((v) => ["create", "update", "patch", "apply", "delete"].includes(String(v.labels.verb)))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Waits until nothing is queued or running, and no reconcile has started for a few polls. */
async function quiesce(): Promise<void> {
  let last = -1;
  let stableFor = 0;
  await waitFor(
    () => {
      const total = [...reconciles.values()].reduce((a, b) => a + b, 0);
      const idle = controller.queue.length === 0 && !controller.queue.isProcessing(`${namespace}/comments`);
      stableFor = idle && total === last ? stableFor + 1 : 0;
      last = total;
      return stableFor >= 10;
    },
    { message: "the controller to go idle" },
  );
}

describe("controller wiring", () => {
  it("creates the owned child and reports Ready with observedGeneration", async () => {
    await client().create(Kinds.Policy, policy(namespace, "strict", 0.5));
    await client().create(Kinds.ModerationService, moderationService(namespace, "comments", "strict"));
    const svc = await waitReady("comments", "True");
    expect(svc.status?.observedGeneration).toBe(svc.metadata?.generation);
    expect(readyOf(svc)).toMatchObject({
      reason: "PolicyRendered",
      observedGeneration: svc.metadata?.generation,
    });
    const child = await client().get<ConfigMap>(Kinds.ConfigMap, "comments-policy", namespace);
    expect(child.metadata?.ownerReferences?.[0]).toMatchObject({ uid: svc.metadata?.uid, controller: true });
    expect(JSON.parse(child.data?.policy ?? "{}")).toMatchObject({
      categories: { toxicity: { block: 0.5 } },
    });
  });

  it("writes nothing in a steady state, however often it reconciles", async () => {
    await waitReady("comments", "True");
    await quiesce();
    cluster.emulator?.resetRequests();
    const writesBefore = await operatorWrites();
    for (let i = 0; i < 5; i++) {
      const before = count("comments");
      controller.queue.add(`${namespace}/comments`); // what a periodic resync does
      await waitFor(() => count("comments") > before, { message: `resync ${i}` });
    }
    await quiesce();
    expect(await operatorWrites()).toBe(writesBefore);
    if (cluster.emulator) {
      expect(cluster.emulator.writes().filter((r) => r.namespace === namespace)).toEqual([]);
    }
  });

  it("maps an event on an owned child to its owner: a deleted child comes back", async () => {
    const before = (await client().get<ConfigMap>(Kinds.ConfigMap, "comments-policy", namespace)).metadata
      ?.uid;
    await client().delete(Kinds.ConfigMap, "comments-policy", namespace);
    const recreated = await waitFor(
      async () => {
        const cm = await client()
          .get<ConfigMap>(Kinds.ConfigMap, "comments-policy", namespace)
          .catch(() => undefined);
        return cm && cm.metadata?.uid !== before ? cm : undefined;
      },
      { message: "the child to be recreated" },
    );
    expect(recreated.metadata?.ownerReferences?.[0]?.name).toBe("comments");
  });

  it("maps a Policy change, through the index, to exactly the services that reference it", async () => {
    await client().create(Kinds.Policy, policy(namespace, "lenient", 0.95));
    await client().create(Kinds.ModerationService, moderationService(namespace, "forum", "lenient"));
    await waitReady("forum", "True");
    await quiesce();
    const comments = count("comments");
    const forum = count("forum");
    await client().patch(
      Kinds.Policy,
      { name: "strict", namespace },
      { spec: { categories: { toxicity: { block: 0.4 } } } },
    );
    await waitFor(
      async () => {
        const cm = await client().get<ConfigMap>(Kinds.ConfigMap, "comments-policy", namespace);
        return JSON.parse(cm.data?.policy ?? "{}").categories?.toxicity?.block === 0.4;
      },
      { message: "comments to render the changed Policy" },
    );
    await quiesce();
    expect(count("comments")).toBeGreaterThan(comments);
    expect(count("forum")).toBe(forum);
  });

  it("reports a missing Policy as a condition instead of failing", async () => {
    await client().create(Kinds.ModerationService, moderationService(namespace, "orphan", "does-not-exist"));
    const svc = await waitReady("orphan", "False", "PolicyNotFound");
    expect(readyOf(svc)?.message).toContain("does-not-exist");
    await client().create(Kinds.Policy, policy(namespace, "does-not-exist"));
    await waitReady("orphan", "True", "PolicyRendered");
  });

  it("refuses to take over an existing object it did not create, and says so in status", async () => {
    await client().create(Kinds.ConfigMap, configMap(namespace, "squatter-policy", { mine: "yes" }));
    await client().create(Kinds.ModerationService, moderationService(namespace, "squatter", "strict"));
    const svc = await waitReady("squatter", "False", "ExistsWithoutOwner");
    expect(readyOf(svc)?.message).toContain("squatter-policy");
    const untouched = await client().get<ConfigMap>(Kinds.ConfigMap, "squatter-policy", namespace);
    expect(untouched.data).toEqual({ mine: "yes" });
    expect(untouched.metadata?.ownerReferences).toBeUndefined();
  });

  it("keeps lastTransitionTime while status holds and moves observedGeneration with spec changes", async () => {
    const before = await waitReady("comments", "True");
    const transition = readyOf(before)?.lastTransitionTime;
    await client().patch(Kinds.ModerationService, { name: "comments", namespace }, { spec: { replicas: 3 } });
    const after = await waitFor(
      async () => {
        const svc = await readService("comments");
        return svc.status?.observedGeneration === svc.metadata?.generation &&
          svc.metadata?.generation !== before.metadata?.generation
          ? svc
          : undefined;
      },
      { message: "status to observe the new generation" },
    );
    expect(readyOf(after)).toMatchObject({ status: "True", observedGeneration: after.metadata?.generation });
    expect(readyOf(after)?.lastTransitionTime).toBe(transition);
  });

  it.skipIf(!onEmulator)("patches status with a merge patch on the status subresource", async () => {
    const emulator = emulatorOf(cluster);
    const statusWrites = emulator.requests.filter(
      (r) => r.resource === "moderationservices" && r.subresource === "status" && r.namespace === namespace,
    );
    expect(statusWrites.length).toBeGreaterThan(0);
    expect(new Set(statusWrites.map((r) => r.contentType))).toEqual(
      new Set(["application/merge-patch+json"]),
    );
    const applies = emulator.requests.filter((r) => r.resource === "configmaps" && r.verb === "patch");
    expect(applies.every((r) => r.contentType === "application/apply-patch+yaml")).toBe(true);
    expect(new Set(applies.map((r) => r.fieldManager))).toEqual(new Set(["vigil-operator"]));
  });
});
