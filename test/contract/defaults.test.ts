// Contract: fields the apiserver fills in on built-in kinds (what a reconciler finds on the
// live object without having set it), and server-set fields of Namespaces, Jobs, Services
// and Secrets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment } from "./fixtures.js";
import { connect, waitFor, type Clients } from "./harness.js";

let c: Clients;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("defaults");
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("defaulting and server-set fields", () => {
  it("defaults a Deployment and its pod template", async () => {
    const d = await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("defaulted") });
    expect(d.spec).toMatchObject({
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    const pod = d.spec!.template.spec!;
    expect(pod).toMatchObject({
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      schedulerName: "default-scheduler",
      terminationGracePeriodSeconds: 30,
    });
    expect(pod.containers[0]).toMatchObject({
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
    });
    expect(pod.containers[0]!.ports?.[0]?.protocol).toBe("TCP");
    expect(pod.volumes?.[0]?.configMap?.defaultMode).toBe(420);
  });

  it("gives a Namespace the kubernetes finalizer, phase Active and its name label", async () => {
    const n = await c.core.readNamespace({ name: ns });
    expect(n.spec?.finalizers).toEqual(["kubernetes"]);
    expect(n.status?.phase).toBe("Active");
    expect(n.metadata?.labels?.["kubernetes.io/metadata.name"]).toBe(ns);
  });

  it("allocates a Service's cluster IP and keeps it when an update omits it", async () => {
    const s = await c.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: "svc" }, spec: { selector: { app: "x" }, ports: [{ port: 80 }] } },
    });
    expect(s.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(s.spec?.type).toBe("ClusterIP");
    expect(s.spec?.ports?.[0]).toMatchObject({ protocol: "TCP", targetPort: 80 });
    const replaced = await c.core.replaceNamespacedService({
      namespace: ns,
      name: "svc",
      body: {
        metadata: { name: "svc", resourceVersion: s.metadata!.resourceVersion },
        spec: { selector: { app: "y" }, ports: [{ port: 80 }] },
      },
    });
    expect(replaced.spec?.clusterIP).toBe(s.spec?.clusterIP);
  });

  it("selects a Job's pods by a generated controller-uid label", async () => {
    const j = await c.batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: "job" },
        spec: {
          template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1" }] } },
        },
      },
    });
    const uid = j.metadata!.uid!;
    expect(j.spec?.selector?.matchLabels?.["batch.kubernetes.io/controller-uid"]).toBe(uid);
    expect(j.spec?.template.metadata?.labels).toMatchObject({
      "batch.kubernetes.io/job-name": "job",
      "batch.kubernetes.io/controller-uid": uid,
    });
    expect(j.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
  });

  it("stores a Secret's stringData as base64 data", async () => {
    const s = await c.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "sec" }, stringData: { token: "hunter2" } },
    });
    expect(s.data).toEqual({ token: Buffer.from("hunter2").toString("base64") });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe("Opaque");
  });

  it("publishes the default ServiceAccount and root CA ConfigMap into a new namespace", async () => {
    const fresh = await c.cluster.newNamespace("fresh");
    await waitFor(
      "the default ServiceAccount",
      async () =>
        (await c.core.readNamespacedServiceAccount({ namespace: fresh, name: "default" })).metadata?.name,
    );
    await waitFor(
      "kube-root-ca.crt",
      async () =>
        (await c.core.readNamespacedConfigMap({ namespace: fresh, name: "kube-root-ca.crt" })).data?.[
          "ca.crt"
        ],
    );
  });
});
