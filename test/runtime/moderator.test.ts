import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisabledResultCache } from "../../runtime/cache/result-cache.js";
import { DEFAULT_POLICY_FILE } from "../../runtime/config.js";
import { DiscardingDecisionSink } from "../../runtime/decisions/decision-sink.js";
import type { Classification } from "../../runtime/inference/text-classifier.js";
import { Moderator } from "../../runtime/moderation/moderator.js";
import { PolicyStore } from "../../runtime/policy/policy-store.js";
import { RuntimeMetrics } from "../../runtime/server/metrics.js";
import { waitFor } from "../harness/index.js";
import { FakeClassifier } from "./support/fake-classifier.js";
import { DEFAULT_LABELS } from "./support/runtime.js";

/** Holds every classification until the test releases it. */
class HeldClassifier extends FakeClassifier {
  private held: (() => void)[] = [];
  override async classify(text: string): Promise<Classification> {
    await new Promise<void>((resolve) => this.held.push(resolve));
    return super.classify(text);
  }
  get waiting(): number {
    return this.held.length;
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

let policies: PolicyStore;
beforeAll(async () => {
  policies = await PolicyStore.open(DEFAULT_POLICY_FILE, { labels: DEFAULT_LABELS, pollMs: 0 });
});
afterAll(() => policies.close());

describe("Moderator", () => {
  it("runs concurrent requests for the same text once", async () => {
    const classifier = new HeldClassifier();
    const moderator = new Moderator({
      classifier,
      languages: { detect: () => "en" },
      policies,
      cache: new DisabledResultCache(),
      decisions: new DiscardingDecisionSink(),
      metrics: new RuntimeMetrics(),
    });
    const request = (language?: string) =>
      moderator.moderate({ texts: ["toxic text"], language, api: "classify", requestId: "r" });
    const outcomes = Promise.all([request(), request(), request("de")]);
    // Two computations: one for the shared text without a language, one for "de".
    await waitFor("both classifications to start", async () => classifier.waiting === 2);
    classifier.release();
    const [a, b, de] = await outcomes;
    expect(classifier.calls).toEqual(["toxic text", "toxic text"]);
    // Same result; each request still gets a decision (and decision id) of its own.
    const { decisionId: idA, ...resultA } = a.results[0]!;
    const { decisionId: idB, ...resultB } = b.results[0]!;
    expect(resultA).toEqual(resultB);
    expect(idA).not.toBe(idB);
    expect(a.results[0]!.decision.action).toBe("block");
    expect(de.results[0]!.language).toBe("de");
    // Once finished, the text is computed again (no cache here): nothing stays in flight.
    const again = request();
    await waitFor("the next classification", async () => classifier.waiting === 1);
    classifier.release();
    await again;
    expect(classifier.calls).toHaveLength(3);
  });
});
