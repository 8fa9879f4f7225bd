// Shared by the reconcile-*.test.ts loop tests: the operator's real controllers in a test
// Manager, the shipped samples applied into a namespace, and readers for what the operator
// produced. Everything goes over HTTP to the emulator (or VIGIL_TEST_KUBECONFIG's cluster).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { Condition } from "../../crds/index.js";
import type { ControllerOptions } from "../../operator/controllers/index.js";
import type { LiveDeployment } from "../../operator/controllers/live-objects.js";
import { lookupKind, Kinds, type ResourceKind } from "../../operator/core/kinds.js";
import type { KubeClient, KubeObject } from "../../operator/core/kubeclient.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { startPreviewRuntime, type PreviewRuntime } from "./preview-runtime.js";
import {
  operatorWrites,
  quiesce,
  RUNTIME_IMAGE,
  startOperator,
  type OperatorUnderTest,
} from "./operator-under-test.js";
import { waitFor } from "./support.js";

export { operatorWrites, quiesce, RUNTIME_IMAGE, startOperator, type OperatorUnderTest };

const SAMPLES = fileURLToPath(new URL("../../config/samples/", import.meta.url));

/** The objects of a shipped sample file, placed in `namespace`. */
export function sample(file: string, namespace: string): KubeObject[] {
  return parseAllDocuments(readFileSync(`${SAMPLES}${file}`, "utf8")).map((doc) => {
    const obj = doc.toJS() as KubeObject;
    return { ...obj, metadata: { ...obj.metadata, namespace } };
  });
}

export function kindOf(obj: KubeObject): ResourceKind {
  const kind = lookupKind(obj.apiVersion ?? "", obj.kind ?? "");
  if (!kind) throw new Error(`no kind for ${obj.apiVersion} ${obj.kind}`);
  return kind;
}

/** Creates every object of the given sample files in `namespace`; returns them as created. */
export async function applySamples(
  client: KubeClient,
  namespace: string,
  files: string[],
): Promise<KubeObject[]> {
  const created: KubeObject[] = [];
  for (const file of files) {
    for (const obj of sample(file, namespace)) created.push(await client.create(kindOf(obj), obj));
  }
  return created;
}

export type WithStatus = KubeObject & {
  status?: { conditions?: Condition[]; observedGeneration?: number; [field: string]: unknown };
};

