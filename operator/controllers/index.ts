// The controllers the `moderation-operator` process runs, in one readable list.
import type { ControllerDefinition } from "../core/controller.js";
import { modelDeploymentController } from "./modeldeployment-controller.js";
import { moderationServiceController } from "./moderationservice-controller.js";
import { policyController, policyUsageController } from "./policy-controller.js";
import { systemClock, type Clock } from "../core/clock.js";
import { clusterDnsResolver, QualityGateRunner, type PreviewUrlResolver } from "./rollout/gate-runner.js";
import { VerticalPodAutoscalerDiscovery, VPA_DISCOVERY_TTL_MS } from "./vpa-discovery.js";

export interface ControllerOptions {
  /** How long the answer "is the VPA CRD served?" is trusted. Default 60s. */
  vpaDiscoveryTtlMs?: number;
  /** Cluster DNS suffix for status endpoints. Default cluster.local. */
  clusterDomain?: string;
  /** Where the quality gate reaches a preview Service. Default: cluster DNS. Tests point it at a local runtime. */
  resolvePreviewUrl?: PreviewUrlResolver;
  /** Clock for gate results' ranAt. Default: the system clock. */
  clock?: Clock;
}

export function createControllers(options: ControllerOptions = {}): ControllerDefinition[] {
  const vpa = new VerticalPodAutoscalerDiscovery({
    ttlMs: options.vpaDiscoveryTtlMs ?? VPA_DISCOVERY_TTL_MS,
  });
  const gate = new QualityGateRunner({
    resolveUrl: options.resolvePreviewUrl ?? clusterDnsResolver(options.clusterDomain),
    clock: options.clock ?? systemClock,
  });
  return [
    moderationServiceController({
      vpa,
      gate,
      ...(options.clusterDomain && { clusterDomain: options.clusterDomain }),
    }),
    policyController,
    policyUsageController,
    modelDeploymentController,
  ];
}

export const controllers: ControllerDefinition[] = createControllers();
