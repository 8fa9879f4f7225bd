// The quality gate against the real runtime (real model, real Policy file, real HTTP): the
// shipped sample's golden set passes under the sample Policy; wrong expectations fail with
// the failures recorded; an unreachable preview or one on an older Policy is no verdict.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { CheckSample, Policy } from "../../crds/index.js";
import { renderPolicyFile } from "../../operator/desired/policy-configmap.js";
import { startTestRuntime } from "../runtime/support/runtime.js";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { freePort } from "../harness/index.js";
import {
  GateUnavailableError,
  p95,
  runQualityGate,
  type GateRun,
} from "../../operator/controllers/rollout/quality-gate.js";
import { gateSamples, parseSamples, SamplesError } from "../../operator/controllers/rollout/samples.js";
import { QUALITY_GATE_KEY_FILE } from "../../operator/desired/runtime-contract.js";

const SAMPLES_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../config/samples");
const GENERATION = 3;

let runtime: RunningRuntime;
let dir: string;
let golden: CheckSample[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-gate-"));
  const policy = parse(await readFile(path.join(SAMPLES_DIR, "policy.yaml"), "utf8")) as Policy;
  policy.metadata = { ...policy.metadata, namespace: "trust", generation: GENERATION };
  const policyFile = path.join(dir, "policy.yaml");
  await writeFile(policyFile, renderPolicyFile(policy));
  const model = parseAllDocuments(
    await readFile(path.join(SAMPLES_DIR, "modeldeployment.yaml"), "utf8"),
  )[0]?.toJS();
  golden = model.spec.strategy.blueGreen.checks.samples;
  runtime = await startTestRuntime({ VIGIL_POLICY_FILE: policyFile });
}, 60_000);

afterAll(async () => {
  await runtime?.stop({ drainDelay: false });
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = (overrides: Partial<GateRun> = {}): GateRun => ({
  url: runtime.url,
  revision: "bbbbbbbbbb",
  policyGeneration: GENERATION,
  samples: golden,
  minPassRate: 1,
  ...overrides,
});

describe("runQualityGate against the runtime", () => {
  it("passes the shipped golden set under the sample Policy and measures p95", async () => {
    const result = await runQualityGate(run(), { now: () => 1_000 });
    expect(result).toMatchObject({
      revision: "bbbbbbbbbb",
      policyGeneration: GENERATION,
      passed: golden.length,
      failed: 0,
      failures: [],
      verdict: "Passed",
      ranAt: 1_000,
    });
    expect(result.p95LatencyMs).toBeGreaterThan(0);
    expect(result.message).toContain(`${golden.length}/${golden.length} samples passed`);
  });

  it("fails a golden set the model does not meet, with text, expected and got", async () => {
    const wrong: CheckSample[] = [
      ...golden,
      { text: "have a lovely afternoon, friend", expect: { action: "block", categories: ["threat"] } },
    ];
    const result = await runQualityGate(run({ samples: wrong }), { now: () => 1_000 });
    expect(result.verdict).toBe("Failed");
    expect(result.failed).toBe(1);
    expect(result.failures).toEqual([
      { text: "have a lovely afternoon, friend", expected: "block [threat]", got: "allow" },
    ]);
    // A lower bar lets the same run pass.
    expect((await runQualityGate(run({ samples: wrong, minPassRate: 0.75 }), { now: () => 1 })).verdict).toBe(
      "Passed",
    );
  });

  it("fails on p95 latency above maxP95LatencyMs (latency from the injected monotonic clock)", async () => {
    let t = 0;
    const slow = { now: () => 1, monotonic: () => (t += 250) };
    const result = await runQualityGate(run({ maxP95LatencyMs: 200, concurrency: 1 }), slow);
    expect(result.p95LatencyMs).toBe(250);
    expect(result.verdict).toBe("Failed");
    expect(result.message).toContain("p95 250ms (max 200ms)");
  });

  it("gives no verdict when the preview serves another Policy generation", async () => {
    await expect(runQualityGate(run({ policyGeneration: GENERATION + 1 }), { now: () => 1 })).rejects.toThrow(
      new GateUnavailableError(
        `the preview serves Policy generation ${GENERATION}, not yet ${GENERATION + 1}`,
      ),
    );
  });

  it("gives no verdict when the preview does not answer", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(runQualityGate(run({ url }), { now: () => 1 })).rejects.toBeInstanceOf(GateUnavailableError);
  });
});

describe("gate samples", () => {
  it("joins inline samples and the ConfigMap's samples.yaml", () => {
    const samples = gateSamples(
      { samples: [{ text: "a", expect: { action: "allow" } }], samplesConfigMapRef: { name: "golden" } },
      { "samples.yaml": "- { text: b, expect: { action: block, categories: [threat] } }\n" },
    );
    expect(samples.map((s) => s.text)).toEqual(["a", "b"]);
  });

  it("names the bad entry, a missing key and a missing ConfigMap", () => {
    expect(() => parseSamples("samples:\n  - { text: x, expect: { action: maybe } }\n", "cm")).toThrow(
      new SamplesError("cm[0]: expect.action must be one of allow, flag, review, block"),
    );
    expect(() => gateSamples({ samplesConfigMapRef: { name: "g", key: "k" } }, {})).toThrow(
      "ConfigMap g has no key k",
    );
    expect(() => gateSamples({ samplesConfigMapRef: { name: "g" } }, undefined)).toThrow("does not exist");
  });

  it("p95 is the nearest rank", () => {
    expect(p95([])).toBeUndefined();
    expect(p95(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(19);
    expect(p95([5])).toBe(5);
  });
});

describe("runQualityGate against a runtime that asks for credentials", () => {
  let secured: RunningRuntime;
  let keysDir: string;
  const gateKey = "gate-key-0123456789abcdef";

  beforeAll(async () => {
    // The runtime pod's API keys directory: the user's key and the gate's, as the projected
    // volume lays them out (operator/desired/deployment.ts).
    keysDir = await mkdtemp(path.join(tmpdir(), "vigil-gate-keys-"));
    await writeFile(path.join(keysDir, "client-app"), "user-key-abcdef0123456789");
    await writeFile(path.join(keysDir, QUALITY_GATE_KEY_FILE), gateKey);
    secured = await startTestRuntime({
      VIGIL_POLICY_FILE: path.join(dir, "policy.yaml"),
      VIGIL_API_KEYS_DIR: keysDir,
    });
  }, 60_000);
  afterAll(async () => {
    await secured?.stop({ drainDelay: false });
    await rm(keysDir, { recursive: true, force: true });
  });

  it("passes with the gate's key", async () => {
    const result = await runQualityGate(run({ url: secured.url, apiKey: gateKey }), { now: () => 1_000 });
    expect(result.verdict).toBe("Passed");
  });

  it("gets no verdict without it (401), instead of a false failure", async () => {
    await expect(runQualityGate(run({ url: secured.url }), { now: () => 1_000 })).rejects.toThrow(
      GateUnavailableError,
    );
  });

  it("cannot use the review queue with the gate's key", async () => {
    const res = await fetch(`${secured.url}/v1/decisions`, { headers: { "x-api-key": gateKey } });
    expect(res.status).toBe(403);
  });
});
