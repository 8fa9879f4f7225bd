// The controllers the `moderation-operator` process runs, in one readable list.
import type { ControllerDefinition } from "../core/controller.js";
import { modelDeploymentController } from "./modeldeployment-controller.js";
import { moderationServiceController } from "./moderationservice-controller.js";
import { policyController } from "./policy-controller.js";
import { systemClock, type Clock } from "../core/clock.js";
import { clusterDnsResolver, QualityGateRunner, type PreviewUrlResolver } from "./rollout/gate-runner.js";
import { HTTP_PORT } from "../desired/runtime-contract.js";
import { PodPolicyProber, podIpResolver, type PodUrlResolver } from "./policy-applied/pod-policy-prober.js";
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
  /** Where a runtime pod answers /ready. Default: its pod IP on the HTTP port. Tests point it at a local runtime. */
  resolvePodUrl?: PodUrlResolver;
  /** How often pods that lag behind the Policy are asked again. Default 10s. */
  policyProbeIntervalMs?: number;
}

/** Pods usually pick up a ConfigMap change within kubelet's sync period (about a minute). */
const POLICY_PROBE_INTERVAL_MS = 10_000;
const POLICY_PROBE_TIMEOUT_MS = 2_000;

export function createControllers(options: ControllerOptions = {}): ControllerDefinition[] {
  const vpa = new VerticalPodAutoscalerDiscovery({
    ttlMs: options.vpaDiscoveryTtlMs ?? VPA_DISCOVERY_TTL_MS,
  });
  const gate = new QualityGateRunner({
    resolveUrl: options.resolvePreviewUrl ?? clusterDnsResolver(options.clusterDomain),
    clock: options.clock ?? systemClock,
  });
  const policyProber = new PodPolicyProber({
    resolveUrl: options.resolvePodUrl ?? podIpResolver(HTTP_PORT),
    clock: options.clock ?? systemClock,
    intervalMs: options.policyProbeIntervalMs ?? POLICY_PROBE_INTERVAL_MS,
    timeoutMs: POLICY_PROBE_TIMEOUT_MS,
  });
  return [
    moderationServiceController({
      vpa,
      gate,
      policyProber,
      ...(options.clusterDomain && { clusterDomain: options.clusterDomain }),
    }),
    policyController,
    modelDeploymentController,
  ];
}

export const controllers: ControllerDefinition[] = createControllers();
