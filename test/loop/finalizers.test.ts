// The finalizer helper against the API: added once while the object lives, cleanup run when
// it is deleted, and a cleanup that keeps failing retried only until its deadline, after
// which the failure is reported and the object is let go.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../operator/core/clock.js";
import { isNotFound } from "../../operator/core/errors.js";
import { EventRecorder } from "../../operator/core/events.js";
import { handleFinalizer } from "../../operator/core/finalizers.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { moderationService, testClient, waitFor } from "./support.js";

const FINALIZER = "moderation.vigil.dev/backups";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.close();
});

async function setup(prefix: string) {
  const namespace = await cluster.newNamespace(prefix);
  const client = testClient(cluster.kubeConfig);
  await client.create(Kinds.ModerationService, moderationService(namespace, "svc"));
  const read = () => client.get<KubeObject>(Kinds.ModerationService, "svc", namespace);
  const gone = async () => {
    try {
      await read();
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  };
  return { namespace, client, read, gone };
}

describe("handleFinalizer", () => {
  it("adds the finalizer once, then cleans up and releases the object on deletion", async () => {
    const { namespace, client, read, gone } = await setup("fin-ok");
    const cleaned: string[] = [];
    const options = {
      client,
      kind: Kinds.ModerationService,
      finalizer: FINALIZER,
      deadlineMs: 60_000,
      cleanup: async (obj: KubeObject) => {
        cleaned.push(obj.metadata?.name ?? "");
      },
    };
    const first = await handleFinalizer(await read(), options);
    expect(first.deleting).toBe(false);
    const withFinalizer = await read();
    expect(withFinalizer.metadata?.finalizers).toEqual([FINALIZER]);
    const rv = withFinalizer.metadata?.resourceVersion;
    await handleFinalizer(withFinalizer, options);
    expect((await read()).metadata?.resourceVersion).toBe(rv); // no second write

    await client.delete(Kinds.ModerationService, "svc", namespace);
    const deleting = await read();
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    const outcome = await handleFinalizer(deleting, options);
    expect(outcome).toEqual({ deleting: true, cleanedUp: true });
    expect(cleaned).toEqual(["svc"]);
    await waitFor(gone, { message: "the object to be deleted" });
  });

  it("retries a failing cleanup until the deadline, then reports it and removes the finalizer", async () => {
    const { namespace, client, read, gone } = await setup("fin-fail");
    const recorder = new EventRecorder({ client });
    let attempts = 0;
    const clock = new ManualClock();
    const options = {
      client,
      kind: Kinds.ModerationService,
      finalizer: FINALIZER,
      deadlineMs: 10 * 60_000,
      clock,
      recorder,
      cleanup: async () => {
        attempts += 1;
        throw new Error("backup store unreachable");
      },
    };
    await handleFinalizer(await read(), options);
    await client.delete(Kinds.ModerationService, "svc", namespace);
    const deleting = await read();
    const deletedAt = Date.parse(deleting.metadata?.deletionTimestamp ?? "");
    clock.advance(deletedAt + 60_000 - clock.now());
    await expect(handleFinalizer(deleting, options)).rejects.toThrow("backup store unreachable");
    expect((await read()).metadata?.finalizers).toEqual([FINALIZER]);

    clock.advance(10 * 60_000);
    const outcome = await handleFinalizer(await read(), options);
    expect(outcome).toMatchObject({ deleting: true, cleanedUp: false, error: "backup store unreachable" });
    expect(attempts).toBe(2);
    await waitFor(gone, { message: "the object to be deleted" });
    await recorder.flush();
    const events = await client.listAll<KubeObject & { reason?: string; message?: string }>(Kinds.Event, {
      namespace,
    });
    const abandoned = events.items.find((e) => e.reason === "CleanupAbandoned");
    expect(abandoned?.message).toContain("backup store unreachable");
  });
});
