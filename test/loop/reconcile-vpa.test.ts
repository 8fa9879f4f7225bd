// Autoscaling children come and go with the spec: the VPA exists only when its CRD is served
// (discovery, re-checked so installing the VPA later is noticed) and the service asks for
// it, and the HPA only while autoscaling is on, with the Deployment's replicas left to it.
import { describe, expect, it } from "vitest";
import type { LiveDeployment } from "../../operator/controllers/live-objects.js";
import { Kinds } from "../../operator/core/kinds.js";
import { ContentType, type KubeObject } from "../../operator/core/kubeclient.js";
import { verticalPodAutoscalerCrd } from "../apiserver/index.js";
import {
  applySamples,
  conditionOf,
  readOptional,
  waitForCondition,
  waitForRevision,
  simulateUntilActive,
  writesOfAnotherReconcile,
  type WithStatus,
  useOperatorCluster,
} from "./reconcile-support.js";
import { canSimulateWorkloads, emulatorOf, onEmulator, testClient, waitFor } from "./support.js";

const PRODUCTION = ["modeldeployment-gpu.yaml", "policy.yaml", "moderationservice-production.yaml"];
const SERVICE = "comments-prod";

const env = useOperatorCluster();

/** The GPU sample's quality gate reads its golden set from this ConfigMap. */
async function applyGoldenSet(namespace: string): Promise<void> {
  await client().create(Kinds.ConfigMap, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "golden-set", namespace },
    data: {
      "samples.yaml": [
        '- { text: "have a nice day", expect: { action: allow } }',
        '- { text: "I will find you and hurt you", expect: { action: block, categories: [threat] } }',
      ].join("\n"),
    },
  });
}
const client = () => testClient(env.cluster.kubeConfig);

type Vpa = KubeObject & {
  spec?: {
    targetRef?: { name?: string };
    updatePolicy?: { updateMode?: string };
    resourcePolicy?: { containerPolicies?: { controlledResources?: string[] }[] };
  };
};
type Hpa = KubeObject & {
  spec?: { scaleTargetRef?: { name?: string }; minReplicas?: number; maxReplicas?: number };
};

