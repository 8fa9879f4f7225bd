// Startup, readiness and liveness probes of the runtime container. The startup probe holds
// off liveness while the model loads; its budget grows with the model so a large model is
// not killed mid-load (a restart loop KServe users know well), but stays bounded so a hung
// load still fails within 15 minutes.
import type { V1Probe } from "@kubernetes/client-node";
import { HTTP_PORT_NAME, PROBE_PATH } from "./runtime-contract.js";

const STARTUP_BASE_SECONDS = 60;
const STARTUP_SECONDS_PER_100MB = 30;
const STARTUP_MAX_SECONDS = 15 * 60;
const STARTUP_PERIOD_SECONDS = 10;

/** Seconds a pod may take to load its model: 60 s + 30 s per 100 MB, at most 15 minutes. */
export function startupBudgetSeconds(modelSizeBytes?: number): number {
  const size = modelSizeBytes !== undefined && modelSizeBytes > 0 ? modelSizeBytes : 0;
  const budget = STARTUP_BASE_SECONDS + Math.ceil((size / 100_000_000) * STARTUP_SECONDS_PER_100MB);
  return Math.min(budget, STARTUP_MAX_SECONDS);
}

function httpProbe(path: string, periodSeconds: number, failureThreshold: number): V1Probe {
  return {
    httpGet: { path, port: HTTP_PORT_NAME, scheme: "HTTP" },
    periodSeconds,
    timeoutSeconds: 2,
    successThreshold: 1,
    failureThreshold,
  };
}

export interface RuntimeProbes {
  startupProbe: V1Probe;
  readinessProbe: V1Probe;
  livenessProbe: V1Probe;
}

export function runtimeProbes(modelSizeBytes?: number): RuntimeProbes {
  const budget = startupBudgetSeconds(modelSizeBytes);
  return {
    startupProbe: httpProbe(
      PROBE_PATH.startup,
      STARTUP_PERIOD_SECONDS,
      Math.ceil(budget / STARTUP_PERIOD_SECONDS),
    ),
    // Fast to leave endpoints (15 s) when the model or policy becomes unavailable.
    readinessProbe: httpProbe(PROBE_PATH.readiness, 5, 3),
    // Slow to restart (30 s): /live only fails when the process is wedged.
    livenessProbe: httpProbe(PROBE_PATH.liveness, 10, 3),
  };
}
