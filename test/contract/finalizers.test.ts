// Contract: finalizers keep a deleted object (with deletionTimestamp) until they are removed,
// no finalizer can be added once it is deleting, and deleting a namespace empties it.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, expectStatus, isGone, waitFor, type Clients } from "./harness.js";
import { deployment } from "./fixtures.js";

let c: Clients;
let ns: string;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const FINALIZER = "contract.vigil.dev/cleanup";

beforeAll(async () => {
  c = await connect();
  ns = await c.cluster.newNamespace("fin");
});
afterAll(async () => {
  await c?.cluster.close();
});

describe("finalizers", () => {
  it("keep a deleted object with deletionTimestamp until the last one is removed", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "held", finalizers: [FINALIZER, "other.example/x"] } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "held" });
    const deleting = await c.core.readNamespacedConfigMap({ namespace: ns, name: "held" });
    expect(deleting.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(deleting.metadata?.deletionGracePeriodSeconds).toBe(0);

    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "held", body: { metadata: { finalizers: ["other.example/x"] } } },
      merge,
    );
    expect(
      (await c.core.readNamespacedConfigMap({ namespace: ns, name: "held" })).metadata?.finalizers,
    ).toEqual(["other.example/x"]);

    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "held", body: { metadata: { finalizers: null } } },
      merge,
    );
    await waitFor("the object to go", () =>
      isGone(() => c.core.readNamespacedConfigMap({ namespace: ns, name: "held" })),
    );
  });

  it("forbid adding a finalizer to a deleting object", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "nofin", finalizers: [FINALIZER] } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "nofin" });
    const status = await expectStatus(
      c.core.patchNamespacedConfigMap(
        { namespace: ns, name: "nofin", body: { metadata: { finalizers: [FINALIZER, "late.example/y"] } } },
        merge,
      ),
      422,
      "Invalid",
    );
    expect(status.details?.causes?.[0]).toMatchObject({
      field: "metadata.finalizers",
      reason: "FieldValueForbidden",
    });
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "nofin", body: { metadata: { finalizers: null } } },
      merge,
    );
  });

  it("allow other changes to a deleting object, and a second delete changes nothing", async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "still", finalizers: [FINALIZER] }, data: { a: "1" } },
    });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "still" });
    const first = await c.core.readNamespacedConfigMap({ namespace: ns, name: "still" });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: "still" });
    const second = await c.core.readNamespacedConfigMap({ namespace: ns, name: "still" });
    expect(second.metadata?.deletionTimestamp?.getTime()).toBe(first.metadata?.deletionTimestamp?.getTime());
    const changed = await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "still", body: { data: { a: "2" } } },
      merge,
    );
    expect(changed.data).toEqual({ a: "2" });
    await c.core.patchNamespacedConfigMap(
      { namespace: ns, name: "still", body: { metadata: { finalizers: null } } },
      merge,
    );
    await waitFor("the object to go", () =>
      isGone(() => c.core.readNamespacedConfigMap({ namespace: ns, name: "still" })),
    );
  });

  it("bump generation when a generation-tracking object starts deleting", async () => {
    const body = deployment("fin-deploy");
    body.metadata!.finalizers = [FINALIZER];
    await c.apps.createNamespacedDeployment({ namespace: ns, body });
    await c.apps.deleteNamespacedDeployment({ namespace: ns, name: "fin-deploy" });
    const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: "fin-deploy" });
    expect(d.metadata?.generation).toBe(2);
    await c.apps.patchNamespacedDeployment(
      { namespace: ns, name: "fin-deploy", body: { metadata: { finalizers: null } } },
      merge,
    );
  });
});

describe("namespace deletion", () => {
  it("deletes the namespace's content, waits for finalizers, then the namespace", async () => {
    const doomed = await c.cluster.newNamespace("doomed");
    await c.core.createNamespacedConfigMap({ namespace: doomed, body: { metadata: { name: "plain" } } });
    await c.core.createNamespacedConfigMap({
      namespace: doomed,
      body: { metadata: { name: "held", finalizers: [FINALIZER] } },
    });
    await c.core.deleteNamespace({ name: doomed });
    const terminating = await c.core.readNamespace({ name: doomed });
    expect(terminating.status?.phase).toBe("Terminating");
    expect(terminating.metadata?.deletionTimestamp).toBeInstanceOf(Date);

    await waitFor("plain content to be deleted", () =>
      isGone(() => c.core.readNamespacedConfigMap({ namespace: doomed, name: "plain" })),
    );
    await waitFor(
      "held content to start deleting",
      async () =>
        (await c.core.readNamespacedConfigMap({ namespace: doomed, name: "held" })).metadata
          ?.deletionTimestamp,
    );
    const status = await expectStatus(
      c.core.createNamespacedConfigMap({ namespace: doomed, body: { metadata: { name: "late" } } }),
      403,
      "Forbidden",
    );
    expect(status.message).toContain(
      `unable to create new content in namespace ${doomed} because it is being terminated`,
    );

    await c.core.patchNamespacedConfigMap(
      { namespace: doomed, name: "held", body: { metadata: { finalizers: null } } },
      merge,
    );
    await waitFor("the namespace to go", () => isGone(() => c.core.readNamespace({ name: doomed })), 60_000);
  });
});