describe("autoscaling children", () => {
  // Installing a CRD is cluster-wide and the VPA add-on may or may not be on a real cluster:
  // this needs the emulator, where the test decides whether the CRD exists.
  it.skipIf(!onEmulator)(
    "creates the VPA only once its CRD is served, and removes it when no longer asked for",
    async () => {
      const namespace = await env.cluster.newNamespace("vpa");
      await applyGoldenSet(namespace);
      await applySamples(client(), namespace, PRODUCTION);
      const deployment = await waitForRevision(client(), namespace, SERVICE);
      // The VPA (like the HPA) acts on the active revision, which exists once it passed the gate.
      await simulateUntilActive(env.cluster, client(), namespace, SERVICE);

      const absent = await waitForCondition(client(), Kinds.ModerationService, namespace, SERVICE, {
        type: "VerticalAutoscalingUnavailable",
        status: "True",
        reason: "VerticalPodAutoscalerUnavailable",
      });
      expect(conditionOf(absent, "VerticalAutoscalingUnavailable")?.message).toContain(
        "CRD is not installed",
      );
      // The rest of the service is not held back by the missing add-on.
      expect(conditionOf(absent, "Degraded")).toMatchObject({ status: "False" });

      emulatorOf(env.cluster).installCrd(verticalPodAutoscalerCrd);
      const vpa = await waitFor(
        () => readOptional<Vpa>(client(), Kinds.VerticalPodAutoscaler, namespace, SERVICE),
        {
          message: "the VPA to be created once the CRD is served",
        },
      );
      expect(vpa.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "ModerationService",
        name: SERVICE,
        controller: true,
      });
      expect(vpa.spec?.targetRef?.name).toBe(deployment.metadata?.name);
      // The HPA scales on CPU, so the VPA may only manage memory.
      expect(vpa.spec?.resourcePolicy?.containerPolicies?.[0]?.controlledResources).toEqual(["memory"]);
      expect(vpa.spec?.updatePolicy?.updateMode).toBe("Initial");
      await waitFor(
        async () => {
          const svc = await client().get<WithStatus>(Kinds.ModerationService, SERVICE, namespace);
          return conditionOf(svc, "VerticalAutoscalingUnavailable") === undefined;
        },
        { message: "the VerticalAutoscalingUnavailable condition to go" },
      );

      // Every feature of the production sample (HPA with behavior, VPA, PDB, network peers,
      // secrets) is applied in the form the API server keeps: reconciling again writes nothing.
      expect(await writesOfAnotherReconcile(env.cluster, env.operator, namespace, SERVICE)).toEqual({
        operatorWrites: 0,
        recorded: [],
      });

      await client().patch(
        Kinds.ModerationService,
        { name: SERVICE, namespace },
        { spec: { verticalAutoscaling: null } },
      );
      await waitFor(
        async () =>
          (await readOptional(client(), Kinds.VerticalPodAutoscaler, namespace, SERVICE)) === undefined,
        {
          message: "the VPA to be deleted",
        },
      );
    },
  );

  // The HPA targets the active revision, which exists once a revision passed the quality gate:
  // that needs pods, simulated on the emulator and on test/controlplane; a cluster whose
  // kubelets would run the pods themselves skips it.
  it.skipIf(!canSimulateWorkloads)(
    "leaves replicas to the HPA while autoscaling is on, and takes them back when it is off",
    async () => {
      const namespace = await env.cluster.newNamespace("hpa");
      await applyGoldenSet(namespace);
      await applySamples(client(), namespace, PRODUCTION);
      await waitForRevision(client(), namespace, SERVICE);
      await simulateUntilActive(env.cluster, client(), namespace, SERVICE);
      const deployment = await waitForRevision(client(), namespace, SERVICE);
      const hpa = await waitFor(
        () => readOptional<Hpa>(client(), Kinds.HorizontalPodAutoscaler, namespace, SERVICE),
        {
          message: "the HPA",
        },
      );
      expect(hpa.spec).toMatchObject({
        scaleTargetRef: { name: deployment.metadata?.name },
        minReplicas: 3,
        maxReplicas: 20,
      });
      const managed = (deployment.metadata?.managedFields ?? []) as {
        manager?: string;
        fieldsV1?: { "f:spec"?: object };
      }[];
      const ours = managed.find((m) => m.manager === "vigil-operator");
      expect(Object.keys(ours?.fieldsV1?.["f:spec"] ?? {})).not.toContain("f:replicas");
      // The HPA scales the Deployment (through /scale, as the HPA controller does); the operator
      // leaves that alone on its next reconcile. Emulator only: on a real cluster the HPA
      // controller would move the replicas again while the test counts writes.
      if (onEmulator) {
        await client().patch(
          Kinds.Deployment,
          { name: deployment.metadata!.name!, namespace, subresource: "scale" },
          { spec: { replicas: 5 } },
          ContentType.mergePatch,
          { fieldManager: "horizontal-pod-autoscaler" },
        );
        expect(await writesOfAnotherReconcile(env.cluster, env.operator, namespace, SERVICE)).toMatchObject({
          operatorWrites: 0,
        });
        const scaled = await client().get<LiveDeployment>(
          Kinds.Deployment,
          deployment.metadata!.name!,
          namespace,
        );
        expect(scaled.spec?.replicas).toBe(5);
      }

      await client().patch(
        Kinds.ModerationService,
        { name: SERVICE, namespace },
        { spec: { autoscaling: null, replicas: 4 } },
      );
      await waitFor(
        async () =>
          (await readOptional(client(), Kinds.HorizontalPodAutoscaler, namespace, SERVICE)) === undefined,
        {
          message: "the HPA to be deleted",
        },
      );
      await waitFor(
        async () => {
          const d = await client().get<LiveDeployment>(
            Kinds.Deployment,
            deployment.metadata!.name!,
            namespace,
          );
          return d.spec?.replicas === 4;
        },
        { message: "the Deployment to get the service's replicas" },
      );
    },
  );
});
