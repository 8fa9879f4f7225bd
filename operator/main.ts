#!/usr/bin/env node
// `moderation-operator`: parse flags, connect to the cluster, run the Manager with the
// registered controllers until SIGTERM/SIGINT (graceful: finish in-flight reconciles,
// release the Lease) or until the Lease is lost (exit 1, so Kubernetes restarts us clean).
import type { Logger } from "pino";
import { parseOperatorOptions, podNamespace, type OperatorOptions } from "./cli.js";
import { controllers } from "./controllers/index.js";
import { errorMessage } from "./core/errors.js";
import { loadKubeConfig } from "./core/kubeconfig.js";
import { createLogger } from "./core/logging.js";
import { Manager } from "./core/manager.js";
import { OperatorMetrics } from "./core/metrics.js";

function buildManager(options: OperatorOptions, log: Logger): Manager {
  return new Manager({
    kubeConfig: loadKubeConfig(options.kubeconfig),
    namespaces: options.namespaces,
    concurrency: options.concurrency,
    leaderElection: options.leaderElect
      ? {
          namespace: options.leaderElectionNamespace,
          name: options.leaderElectionId,
          leaseDurationMs: options.leaseDurationMs,
          renewDeadlineMs: options.renewDeadlineMs,
          retryPeriodMs: options.retryPeriodMs,
        }
      : undefined,
    metricsBindAddress: options.metricsBindAddress,
    settings: { runtimeImage: options.runtimeImage, operatorNamespace: podNamespace() },
    log,
    metrics: new OperatorMetrics({ processMetrics: true }),
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parseOperatorOptions(argv);
  const log = createLogger({ level: options.logLevel, format: options.logFormat });
  const manager = buildManager(options, log);
  for (const definition of controllers) manager.add(definition);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal; exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down: finishing in-flight reconciles");
    manager.stop({ releaseLease: true }).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: errorMessage(err) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  void manager.leadershipLost.then(async () => {
    if (stopping) return;
    stopping = true;
    log.error("leadership lost; exiting so that a fresh process campaigns again");
    await manager.stop({ releaseLease: false, abortInFlight: true }).catch(() => undefined);
    process.exit(1);
  });

  await manager.start();
  log.info(
    {
      identity: manager.identity,
      namespaces: options.namespaces.length ? options.namespaces : "all",
      leaderElect: options.leaderElect,
      controllers: controllers.map((c) => c.name),
    },
    "operator started",
  );
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`moderation-operator: ${errorMessage(err)}\n`);
  process.exit(1);
});
