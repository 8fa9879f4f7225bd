// Two operator instances race for one Lease. Only the leader reconciles; when it dies the
// other takes over once the Lease expires (not before); a graceful stop hands over at once;
// a leader that cannot renew stops reconciling before anyone else may start. A shared
// probe over both instances checks that two reconciles never overlap.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Kinds } from "../../operator/core/kinds.js";
import type { Manager } from "../../operator/core/manager.js";
import { startTestCluster, type TestCluster } from "../apiserver/index.js";
import {
  ConcurrencyProbe,
  configMap,
  emulatorOf,
  onEmulator,
  testClient,
  testManager,
  waitFor,
} from "./support.js";

const LEASE = {
  name: "vigil-test-leader",
  leaseDurationMs: 3_000,
  renewDeadlineMs: 2_000,
  retryPeriodMs: 400,
};

let cluster: TestCluster;
const managers: Manager[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterEach(async () => {
  cluster?.emulator?.faults.clear();
  await Promise.all(managers.splice(0).map((m) => m.kill()));
});

afterAll(async () => {
  await cluster?.close();
});

interface Span {
  identity: string;
  start: number;
  end?: number;
}

/** Starts two instances that reconcile one ConfigMap every 50ms while they lead. */
async function race(prefix: string) {
  const namespace = await cluster.newNamespace(prefix);
  await testClient(cluster.kubeConfig).create(Kinds.ConfigMap, configMap(namespace, "work"));
  const probe = new ConcurrencyProbe();
  const spans: Span[] = [];
  const start = async (identity: string) => {
    const manager = testManager(cluster.kubeConfig, {
      namespaces: [namespace],
      identity,
      leaderElection: { namespace, ...LEASE },
    });
    manager.add({
      name: "work",
      for: Kinds.ConfigMap,
      reconcile: async (key, ctx) => {
        if (ctx.name !== "work") return;
        // One key never runs twice at once within an instance, so any overlap is across instances.
        return probe.run(key, async () => {
          const span: Span = { identity, start: Date.now() };
          spans.push(span);
          try {
            await ctx.client.get(Kinds.ConfigMap, ctx.name, ctx.namespace);
          } finally {
            span.end = Date.now();
          }
          return { requeueAfterMs: 50 };
        });
      },
    });
    managers.push(manager);
    await manager.start();
    return manager;
  };
  const [a, b] = await Promise.all([start("instance-a"), start("instance-b")]);
  const leader = await waitFor(() => [a, b].find((m) => m.isLeader()), { message: "a leader" });
  const follower = leader === a ? b : a;
  const reconciledBy = (m: Manager) => spans.filter((s) => s.identity === m.identity);
  await waitFor(() => reconciledBy(leader).length >= 3, { message: "the leader to reconcile" });
  expect(follower.isLeader()).toBe(false);
  expect(reconciledBy(follower)).toEqual([]);
  return { namespace, leader, follower, probe, spans, reconciledBy };
}

describe("leader election", () => {
  it("hands over within the lease duration when the leader dies, never before it expires", async () => {
    const { leader, follower, probe, reconciledBy } = await race("le-kill");
    const killedAt = Date.now();
    await leader.kill(); // no Lease release: what a crashed pod leaves behind
    const firstSpan = await waitFor(() => reconciledBy(follower)[0], {
      message: "the follower to take over",
    });
    const handover = firstSpan.start - killedAt;
    // The last renewal was at most one retry period before the kill; the follower waits a
    // full lease duration from when it saw that renewal, then retries every 400-880ms.
    expect(handover).toBeGreaterThanOrEqual(LEASE.leaseDurationMs - 2 * LEASE.retryPeriodMs);
    expect(handover).toBeLessThanOrEqual(LEASE.leaseDurationMs + 3 * LEASE.retryPeriodMs + 1_000);
    const leaderSpans = reconciledBy(leader);
    expect(Math.max(...leaderSpans.map((s) => s.end ?? Infinity))).toBeLessThanOrEqual(firstSpan.start);
    expect(probe.max).toBe(1);
  });

  it("hands over without waiting for expiry when the leader stops gracefully and releases the Lease", async () => {
    const { namespace, leader, follower, probe, reconciledBy } = await race("le-release");
    const stoppedAt = Date.now();
    await leader.stop({ releaseLease: true });
    const lease = await testClient(cluster.kubeConfig).get<{ spec?: { holderIdentity?: string } }>(
      Kinds.Lease,
      LEASE.name,
      namespace,
    );
    expect([undefined, "", follower.identity]).toContain(lease.spec?.holderIdentity);
    const firstSpan = await waitFor(() => reconciledBy(follower)[0], {
      message: "the follower to take over",
    });
    expect(firstSpan.start - stoppedAt).toBeLessThan(LEASE.leaseDurationMs);
    expect(probe.max).toBe(1);
  });

  it.skipIf(!onEmulator)(
    "stops a leader that cannot renew before the Lease can expire for the other instance",
    async () => {
      const emulator = emulatorOf(cluster);
      const { namespace, leader, follower, probe, reconciledBy } = await race("le-lost");
      let lostAt = 0;
      void leader.leadershipLost.then(() => (lostAt = Date.now()));
      // The apiserver stops answering Lease requests (both instances see the outage).
      emulator.faults.failNext(100_000, {
        status: 500,
        match: (r) => r.resource === "leases" && r.namespace === namespace,
      });
      const outageAt = Date.now();
      await waitFor(() => lostAt > 0, { message: "the leader to give up" });
      expect(leader.isLeader()).toBe(false);
      expect(lostAt - outageAt).toBeLessThanOrEqual(LEASE.renewDeadlineMs + LEASE.retryPeriodMs + 500);
      // Losing the Lease is reported only after the leader's reconciles have stopped.
      const lastLeaderEnd = Math.max(...reconciledBy(leader).map((s) => s.end ?? Infinity));
      expect(lastLeaderEnd).toBeLessThanOrEqual(lostAt);
      emulator.faults.clear();
      const firstSpan = await waitFor(() => reconciledBy(follower)[0], {
        message: "the follower to take over",
      });
      expect(firstSpan.start).toBeGreaterThanOrEqual(lastLeaderEnd);
      expect(probe.max).toBe(1);
    },
  );
});
