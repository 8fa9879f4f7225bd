import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { PodPolicyProber, podIpResolver, type PodPolicyReport } from "./pod-policy-prober.js";

const pod = (name: string, ip?: string): V1Pod => ({
  metadata: { name },
  ...(ip && { status: { podIP: ip } }),
});

/** A fetch that answers /ready per host with the runtime's report shape, counting requests. */
function fakeRuntimes(policies: Record<string, { generation: number; rejected?: string } | "down">) {
  const asked: string[] = [];
  const fetch = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    asked.push(url.host);
    const policy = policies[url.hostname.replace(/^\[|\]$/g, "")];
    if (!policy || policy === "down") throw new TypeError("fetch failed");
    const body = {
      ready: true,
      checks: {
        policy: {
          status: policy.rejected ? "newer-revision-rejected" : "ok",
          generation: policy.generation,
          ...(policy.rejected && { rejected: { message: policy.rejected, at: "2026-01-01T00:00:00Z" } }),
        },
      },
    };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function prober(fetch: typeof globalThis.fetch, clock = new ManualClock(0)) {
  const changed: string[] = [];
  const p = new PodPolicyProber({
    resolveUrl: podIpResolver(8080),
    clock,
    intervalMs: 1000,
    timeoutMs: 500,
    fetch,
  });
  const stop = p.start((key) => changed.push(key));
  return { p, changed, clock, stop };
}

describe("PodPolicyProber", () => {
  it("asks each pod once, reports what it applies, and requeues the service when answers arrive", async () => {
    const runtimes = fakeRuntimes({
      "10.0.0.1": { generation: 3 },
      "fd00::2": { generation: 2, rejected: "bad file" },
    });
    const { p, changed } = prober(runtimes.fetch);
    const pods = [pod("a", "10.0.0.1"), pod("b", "fd00::2"), pod("c")];
    expect(p.observe("ns/svc", pods, 3).size).toBe(0);
    await settle();
    expect(changed).toEqual(["ns/svc"]);
    expect(Object.fromEntries(p.observe("ns/svc", pods, 3))).toEqual<Record<string, PodPolicyReport>>({
      a: { generation: 3 },
      b: { generation: 2, rejected: "bad file" },
      c: { unreachable: "the pod has no IP address yet" },
    });
    expect(runtimes.asked.sort()).toEqual(["10.0.0.1:8080", "[fd00::2]:8080"]);
  });

  it("asks lagging pods again every interval by itself, and requeues only when an answer changed", async () => {
    const policies: Record<string, { generation: number } | "down"> = { "10.0.0.1": { generation: 1 } };
    const runtimes = fakeRuntimes(policies);
    const { p, changed, clock } = prober(runtimes.fetch);
    p.observe("ns/svc", [pod("a", "10.0.0.1")], 2);
    await settle();
    expect(changed).toHaveLength(1);
    clock.advance(1000);
    await settle();
    expect(runtimes.asked).toHaveLength(2);
    expect(changed).toHaveLength(1);

    policies["10.0.0.1"] = { generation: 2 };
    clock.advance(1000);
    await settle();
    expect(changed).toHaveLength(2);
    expect(p.observe("ns/svc", [pod("a", "10.0.0.1")], 2).get("a")).toEqual({ generation: 2 });
    // Nothing lags: no more polls until the pods or the generation change.
    clock.advance(5000);
    await settle();
    expect(runtimes.asked).toHaveLength(3);
  });

  it("reports a pod that does not answer as unreachable, and stops asking once stopped", async () => {
    const runtimes = fakeRuntimes({ "10.0.0.1": "down" });
    const { p, clock, stop } = prober(runtimes.fetch);
    p.observe("ns/svc", [pod("a", "10.0.0.1")], 1);
    await settle();
    expect(p.observe("ns/svc", [pod("a", "10.0.0.1")], 1).get("a")?.unreachable).toMatch(
      /^GET \/ready failed: /,
    );
    stop();
    clock.advance(10_000);
    await settle();
    expect(runtimes.asked).toHaveLength(1);
  });
});
