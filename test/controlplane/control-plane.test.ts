// The test control plane itself: what global-setup.ts provides is a real kube-apiserver with
// RBAC, token authentication and kube-controller-manager, PodSimulator makes a Deployment
// available through the real controllers, and a control plane of its own stops cleanly.
import { existsSync } from "node:fs";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { raw } from "../contract/harness.js";
import { startControlPlane } from "./control-plane.js";
import { SIMULATED_NODE } from "./pod-simulator.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ installCrds: false });
});
afterAll(async () => {
  await cluster?.close();
});

describe("the shared control plane", () => {
  it("is a real kube-apiserver (not the emulator) behind TLS the kubeconfig trusts", async () => {
    expect(cluster.emulator).toBeUndefined();
    const server = cluster.kubeConfig.getCurrentCluster()?.server ?? "";
    expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = (await raw(cluster.kubeConfig, "GET", "/version")).json<{ gitVersion: string }>();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });

  it("authenticates by token and authorizes with RBAC", async () => {
    const stranger = new KubeConfig();
    const current = cluster.kubeConfig.getCurrentCluster()!;
    stranger.loadFromOptions({
      clusters: [current],
      users: [{ name: "stranger", token: "not-a-token" }],
      contexts: [{ name: "c", cluster: current.name, user: "stranger" }],
      currentContext: "c",
    });
    expect((await raw(stranger, "GET", "/api/v1/namespaces")).status).toBe(401);
    const review = await raw(
      cluster.kubeConfig,
      "POST",
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: "someone",
          resourceAttributes: { verb: "list", resource: "secrets", namespace: "default" },
        },
      },
    );
    expect(review.json<{ status: { allowed: boolean } }>().status.allowed).toBe(false);
  });

  it("runs kube-controller-manager: new namespaces get their ServiceAccount and root CA", async () => {
    const namespace = await cluster.newNamespace("kcm");
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await expect
      .poll(
        async () =>
          (await core.listNamespacedServiceAccount({ namespace })).items.map((s) => s.metadata?.name),
        {
          timeout: 30_000,
        },
      )
      .toContain("default");
    await expect
      .poll(
        async () => (await core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name),
        {
          timeout: 30_000,
        },
      )
      .toContain("kube-root-ca.crt");
  });

  it("makes a Deployment available through the real ReplicaSet and Deployment controllers", async () => {
    const namespace = await cluster.newNamespace("pods");
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const labels = { app: "web" };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              initContainers: [{ name: "init", image: "registry.example/init:1" }],
              containers: [{ name: "app", image: "registry.example/app:1" }],
            },
          },
        },
      },
    });
    await cluster.workloads!.setDeploymentReady(namespace, "web");
    const deployment = await apps.readNamespacedDeployment({ namespace, name: "web" });
    expect(deployment.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(deployment.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");
    const pods = await core.listNamespacedPod({ namespace });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).toBe(SIMULATED_NODE);
      expect(pod.status?.phase).toBe("Running");
      expect(pod.metadata?.ownerReferences?.[0]?.kind).toBe("ReplicaSet");
    }
  });
});

describe("a control plane of its own", () => {
  it("starts without kube-controller-manager and removes its processes and files on stop", async () => {
    const plane = await startControlPlane({ controllerManager: false });
    const core = plane.kubeConfig.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain("default");
    expect(existsSync(plane.kubeconfigPath)).toBe(true);
    await plane.stop();
    expect(existsSync(plane.dir)).toBe(false);
    expect((await raw(plane.kubeConfig, "GET", "/version").catch((err: Error) => err)) instanceof Error).toBe(
      true,
    );
  });
});
