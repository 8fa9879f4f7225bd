// Events: the same (object, type, reason, message) repeated becomes one Event with a count,
// updated at most once per interval; distinct Events per object are rate limited. Time is an
// injected clock, so the intervals are exact and nothing sleeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../operator/core/clock.js";
import { EventRecorder } from "../../operator/core/events.js";
import { Kinds } from "../../operator/core/kinds.js";
import { KubeClient, type KubeObject } from "../../operator/core/kubeclient.js";
import { OperatorMetrics } from "../../operator/core/metrics.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import { moderationService, testClient } from "./support.js";

type Event = KubeObject & {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject?: { name?: string; uid?: string; kind?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
};

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
  const svc = await client.create(Kinds.ModerationService, moderationService(namespace, "svc"));
  const clock = new ManualClock(Date.UTC(2025, 5, 1));
  const metrics = new OperatorMetrics();
  const recorder = new EventRecorder({
    client: new KubeClient(cluster.kubeConfig, { metrics }),
    clock,
    updateIntervalMs: 30_000,
    aggregationWindowMs: 600_000,
    burst: 5,
    refillIntervalMs: 60_000,
  });
  const events = async () =>
    (await client.listAll<Event>(Kinds.Event, { namespace })).items.filter(
      (e) => e.involvedObject?.uid === svc.metadata?.uid,
    );
  const writes = async () => {
    const counts = await metrics.apiRequests.get();
    return counts.values.filter((v) => v.labels.verb !== "get").reduce((sum, v) => sum + v.value, 0);
  };
  return { svc, clock, recorder, events, writes };
}

describe("EventRecorder", () => {
  it("turns 100 repeats into one Event whose count is updated at most once per interval", async () => {
    const { svc, clock, recorder, events, writes } = await setup("events-agg");
    // Repeats before the first write lands are folded into it.
    for (let i = 0; i < 100; i++) recorder.record(svc, "Warning", "ReconcileFailed", "policy missing");
    await recorder.settled();
    let list = await events();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      type: "Warning",
      reason: "ReconcileFailed",
      message: "policy missing",
      count: 100,
      involvedObject: { kind: "ModerationService", name: "svc", uid: svc.metadata?.uid },
    });
    expect(await writes()).toBe(1);

    // A crash loop repeating every second for two minutes: the count grows, updated every 30s.
    for (let s = 0; s < 120; s++) {
      clock.advance(1_000);
      recorder.record(svc, "Warning", "ReconcileFailed", "policy missing");
      await recorder.settled();
    }
    list = await events();
    expect(list).toHaveLength(1);
    expect(list[0]?.count).toBe(220);
    expect(list[0]?.lastTimestamp).toBe(new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"));
    expect(await writes()).toBe(1 + 4);
    await recorder.flush(); // nothing left to write
    expect(await writes()).toBe(1 + 4);
  });

  it("keeps different reasons or messages apart and rate-limits new Events per object", async () => {
    const { svc, recorder, events, clock } = await setup("events-limit");
    for (let i = 0; i < 20; i++) recorder.record(svc, "Warning", "ReconcileFailed", `attempt ${i} failed`);
    await recorder.flush();
    expect(await events()).toHaveLength(5); // the burst
    clock.advance(60_000); // one token back
    recorder.record(svc, "Normal", "Recovered", "all good");
    recorder.record(svc, "Normal", "Recovered", "again");
    await recorder.flush();
    const reasons = (await events()).map((e) => e.reason);
    expect(reasons.filter((r) => r === "Recovered")).toHaveLength(1);
  });

  it("starts a new Event once the aggregation window has passed", async () => {
    const { svc, recorder, events, clock } = await setup("events-window");
    recorder.record(svc, "Normal", "Scaled", "to 3");
    await recorder.flush();
    clock.advance(600_001);
    recorder.record(svc, "Normal", "Scaled", "to 3");
    await recorder.flush();
    const list = await events();
    expect(list).toHaveLength(2);
    expect(list.map((e) => e.count)).toEqual([1, 1]);
  });
});
