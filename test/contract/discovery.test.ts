// Contract: discovery documents list the built-in kinds Vigil uses with their verbs and
// subresources, and CRDs appear (and disappear) as they are created (and deleted).
import { ApiextensionsV1Api, KubernetesObjectApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verticalPodAutoscalerCrd } from "../apiserver/index.js";
import { connect, isGone, raw, waitFor, type Clients } from "./harness.js";

let c: Clients;

beforeAll(async () => {
  c = await connect();
});
afterAll(async () => {
  await c?.cluster.close();
});

interface Resource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
}
interface ResourceList {
  kind: string;
  groupVersion: string;
  resources: Resource[];
}
interface GroupList {
  kind: string;
  groups: {
    name: string;
    versions: { groupVersion: string; version: string }[];
    preferredVersion: { groupVersion: string };
  }[];
}

async function resources(path: string): Promise<ResourceList> {
  const res = await raw(c.kc, "GET", path);
  expect(res.status).toBe(200);
  return res.json<ResourceList>();
}

const VIGIL_BUILT_INS: [string, string, boolean][] = [
  ["/api/v1", "namespaces", false],
  ["/api/v1", "configmaps", true],
  ["/api/v1", "secrets", true],
  ["/api/v1", "services", true],
  ["/api/v1", "serviceaccounts", true],
  ["/api/v1", "events", true],
  ["/api/v1", "pods", true],
  ["/apis/coordination.k8s.io/v1", "leases", true],
  ["/apis/apps/v1", "deployments", true],
  ["/apis/apps/v1", "replicasets", true],
  ["/apis/batch/v1", "jobs", true],
  ["/apis/batch/v1", "cronjobs", true],
  ["/apis/autoscaling/v2", "horizontalpodautoscalers", true],
  ["/apis/policy/v1", "poddisruptionbudgets", true],
  ["/apis/networking.k8s.io/v1", "networkpolicies", true],
  ["/apis/rbac.authorization.k8s.io/v1", "roles", true],
  ["/apis/rbac.authorization.k8s.io/v1", "rolebindings", true],
  ["/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", false],
];

describe("discovery", () => {
  it("serves /api with the core version", async () => {
    const res = await raw(c.kc, "GET", "/api");
    expect(res.json()).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
  });

  it("lists the groups Vigil uses under /apis", async () => {
    const res = await raw(c.kc, "GET", "/apis");
    const list = res.json<GroupList>();
    expect(list.kind).toBe("APIGroupList");
    const versions = list.groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
    for (const gv of [
      "apps/v1",
      "batch/v1",
      "autoscaling/v2",
      "policy/v1",
      "networking.k8s.io/v1",
      "rbac.authorization.k8s.io/v1",
      "coordination.k8s.io/v1",
      "apiextensions.k8s.io/v1",
      "moderation.vigil.dev/v1alpha1",
    ])
      expect(versions).toContain(gv);
  });

  it.each(VIGIL_BUILT_INS)("%s lists %s with the standard verbs", async (path, name, namespaced) => {
    const list = await resources(path);
    expect(list.kind).toBe("APIResourceList");
    const r = list.resources.find((x) => x.name === name)!;
    expect(r).toBeDefined();
    expect(r.namespaced).toBe(namespaced);
    for (const verb of ["create", "delete", "get", "list", "patch", "update", "watch"])
      expect(r.verbs).toContain(verb);
  });

  it("lists status and scale subresources", async () => {
    const apps = await resources("/apis/apps/v1");
    expect(apps.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(["deployments/status", "deployments/scale"]),
    );
    const vigil = await resources("/apis/moderation.vigil.dev/v1alpha1");
    expect(vigil.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "policies",
        "policies/status",
        "moderationservices",
        "moderationservices/status",
        "moderationservices/scale",
        "modeldeployments",
      ]),
    );
  });

  it("serves a CRD's resources once it is established and stops after it is deleted", async () => {
    const ext = c.kc.makeApiClient(ApiextensionsV1Api);
    const crd = verticalPodAutoscalerCrd;
    const existed = (await raw(c.kc, "GET", "/apis/autoscaling.k8s.io/v1")).status === 200;
    if (!existed) {
      expect(
        (await raw(c.kc, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).status,
      ).toBe(201);
    }
    await waitFor(
      "the VPA resource to be served",
      async () => (await raw(c.kc, "GET", "/apis/autoscaling.k8s.io/v1")).status === 200,
    );
    const list = await resources("/apis/autoscaling.k8s.io/v1");
    expect(list.resources.find((r) => r.name === "verticalpodautoscalers")).toMatchObject({
      kind: "VerticalPodAutoscaler",
      namespaced: true,
      shortNames: ["vpa"],
    });
    // KubernetesObjectApi resolves kinds through discovery: it finds the new kind.
    const objects = KubernetesObjectApi.makeApiClient(c.kc);
    // A just-established CRD's storage may still be initializing: kube-apiserver answers 429
    // with Retry-After for a moment, and clients retry.
    const found = await waitFor("the VPA list", () =>
      objects.list("autoscaling.k8s.io/v1", "VerticalPodAutoscaler", "default"),
    );
    expect(found.items).toBeDefined();
    if (existed) return; // A real cluster's own VPA stays.
    await ext.deleteCustomResourceDefinition({ name: crd.metadata.name });
    await waitFor("the CRD to go", () =>
      isGone(() => ext.readCustomResourceDefinition({ name: crd.metadata.name })),
    );
    await waitFor(
      "the VPA resource to stop being served",
      async () => (await raw(c.kc, "GET", "/apis/autoscaling.k8s.io/v1")).status === 404,
    );
  });
});
