// `helm install` of charts/vigil into the real test control plane (kube-apiserver, etcd and
// kube-controller-manager; pods simulated): the API server accepts every object, the operator
// Deployment becomes available, the user roles aggregate into the built-in edit role, and
// `helm uninstall` removes the release but keeps the CRDs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiextensionsV1Api, AppsV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { goTool } from "../harness/go-tools.js";

const CHART = join(import.meta.dirname, "../../charts/vigil");
const CRDS = ["moderationservices", "modeldeployments", "policies"].map((p) => `${p}.moderation.vigil.dev`);

let cluster: TestCluster;
let kubeconfig: string;

beforeAll(async () => {
  cluster = await startTestCluster({ installCrds: false });
  kubeconfig = join(mkdtempSync(join(tmpdir(), "vigil-helm-")), "kubeconfig");
  writeFileSync(kubeconfig, cluster.kubeConfig.exportConfig(), { mode: 0o600 });
});
afterAll(async () => {
  await cluster?.close();
});

function helm(args: string[]) {
  const run = spawnSync(goTool("helm"), [...args, "--kubeconfig", kubeconfig], {
    encoding: "utf8",
    env: {
      ...process.env,
      HELM_CACHE_HOME: "/tmp/vigil-helm-cache",
      HELM_CONFIG_HOME: "/tmp/vigil-helm-config",
    },
  });
  if (run.status !== 0) throw new Error(`helm ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

describe("helm install into a real control plane", () => {
  it("installs, becomes available, aggregates user roles, and uninstalls keeping the CRDs", async () => {
    const namespace = await cluster.newNamespace("helm");
    const release = "vigil";
    helm([
      "install",
      release,
      CHART,
      "--namespace",
      namespace,
      "--set",
      "runtimeImage=registry.example/runtime:1",
    ]);

    const extensions = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
    for (const name of CRDS) {
      const crd = await extensions.readCustomResourceDefinition({ name });
      expect(crd.status?.conditions?.find((c) => c.type === "Established")?.status, name).toBe("True");
    }

    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    expect(cluster.workloads, "the control plane simulates pods").toBeDefined();
    await cluster.workloads!.setDeploymentReady(namespace, `${release}-operator`);
    const deployment = await apps.readNamespacedDeployment({ namespace, name: `${release}-operator` });
    expect(deployment.status?.availableReplicas).toBe(2);
    expect(deployment.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");

    // kube-controller-manager's clusterrole-aggregation controller folds vigil-editor into edit.
    const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await expect
      .poll(
        async () =>
          (await rbac.readClusterRole({ name: "edit" })).rules?.some(
            (r) => r.apiGroups?.includes("moderation.vigil.dev") && r.verbs.includes("patch"),
          ),
        { timeout: 30_000 },
      )
      .toBe(true);

    helm(["uninstall", release, "--namespace", namespace, "--wait"]);
    await expect
      .poll(async () => (await apps.listNamespacedDeployment({ namespace })).items.length, {
        timeout: 30_000,
      })
      .toBe(0);
    for (const name of CRDS)
      await expect(extensions.readCustomResourceDefinition({ name })).resolves.toBeDefined();
  });
});
