import { describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.js";
import { ApiError } from "../core/errors.js";
import type { KubeClient, KubeRequest } from "../core/kubeclient.js";
import { VerticalPodAutoscalerDiscovery } from "./vpa-discovery.js";

/** Answers discovery requests from a script: a resource list, or an HTTP status to fail with. */
function scriptedClient(answers: ({ resources: { name: string }[] } | number)[]) {
  const requests: KubeRequest[] = [];
  const client = {
    async request(req: KubeRequest) {
      requests.push(req);
      const answer = answers.shift();
      if (answer === undefined) throw new Error("unexpected request");
      if (typeof answer === "number") throw new ApiError(answer, "discovery", req.path);
      return answer;
    },
  } as unknown as KubeClient;
  return { client, requests };
}

const SERVED = { resources: [{ name: "verticalpodautoscalers" }, { name: "verticalpodautoscalers/status" }] };

describe("VerticalPodAutoscalerDiscovery", () => {
  it("asks the group version's discovery document and caches the answer for the TTL", async () => {
    const clock = new ManualClock();
    const { client, requests } = scriptedClient([404, SERVED]);
    const discovery = new VerticalPodAutoscalerDiscovery({ ttlMs: 1_000 });
    expect(await discovery.isServed(client, clock)).toBe(false);
    expect(requests.map((r) => r.path)).toEqual(["/apis/autoscaling.k8s.io/v1"]);
    clock.advance(999);
    expect(await discovery.isServed(client, clock)).toBe(false);
    expect(requests).toHaveLength(1);
    // Installed since: noticed once the cached answer expires.
    clock.advance(1);
    expect(await discovery.isServed(client, clock)).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it("is false for a group version that serves other resources only", async () => {
    const { client } = scriptedClient([{ resources: [{ name: "verticalpodautoscalercheckpoints" }] }]);
    expect(await new VerticalPodAutoscalerDiscovery().isServed(client, new ManualClock())).toBe(false);
  });

  it("shares one request among concurrent callers", async () => {
    const { client, requests } = scriptedClient([SERVED]);
    const discovery = new VerticalPodAutoscalerDiscovery();
    const clock = new ManualClock();
    expect(await Promise.all([discovery.isServed(client, clock), discovery.isServed(client, clock)])).toEqual(
      [true, true],
    );
    expect(requests).toHaveLength(1);
  });

  it("keeps the last answer through a failing discovery request, and fails without one", async () => {
    const clock = new ManualClock();
    const { client } = scriptedClient([503, SERVED, 500]);
    const discovery = new VerticalPodAutoscalerDiscovery({ ttlMs: 10 });
    await expect(discovery.isServed(client, clock)).rejects.toThrow(/503/);
    expect(await discovery.isServed(client, clock)).toBe(true);
    clock.advance(10);
    expect(await discovery.isServed(client, clock)).toBe(true);
  });
});