export function conditionOf(obj: WithStatus | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Polls `kind`/`name` until its condition `type` has `status` (and `reason`, when given). */
export async function waitForCondition<T extends WithStatus>(
  client: KubeClient,
  kind: ResourceKind,
  namespace: string,
  name: string,
  expected: { type: string; status: "True" | "False"; reason?: string },
): Promise<T> {
  return waitFor(
    async () => {
      const obj = await client.get<T>(kind, name, namespace);
      const condition = conditionOf(obj, expected.type);
      return condition?.status === expected.status &&
        (!expected.reason || condition.reason === expected.reason)
        ? obj
        : undefined;
    },
    {
      message: `${kind.kind} ${name} ${expected.type}=${expected.status}${expected.reason ? ` (${expected.reason})` : ""}`,
    },
  );
}

/** Reads an object, or undefined when it does not exist. */
export async function readOptional<T extends KubeObject>(
  client: KubeClient,
  kind: ResourceKind,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(kind, name, namespace);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** The revision Deployments of a service (by the instance label). */
export async function revisionDeployments(
  client: KubeClient,
  namespace: string,
  service: string,
): Promise<LiveDeployment[]> {
  const list = await client.listAll<LiveDeployment>(Kinds.Deployment, {
    namespace,
    labelSelector: `app.kubernetes.io/instance=${service}`,
  });
  return list.items;
}

/** Polls until the service has at least one revision Deployment; returns the first. */
export async function waitForRevision(
  client: KubeClient,
  namespace: string,
  service: string,
): Promise<LiveDeployment> {
  return waitFor(async () => (await revisionDeployments(client, namespace, service))[0], {
    message: `the revision Deployment of ${service}`,
  });
}

/**
 * Applies the samples and waits until the operator has converged them. Where pods can be
 * simulated (the emulator, test/controlplane) the revision is made ready and the service is
 * Ready; a cluster with kubelets cannot run the test image, so there it waits for the
 * service's status to observe its generation.
 */
export async function convergedSamples(
  cluster: TestCluster,
  client: KubeClient,
  namespace: string,
  files: string[],
  service: string,
): Promise<LiveDeployment> {
  await applySamples(client, namespace, files);
  const deployment = await waitForRevision(client, namespace, service);
  if (cluster.workloads) {
    await simulateUntilActive(cluster, client, namespace, service);
  } else {
    await waitFor(async () => {
      const svc = await client.get<WithStatus>(Kinds.ModerationService, service, namespace);
      return svc.status?.observedGeneration === svc.metadata?.generation;
    });
  }
  return client.get<LiveDeployment>(Kinds.Deployment, deployment.metadata?.name ?? "", namespace);
}

/**
 * Emulator only: plays the Deployment controller and kubelet for a service's spec revision
 * (every poll marks its current spec ready) until the rollout is Active, through the preview
 * size, the quality gate and the promotion's scale-up.
 */
export async function simulateUntilActive(
  cluster: TestCluster,
  client: KubeClient,
  namespace: string,
  service: string,
): Promise<WithStatus> {
  const workloads = cluster.workloads;
  if (!workloads) throw new Error("simulateUntilActive needs a cluster whose pods can be simulated");
  return waitFor(
    async () => {
      const svc = await client.get<WithStatus>(Kinds.ModerationService, service, namespace);
      const rollout = svc.status?.rollout as
        { phase?: string; previewRevision?: string; activeRevision?: string } | undefined;
      if (rollout?.phase === "Active" && conditionOf(svc, "Ready")?.status === "True") return svc;
      for (const hash of [rollout?.previewRevision, rollout?.activeRevision]) {
        const name = `${service}-${hash}`;
        if (hash && (await readOptional(client, Kinds.Deployment, namespace, name))) {
          await workloads.setDeploymentReady(namespace, name);
        }
      }
      return undefined;
    },
    {
      message: `ModerationService ${service} to roll out`,
      timeoutMs: 30_000,
    },
  );
}

/**
 * Lets the operator settle, then reconciles `namespace/service` again in every controller (as a
 * resync would) and returns the writes that caused: a converged service must cause none.
 */
export async function writesOfAnotherReconcile(
  cluster: TestCluster,
  operator: OperatorUnderTest,
  namespace: string,
  service: string,
): Promise<{ operatorWrites: number; recorded: string[] }> {
  await quiesce(operator);
  cluster.emulator?.resetRequests();
  const before = await operatorWrites(operator);
  const reconciled = operator.reconciles.get("moderationservice") ?? 0;
  for (const controller of operator.controllers.values()) controller.queue.add(`${namespace}/${service}`);
  await waitFor(() => (operator.reconciles.get("moderationservice") ?? 0) > reconciled, {
    message: "another reconcile",
  });
  await quiesce(operator);
  const recorded = (cluster.emulator?.writes() ?? [])
    .filter((r) => r.namespace === namespace)
    .map((r) => `${r.verb} ${r.resource}/${r.name ?? ""}${r.subresource ? `/${r.subresource}` : ""}`);
  return { operatorWrites: (await operatorWrites(operator)) - before, recorded };
}

export interface OperatorCluster {
  cluster: TestCluster;
  operator: OperatorUnderTest;
  /** The real runtime every preview Service resolves to (the samples carry a quality gate). */
  preview: PreviewRuntime;
}

/**
 * One emulator (garbage collection on), one preview runtime and one operator per test file,
 * torn down after it.
 */
export function useOperatorCluster(options: ControllerOptions = {}): OperatorCluster {
  const env = {} as OperatorCluster;
  beforeAll(async () => {
    env.cluster = await startTestCluster({ garbageCollection: true });
    env.preview = await startPreviewRuntime();
    env.operator = await startOperator(env.cluster, {
      resolvePreviewUrl: () => env.preview.url,
      ...options,
    });
  });
  afterAll(async () => {
    await env.operator?.stop();
    await env.preview?.stop();
    await env.cluster?.close();
  });
  return env;
}
