// Starts the real runtime (real model, real onnxruntime workers, real HTTP port) for a test file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { loadConfig, type RuntimeConfig } from "../../../runtime/config.js";
import { startRuntime, type RunningRuntime } from "../../../runtime/server/start.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies; the tests check them field by field
export type JsonBody = any;

export const DEFAULT_LABELS = ["toxicity", "insult", "threat", "hate", "sexual", "self_harm", "violence"];

/** A running runtime on 127.0.0.1:<random port>, quiet logs, no decision output. */
export async function startTestRuntime(env: Record<string, string> = {}): Promise<RunningRuntime> {
  const config: RuntimeConfig = loadConfig({
    VIGIL_PORT: "0",
    VIGIL_HOST: "127.0.0.1",
    VIGIL_DECISION_LOG: "off",
    VIGIL_LOG_LEVEL: "silent",
    // Load shedding reacts to how busy the machine is; on a loaded CI runner it would turn
    // unrelated assertions into 503s. Tests of shedding (protection.test.ts) switch it on.
    VIGIL_MAX_EVENT_LOOP_DELAY_MS: "0",
    VIGIL_MAX_HEAP_USED_MB: "0",
    ...env,
  });
  const runtime = await startRuntime(config, { logger: pino({ level: "silent" }) });
  await runtime.modelReady;
  return runtime;
}

export async function postJson(
  runtime: RunningRuntime,
  url: string,
  body: unknown,
): Promise<{ status: number; headers: Headers; body: JsonBody }> {
  const response = await fetch(`${runtime.url}${url}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export async function getJson(
  runtime: RunningRuntime,
  url: string,
): Promise<{ status: number; body: JsonBody }> {
  const response = await fetch(`${runtime.url}${url}`);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** One metric sample's value from the Prometheus text format (undefined when absent). */
export async function metricValue(runtime: RunningRuntime, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${runtime.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

export async function makeTempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-runtime-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The environment without DATABASE_URL / REDIS_URL, so a test decides what a child process sees. */
export function withoutStorageEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...rest } = env;
  return rest;
}
