// The operator's Prometheus metrics, in a dedicated Registry so that two Managers in one
// process (the leader-election tests) never share or clash over metric state.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type ReconcileResult = "success" | "error" | "requeue_after";

/** What a work queue reports; the queue does not know about Prometheus. */
export interface QueueMetrics {
  depth(n: number): void;
  added(): void;
  retried(): void;
}

export class OperatorMetrics {
  readonly registry = new Registry();

  readonly queueDepth = new Gauge({
    name: "vigil_operator_workqueue_depth",
    help: "Keys waiting in a controller's work queue.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: "vigil_operator_workqueue_adds_total",
    help: "Keys added to a controller's work queue (before de-duplication).",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: "vigil_operator_workqueue_retries_total",
    help: "Keys requeued with backoff after a failed reconcile.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: "vigil_operator_reconcile_duration_seconds",
    help: "Duration of reconcile calls by controller and result.",
    labelNames: ["controller", "result"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: "vigil_operator_api_requests_total",
    help: "Requests to the Kubernetes API by verb and HTTP status code ('error' when no response).",
    labelNames: ["verb", "code"] as const,
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: "vigil_operator_informer_restarts_total",
    help: "Informer list/watch restarts after an error, by resource.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });
  readonly informerSynced = new Gauge({
    name: "vigil_operator_informer_synced",
    help: "1 once an informer's cache has completed its initial list.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "vigil_operator_leader",
    help: "1 while this instance holds the leader-election Lease.",
    registers: [this.registry],
  });
  readonly eventsWritten = new Counter({
    name: "vigil_operator_events_written_total",
    help: "Kubernetes Event writes by outcome (created, aggregated, dropped by the rate limit, failed).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly backupLastSuccess = new Gauge({
    name: "vigil_operator_backup_last_success_timestamp_seconds",
    help: "Completion time of the last successful backup of a ModerationService (Unix seconds).",
    labelNames: ["namespace", "name"] as const,
    registers: [this.registry],
  });
  readonly backupFailures = new Counter({
    name: "vigil_operator_backup_failures_total",
    help: "Backup Jobs of a ModerationService that failed, by reason from the termination message.",
    labelNames: ["namespace", "name", "reason"] as const,
    registers: [this.registry],
  });
  readonly rolloutPhase = new Gauge({
    name: "vigil_operator_rollout_phase",
    help: "1 for the current rollout phase of each ModerationService, 0 for the others.",
    labelNames: ["namespace", "name", "phase"] as const,
    registers: [this.registry],
  });
  readonly rollbacks = new Counter({
    name: "vigil_operator_rollbacks_total",
    help: "Rollouts rolled back (or failed, on a first rollout), by reason.",
    labelNames: ["namespace", "name", "reason"] as const,
    registers: [this.registry],
  });
  readonly artifactFailures = new Counter({
    name: "vigil_operator_artifact_failures_total",
    help: "Revisions whose model artifact failed to download or verify, by fetch-model's reason.",
    labelNames: ["namespace", "name", "reason"] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  forQueue(controller: string): QueueMetrics {
    return {
      depth: (n) => this.queueDepth.set({ controller }, n),
      added: () => this.queueAdds.inc({ controller }),
      retried: () => this.queueRetries.inc({ controller }),
    };
  }
}
