// Runs quality gates in the background so a reconcile never waits on HTTP: a reconcile asks
// for the result of (service, revision, Policy generation); the first ask starts the run and
// later asks (the reconcile requeues itself) pick up the result. Results live in memory only
// until the reconcile records them in status.rollout.checks, so an operator that restarts
// mid-run simply runs again instead of trusting half a run.
import { gateKey, type GateError, type GateResult } from "./gate-result.js";
import { GateUnavailableError, runQualityGate, type GateRun } from "./quality-gate.js";

/** Where the preview Service of a ModerationService answers. */
export type PreviewUrlResolver = (namespace: string, previewServiceName: string) => string;

export function clusterDnsResolver(clusterDomain = "cluster.local", port = 8080): PreviewUrlResolver {
  return (namespace, name) => `http://${name}.${namespace}.svc.${clusterDomain}:${port}`;
}

export interface GatePoll {
  result?: GateResult;
  error?: GateError;
}

interface Entry {
  key: string;
  running: boolean;
  result?: GateResult;
  error?: GateError;
}

export interface GateRunnerOptions {
  resolveUrl: PreviewUrlResolver;
  clock: { now(): number };
  fetch?: typeof fetch;
  /** Called when a run ends, with the service's "namespace/name" (to requeue it at once). */
  onDone?: (serviceKey: string) => void;
}

export class QualityGateRunner {
  readonly #options: GateRunnerOptions;
  /** One entry per service: only its latest (revision, generation) matters. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: GateRunnerOptions) {
    this.#options = options;
  }

  resolve(namespace: string, previewServiceName: string): string {
    return this.#options.resolveUrl(namespace, previewServiceName);
  }

  /** The finished result of this run, or why its last attempt could not complete. */
  peek(serviceKey: string, revision: string, policyGeneration: number): GatePoll {
    const entry = this.#entries.get(serviceKey);
    if (entry?.key !== gateKey(revision, policyGeneration)) return {};
    return { ...(entry.result && { result: entry.result }), ...(entry.error && { error: entry.error }) };
  }

  /** Starts the run unless it is going or done; a failed attempt is started again. */
  start(serviceKey: string, run: Omit<GateRun, "url"> & { previewService: string; namespace: string }): void {
    const key = gateKey(run.revision, run.policyGeneration);
    const entry = this.#entries.get(serviceKey);
    if (entry?.key === key && (entry.running || entry.result)) return;
    const next: Entry = {
      key,
      running: true,
      ...(entry?.key === key && entry.error && { error: entry.error }),
    };
    this.#entries.set(serviceKey, next);
    const url = this.#options.resolveUrl(run.namespace, run.previewService);
    void runQualityGate(
      { ...run, url },
      { now: () => this.#options.clock.now(), ...(this.#options.fetch && { fetch: this.#options.fetch }) },
    ).then(
      (result) => {
        next.result = result;
        next.running = false;
        this.#options.onDone?.(serviceKey);
      },
      (err: unknown) => {
        const message = err instanceof GateUnavailableError ? err.message : `gate run failed: ${String(err)}`;
        next.error = { revision: run.revision, policyGeneration: run.policyGeneration, message };
        next.running = false;
        this.#options.onDone?.(serviceKey);
      },
    );
  }

  /** Records an attempt that could not even start (no samples). */
  fail(serviceKey: string, error: GateError): void {
    this.#entries.set(serviceKey, {
      key: gateKey(error.revision, error.policyGeneration),
      running: false,
      error,
    });
  }

  /** Forgets a service's run (its result is in status now, or the service is gone). */
  forget(serviceKey: string): void {
    const entry = this.#entries.get(serviceKey);
    if (entry && !entry.running) this.#entries.delete(serviceKey);
  }
}
