// Shared by the resilience tests: an emulator and the operator's real controllers per file, a
// service (gate-less ModelDeployment, Policy, ModerationService) to converge under a fault,
// and the checks every scenario ends with: converged, no duplicate children (the same children
// a fault-free run makes), status that tells the truth about them, and nothing left to write.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { LiveDeployment } from "../../operator/controllers/live-objects.js";
import { Kinds, type ResourceKind } from "../../operator/core/kinds.js";
import type { KubeClient } from "../../operator/core/kubeclient.js";
import {
  startTestCluster,
  type ApiServerEmulator,
  type RecordedRequest,
  type TestCluster,
} from "../apiserver/index.js";
import {
  conditionOf,
  revisionDeployments,
  simulateUntilActive,
  startOperator,
  writesOfAnotherReconcile,
  type OperatorUnderTest,
  type WithStatus,
} from "../loop/reconcile-support.js";
import {
  emulatorOf,
  modelDeployment,
  moderationService,
  policy,
  testClient,
  waitFor,
} from "../loop/support.js";

export const SERVICE = "svc";

/** Every kind a ModerationService's children can have. */
const CHILD_KINDS: ResourceKind[] = [
  Kinds.ServiceAccount,
  Kinds.NetworkPolicy,
  Kinds.ConfigMap,
  Kinds.Deployment,
  Kinds.Service,
  Kinds.PodDisruptionBudget,
  Kinds.HorizontalPodAutoscaler,
  Kinds.CronJob,
];

export interface ResilienceEnv {
  cluster: TestCluster;
  emulator: ApiServerEmulator;
  /** Replaced by tests that crash and restart the operator. */
  operator: OperatorUnderTest;
  client: KubeClient;
  /** `kind/name` of every child a fault-free run gives SERVICE (names do not depend on the namespace). */
  referenceChildren: string[];
}

/** One emulator (garbage collection on) and one operator per file; faults cleared after each test. */
export function useResilienceEnv(): ResilienceEnv {
  const env = {} as ResilienceEnv;
  beforeAll(async () => {
    env.cluster = await startTestCluster({ garbageCollection: true });
    env.emulator = emulatorOf(env.cluster);
    env.client = testClient(env.cluster.kubeConfig);
    env.operator = await startOperator(env.cluster);
    const namespace = await env.cluster.newNamespace("reference");
    await createService(env.client, namespace);
    await expectConverged(env, namespace, { children: false });
    env.referenceChildren = await childrenOf(env.client, namespace);
  });
  afterEach(() => {
    env.emulator?.faults.clear();
  });
  afterAll(async () => {
    await env.operator?.stop();
    await env.cluster?.close();
  });
  return env;
}

/** The ModelDeployment, Policy and ModerationService SERVICE, created in that order. */
export async function createService(client: KubeClient, namespace: string): Promise<void> {
  await client.create(Kinds.ModelDeployment, modelDeployment(namespace));
  await client.create(Kinds.Policy, policy(namespace, "policy"));
  await client.create(Kinds.ModerationService, moderationService(namespace, SERVICE));
}

const CHILD_RESOURCES = new Set(CHILD_KINDS.map((k) => k.plural));
const WRITE_VERBS = new Set(["create", "update", "patch", "delete"]);

/** The operator's writes in `namespace`: its children and any status (the test writes neither). */
export const operatorWriteIn =
  (namespace: string) =>
  (r: RecordedRequest): boolean =>
    r.namespace === namespace &&
    WRITE_VERBS.has(r.verb) &&
    (r.subresource === "status" || (!r.subresource && CHILD_RESOURCES.has(r.resource ?? "")));

/** `kind/name` of every object in `namespace` that SERVICE owns, sorted. */
export async function childrenOf(client: KubeClient, namespace: string): Promise<string[]> {
  const children: string[] = [];
  for (const kind of CHILD_KINDS) {
    const { items } = await client.listAll(kind, { namespace });
    for (const obj of items) {
      const owned = obj.metadata?.ownerReferences?.some(
        (o) => o.kind === "ModerationService" && o.name === SERVICE && o.controller,
      );
      if (owned) children.push(`${kind.kind}/${obj.metadata?.name}`);
    }
  }
  return children.sort();
}

/**
 * Plays the kubelets until SERVICE is rolled out, then checks what the operator claims against
 * what exists: status for the current generation, Ready only with a ready revision, exactly the
 * reference children (so one revision, nothing duplicated or left behind), and another
 * reconcile finds nothing to write. Returns the service and the requests the emulator answered
 * on the way (the steady-state check starts a new request log).
 */
export async function expectConverged(
  env: ResilienceEnv,
  namespace: string,
  check: { children: boolean } = { children: true },
): Promise<{ service: WithStatus; requests: RecordedRequest[] }> {
  // A rollout that is Active from before the last spec change is not convergence: wait for
  // the status to speak of the current generation too.
  const svc = await waitFor(
    async () => {
      const current = await simulateUntilActive(env.cluster, env.client, namespace, SERVICE);
      return current.status?.observedGeneration === current.metadata?.generation ? current : undefined;
    },
    { message: `ModerationService ${SERVICE} to observe its generation` },
  );
  const generation = svc.metadata?.generation;
  expect(svc.status?.observedGeneration).toBe(generation);
  for (const type of ["Ready", "Progressing", "Degraded"]) {
    expect(conditionOf(svc, type)?.observedGeneration, type).toBe(generation);
  }
  expect(conditionOf(svc, "Ready")).toMatchObject({ status: "True", reason: "Serving" });
  expect(conditionOf(svc, "Degraded")?.status).toBe("False");

  const revisions = await revisionDeployments(env.client, namespace, SERVICE);
  expect(revisions.map((d) => d.metadata?.name)).toHaveLength(1);
  const revision = revisions[0] as LiveDeployment;
  const rollout = svc.status?.rollout as { phase?: string; activeRevision?: string } | undefined;
  expect(revision.metadata?.name).toBe(`${SERVICE}-${rollout?.activeRevision}`);
  expect(revision.status?.readyReplicas).toBe(revision.spec?.replicas);
  expect(svc.status?.readyReplicas).toBe(revision.status?.readyReplicas);

  if (check.children) expect(await childrenOf(env.client, namespace)).toEqual(env.referenceChildren);
  const requests = [...env.emulator.requests];
  const again = await writesOfAnotherReconcile(env.cluster, env.operator, namespace, SERVICE);
  expect(again.recorded).toEqual([]);
  expect(again.operatorWrites).toBe(0);
  return { service: svc, requests };
}
