// What the probes report and what routes need to serve: the HTTP server listens before the
// model has loaded (so /live and /startup answer during a slow load), and routes ask this
// object for the moderator, which throws a 503 error until the model is ready. Draining for
// shutdown only fails readiness: requests are still served until the listener closes.
import { ModelNotReadyError } from "../errors.js";
import type { Moderator } from "../moderation/moderator.js";
import type { PolicyStoreStatus } from "../policy/policy-store.js";

export type ModelPhase = "loading" | "ready" | "failed";

export interface ModelSummary {
  name: string;
  version: string;
  labels: readonly string[];
}

export interface ReadinessReport {
  ready: boolean;
  checks: {
    model: {
      status: ModelPhase;
      name: string;
      version: string;
      provider?: string;
      error?: string;
    };
    policy: PolicyStoreStatus & { status: "ok" | "newer-revision-rejected" };
    shutdown: { draining: boolean };
  };
  /** How results are cached and where decisions go. */
  state: { cache: string; decisions: string };
  /**
   * Redis and Postgres as they are now. Neither affects `ready`: without Redis the pod serves
   * uncached with local rate limits, without Postgres it buffers decisions (degraded by design).
   */
  dependencies: DependencyReport;
}

export interface DependencyReport {
  redis?: { connected: boolean };
  postgres?: {
    /** The last write succeeded. */
    healthy: boolean;
    migrations: "pending" | "applied";
    buffered: number;
    dropped: number;
    maxBuffered: number;
  };
}

export interface RuntimeStateOptions {
  model: ModelSummary;
  policyStatus: () => PolicyStoreStatus;
  cacheDescription: string;
  decisionsDescription: string;
  serverVersion: string;
  dependencies?: () => DependencyReport;
}

export class RuntimeState {
  private phase: ModelPhase = "loading";
  private moderator: Moderator | undefined;
  private modelError: string | undefined;
  private provider: string | undefined;
  private draining = false;

  constructor(readonly options: RuntimeStateOptions) {}

  get model(): ModelSummary {
    return this.options.model;
  }

  get modelPhase(): ModelPhase {
    return this.phase;
  }

  modelLoaded(moderator: Moderator, provider: string): void {
    this.moderator = moderator;
    this.provider = provider;
    this.phase = "ready";
  }

  modelFailed(message: string): void {
    this.phase = "failed";
    this.modelError = message;
  }

  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** The moderator, or a 503 error saying why there is none to use. */
  requireModerator(): Moderator {
    if (!this.moderator) {
      throw new ModelNotReadyError(
        this.phase === "failed"
          ? `the model failed to load: ${this.modelError}`
          : "the model is still loading",
      );
    }
    return this.moderator;
  }

  get started(): boolean {
    return this.phase === "ready";
  }

  readiness(): ReadinessReport {
    const policy = this.options.policyStatus();
    return {
      ready: this.phase === "ready" && !this.draining,
      checks: {
        model: {
          status: this.phase,
          name: this.model.name,
          version: this.model.version,
          ...(this.provider ? { provider: this.provider } : {}),
          ...(this.modelError ? { error: this.modelError } : {}),
        },
        policy: { status: policy.rejected ? "newer-revision-rejected" : "ok", ...policy },
        shutdown: { draining: this.draining },
      },
      state: { cache: this.options.cacheDescription, decisions: this.options.decisionsDescription },
      dependencies: this.options.dependencies?.() ?? {},
    };
  }
}
