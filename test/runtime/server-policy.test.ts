// Policy decisions through the real server: language overrides (given and detected), term-list
// evasions, and hot reload of the policy file including an invalid revision. The thresholds
// are 0 ("every text meets them") so the expected action never depends on the model's weights.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { waitFor } from "../harness/index.js";
import { getJson, makeTempDir, metricValue, postJson, startTestRuntime } from "./support/runtime.js";

const policyYaml = (generation: number, baseAction: "flag" | "review" | "block" = "flag"): string => `
apiVersion: moderation.vigil.dev/v1alpha1
kind: Policy
metadata: { name: test-policy, generation: ${generation} }
spec:
  categories:
    toxicity: { ${baseAction}: 0 }
  terms:
    block: ["idiot", "kill yourself"]
    allow: ["idiot proof"]
  languages:
    de:
      categories:
        toxicity: { review: 0 }
      terms:
        block: ["Dummkopf"]
  categoryMap: { toxicity: harassment }
`;

let runtime: RunningRuntime;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let policyFile: string;

beforeAll(async () => {
  temp = await makeTempDir();
  policyFile = path.join(temp.dir, "policy.yaml");
  await writeFile(policyFile, policyYaml(1));
  runtime = await startTestRuntime({ VIGIL_POLICY_FILE: policyFile, VIGIL_POLICY_POLL_MS: "100" });
});
afterAll(async () => {
  await runtime.stop();
  await temp.remove();
});

async function classify(text: string, language?: string) {
  const res = await postJson(runtime, "/v1/classify", { text, ...(language ? { language } : {}) });
  expect(res.status).toBe(200);
  return { ...res.body.results[0], policy: res.body.policy };
}

describe("language overrides", () => {
  it("applies the override of the language the caller gives", async () => {
    const text = "the weather is nice today";
    expect((await classify(text, "en")).decision.action).toBe("flag");
    const de = await classify(text, "de");
    expect(de).toMatchObject({ language: "de", language_source: "request" });
    expect(de.decision.reasons).toEqual([
      { category: "toxicity", score: expect.any(Number), threshold: 0, action: "review" },
    ]);
    // Languages without an override use the base policy.
    expect((await classify(text, "fr")).decision.action).toBe("flag");
  });

  it("applies the override of the language it detects", async () => {
    const de = await classify("Ich wünsche dir einen wunderschönen Tag und viel Erfolg bei der Arbeit");
    expect(de).toMatchObject({ language: "de", language_source: "detected" });
    expect(de.decision.action).toBe("review");
    const es = await classify("Muchas gracias por tu ayuda, que tengas un buen día");
    expect(es).toMatchObject({ language: "es", language_source: "detected" });
    expect(es.decision.action).toBe("flag");
  });

  it("adds the override's terms for that language only", async () => {
    expect((await classify("so ein Dummkopf", "de")).decision).toMatchObject({
      action: "block",
      matched_terms: ["Dummkopf"],
    });
    expect((await classify("so ein Dummkopf", "en")).decision.matched_terms).toEqual([]);
  });
});

describe("term lists against evasions", () => {
  it.each([
    ["plain", "you idiot"],
    ["upper case", "YOU IDIOT"],
    ["zero-width characters", "you i\u200Bd\u200Ci\u200Do\u2060t"],
    ["Cyrillic homoglyphs", "you idі\u043Et"],
    ["Greek capitals", "you ΙDΙΟΤ"],
    ["fullwidth forms", "you ｉｄｉｏｔ"],
    ["mathematical letters", "you 𝐢𝐝𝐢𝐨𝐭"],
    ["soft hyphen", "you idi\u00ADot"],
    ["line break inside a phrase", "just kill\nyourself"],
  ])("blocks the term through %s", async (_case, text) => {
    const result = await classify(text, "en");
    expect(result.decision.action).toBe("block");
    expect(result.decision.matched_terms).toHaveLength(1);
  });

  it.each([
    ["a longer word", "that was idiotic"],
    ["an allow-listed phrase", "this design is idiot proof"],
  ])("does not match inside %s", async (_case, text) => {
    const result = await classify(text, "en");
    expect(result.decision.matched_terms).toEqual([]);
    expect(result.decision.action).toBe("flag");
  });

  it("reports term matches in the OpenAI API as flagged", async () => {
    const res = await postJson(runtime, "/v1/moderations", { input: "you ｉｄｉｏｔ" });
    expect(res.body.results[0].flagged).toBe(true);
  });
});

describe("hot reload", () => {
  it("applies a new policy revision without a restart, and keeps it when a bad one follows", async () => {
    const text = "reload probe text";
    const first = await classify(text, "en");
    expect(first.policy).toEqual({ name: "test-policy", generation: 1 });
    expect(first.decision.action).toBe("flag");

    await writeFile(policyFile, policyYaml(2, "block"));
    let second: Awaited<ReturnType<typeof classify>> | undefined;
    await waitFor(
      "generation 2 in responses",
      async () => (second = await classify(text, "en")).policy.generation === 2,
      15_000,
    );
    // The first answer under generation 2 is computed afresh, not generation 1's cached result.
    expect(second!.cached).toBe(false);
    expect(second!.decision.action).toBe("block");
    expect(await metricValue(runtime, 'vigil_policy_generation{policy="test-policy"}')).toBe(2);

    await writeFile(
      policyFile,
      "kind: Policy\nmetadata: { name: test-policy, generation: 3 }\nspec:\n  categories:\n    toxicity: { flag: 2 }\n",
    );
    await waitFor(
      "the rejection on /ready",
      async () => (await getJson(runtime, "/ready")).body.checks.policy.status !== "ok",
      15_000,
    );
    const ready = await getJson(runtime, "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks.policy).toMatchObject({
      status: "newer-revision-rejected",
      generation: 2,
      rejected: { message: expect.stringContaining("spec.categories.toxicity.flag") },
    });
    expect(await metricValue(runtime, "vigil_policy_reload_failures_total")).toBe(1);
    expect(await metricValue(runtime, "vigil_policy_file_valid")).toBe(0);
    const stillSecond = await classify(text, "en");
    expect(stillSecond.policy.generation).toBe(2);
    expect(stillSecond.decision.action).toBe("block");

    await writeFile(policyFile, policyYaml(4, "review"));
    await waitFor(
      "generation 4 in responses",
      async () => (await classify(text, "en")).policy.generation === 4,
      15_000,
    );
    expect((await classify(text, "en")).decision.action).toBe("review");
    expect((await getJson(runtime, "/ready")).body.checks.policy.status).toBe("ok");
    expect(await metricValue(runtime, "vigil_policy_file_valid")).toBe(1);
  });
});
