// Operator defaults, resolved at build time from spec. They are never written back into
// spec (a GitOps tool would show a permanent diff); the CRD descriptions name the same values.
import type { V1Affinity, V1Toleration, V2HorizontalPodAutoscalerBehavior } from "@kubernetes/client-node";
import type { ModelDeployment, ModerationService } from "../../crds/index.js";
import { SHUTDOWN_GRACE_MS } from "./runtime-contract.js";

export const DEFAULTS = {
  replicas: 2,
  minReplicas: 2,
  targetCPUUtilizationPercentage: 70,
  maxBatchSize: 32,
  maxDelayMs: 5,
  maxQueue: 1024,
  workers: 1,
  logLevel: "info",
  maxUnavailable: 1,
  topologySpread: "zone",
  /** Key of a SecretKeyReference without `key` (the CRD documents `url` for all of them). */
  secretKey: "url",
  jwksSecretKey: "jwks.json",
  postgresPort: 5432,
  redisPort: 6379,
  backupRetention: "30d",
  modelFormat: "onnx",
  modelTimeoutSeconds: 300,
  /** Bound on a model artifact (download and unpacked directory); the model emptyDir derives from it. */
  modelSize: "2Gi",
  modelAuthKey: "token",
  previewReplicas: 1,
  autoPromotion: true,
  autoPromotionSeconds: 0,
  scaleDownDelaySeconds: 300,
  progressDeadlineSeconds: 900,
  minPassRate: 1,
  revisionHistoryLimit: 3,
  /**
   * Requests when neither the ModelDeployment nor the runtime sets one: without a CPU and
   * memory request the pod is BestEffort and an HPA on utilization has nothing to divide by.
   */
  requests: { cpu: "500m", memory: "512Mi" } as Record<string, string>,
} as const;

export type Quantity = number | string;
export interface Resources {
  requests?: Record<string, Quantity>;
  limits?: Record<string, Quantity>;
}

export interface ResolvedStorageEndpoint {
  secretName: string;
  secretKey: string;
  port: number;
  cidr?: string;
}

type NetworkPeer = NonNullable<NonNullable<ModerationService["spec"]["network"]>["ingressFrom"]>[number];

export interface ResolvedService {
  /** Replicas of the active revision; undefined when the HPA owns the count. */
  replicas?: number;
  autoscaling?: {
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage?: number;
    targetMemoryUtilizationPercentage?: number;
    behavior?: V2HorizontalPodAutoscalerBehavior;
  };
  verticalAutoscaling?: { updateMode: "Off" | "Initial" | "Recreate" | "Auto" };
  disruption: { maxUnavailable: Quantity } | { minAvailable: Quantity };
  network: {
    /** undefined: only pods of the same namespace may call the API. */
    ingressFrom?: NetworkPeer[];
    metricsFrom: NetworkPeer[];
  };
  runtime: {
    image: string;
    imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
    resources: Resources;
    maxBatchSize: number;
    maxDelayMs: number;
    maxQueue: number;
    workers: number;
    logLevel: string;
    logRawText?: boolean;
    rateLimitPerMinute?: number;
    apiKeysSecretName?: string;
    jwt?: { issuer: string; audience: string; jwksSecretName: string; jwksSecretKey: string };
    shutdownGraceMs: number;
  };
  storage: { postgres?: ResolvedStorageEndpoint; redis?: ResolvedStorageEndpoint };
  backup?: ResolvedBackup;
  placement: {
    nodeSelector: Record<string, string>;
    tolerations: V1Toleration[];
    affinity?: V1Affinity;
    topologySpread: "zone" | "node" | "none";
  };
}

/** Whether the runtime asks callers for credentials (API keys or JWTs). */
export function runtimeAuthEnabled(
  runtime: Pick<ResolvedService["runtime"], "apiKeysSecretName" | "jwt">,
): boolean {
  return runtime.apiKeysSecretName !== undefined || runtime.jwt !== undefined;
}

function storageEndpoint(
  endpoint: NonNullable<ModerationService["spec"]["storage"]>["postgres"],
  defaultPort: number,
): ResolvedStorageEndpoint | undefined {
  if (!endpoint) return undefined;
  return {
    secretName: endpoint.secretRef.name,
    secretKey: endpoint.secretRef.key ?? DEFAULTS.secretKey,
    port: endpoint.port ?? defaultPort,
    ...(endpoint.cidr ? { cidr: endpoint.cidr } : {}),
  };
}

type ServiceSpec = ModerationService["spec"];
type BackupDestinationSpec = NonNullable<ServiceSpec["backup"]>["destination"];

export type ResolvedBackupDestination =
  | { kind: "pvc"; claimName: string }
  | {
      kind: "s3";
      bucket: string;
      prefix: string;
      endpoint?: string;
      region?: string;
      forcePathStyle: boolean;
      credentialsSecretName: string;
    };

export interface ResolvedBackup {
  schedule: string;
  retention: string;
  suspend: boolean;
  destination: ResolvedBackupDestination;
}

function resolveBackupDestination(destination: BackupDestinationSpec): ResolvedBackupDestination {
  // The CRD's CEL rule admits exactly one of the two.
  if (destination.s3) {
    const s3 = destination.s3;
    return {
      kind: "s3",
      bucket: s3.bucket,
      prefix: s3.prefix ?? "",
      ...(s3.endpoint && { endpoint: s3.endpoint }),
      ...(s3.region && { region: s3.region }),
      forcePathStyle: s3.forcePathStyle ?? false,
      credentialsSecretName: s3.credentialsSecretRef.name,
    };
  }
  return { kind: "pvc", claimName: destination.pvc?.claimName ?? "" };
}

export function resolveAutoscaling(spec: ServiceSpec): ResolvedService["autoscaling"] {
  const scaling = spec.autoscaling;
  if (!scaling) return undefined;
  const cpuTarget =
    scaling.targetCPUUtilizationPercentage ??
    (scaling.targetMemoryUtilizationPercentage === undefined
      ? DEFAULTS.targetCPUUtilizationPercentage
      : undefined);
  return {
    minReplicas: scaling.minReplicas ?? Math.min(DEFAULTS.minReplicas, scaling.maxReplicas),
    maxReplicas: scaling.maxReplicas,
    ...(cpuTarget !== undefined && { targetCPUUtilizationPercentage: cpuTarget }),
    ...(scaling.targetMemoryUtilizationPercentage !== undefined && {
      targetMemoryUtilizationPercentage: scaling.targetMemoryUtilizationPercentage,
    }),
    ...(scaling.behavior && { behavior: scaling.behavior }),
  };
}

/** Replicas of the active revision; undefined when an HPA owns the count. */
export function resolveReplicas(spec: ServiceSpec): number | undefined {
  return spec.autoscaling ? undefined : (spec.replicas ?? DEFAULTS.replicas);
}

export function resolveDisruption(spec: ServiceSpec): ResolvedService["disruption"] {
  return spec.disruption?.minAvailable !== undefined
    ? { minAvailable: spec.disruption.minAvailable }
    : { maxUnavailable: spec.disruption?.maxUnavailable ?? DEFAULTS.maxUnavailable };
}

export function resolveService(service: ModerationService, runtimeImage: string): ResolvedService {
  const spec = service.spec;
  const runtime = spec.runtime ?? {};
  const autoscaling = resolveAutoscaling(spec);
  const replicas = resolveReplicas(spec);
  const jwt = runtime.auth?.jwt;
  return {
    ...(replicas !== undefined && { replicas }),
    ...(autoscaling && { autoscaling }),
    ...(spec.verticalAutoscaling && {
      verticalAutoscaling: { updateMode: spec.verticalAutoscaling.updateMode },
    }),
    disruption: resolveDisruption(spec),
    network: {
      ...(spec.network?.ingressFrom && { ingressFrom: spec.network.ingressFrom }),
      metricsFrom: spec.network?.metricsFrom ?? [],
    },
    runtime: {
      image: runtime.image ?? runtimeImage,
      ...(runtime.imagePullPolicy && { imagePullPolicy: runtime.imagePullPolicy }),
      resources: runtime.resources ?? {},
      maxBatchSize: runtime.batching?.maxBatchSize ?? DEFAULTS.maxBatchSize,
      maxDelayMs: runtime.batching?.maxDelayMs ?? DEFAULTS.maxDelayMs,
      maxQueue: runtime.batching?.maxQueue ?? DEFAULTS.maxQueue,
      workers: runtime.workers ?? DEFAULTS.workers,
      logLevel: runtime.logLevel ?? DEFAULTS.logLevel,
      ...(runtime.logRawText !== undefined && { logRawText: runtime.logRawText }),
      ...(runtime.rateLimit && { rateLimitPerMinute: runtime.rateLimit.requestsPerMinute }),
      ...(runtime.auth?.apiKeysSecretRef && { apiKeysSecretName: runtime.auth.apiKeysSecretRef.name }),
      ...(jwt && {
        jwt: {
          issuer: jwt.issuer,
          audience: jwt.audience,
          jwksSecretName: jwt.jwksSecretRef.name,
          jwksSecretKey: jwt.jwksSecretRef.key ?? DEFAULTS.jwksSecretKey,
        },
      }),
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
    },
    storage: {
      ...(spec.storage?.postgres && {
        postgres: storageEndpoint(spec.storage.postgres, DEFAULTS.postgresPort),
      }),
      ...(spec.storage?.redis && { redis: storageEndpoint(spec.storage.redis, DEFAULTS.redisPort) }),
    },
    ...(spec.backup && {
      backup: {
        schedule: spec.backup.schedule,
        retention: spec.backup.retention ?? DEFAULTS.backupRetention,
        destination: resolveBackupDestination(spec.backup.destination),
        suspend: spec.backup.suspend ?? false,
      },
    }),
    placement: {
      nodeSelector: spec.placement?.nodeSelector ?? {},
      tolerations: spec.placement?.tolerations ?? [],
      ...(spec.placement?.affinity && { affinity: spec.placement.affinity }),
      topologySpread: spec.placement?.topologySpread ?? DEFAULTS.topologySpread,
    },
  };
}

export interface ResolvedModel {
  name: string;
  version: string;
  source: {
    uri: string;
    sha256?: string;
    timeoutSeconds: number;
    size: string | number;
    auth?: { secretName: string; key: string; type: "Bearer" | "Basic" };
    imageVolume: boolean;
    cache?: { pvc: string };
  };
  format: "onnx";
  maxSequenceLength?: number;
  resources: Resources;
  gpu?: { count: number; product?: string };
  blueGreen: {
    previewReplicas: number;
    autoPromotion: boolean;
    autoPromotionSeconds: number;
    scaleDownDelaySeconds: number;
    progressDeadlineSeconds: number;
    minPassRate: number;
  };
  revisionHistoryLimit: number;
}

export function resolveModel(model: ModelDeployment): ResolvedModel {
  const spec = model.spec;
  const m = spec.model;
  const bg = spec.strategy?.blueGreen ?? {};
  return {
    name: m.name,
    version: m.version,
    source: {
      uri: m.source.uri,
      ...(m.source.sha256 && { sha256: m.source.sha256 }),
      timeoutSeconds: m.source.timeoutSeconds ?? DEFAULTS.modelTimeoutSeconds,
      size: m.source.size ?? DEFAULTS.modelSize,
      ...(m.source.auth && {
        auth: {
          secretName: m.source.auth.secretName,
          key: m.source.auth.key ?? DEFAULTS.modelAuthKey,
          type: m.source.auth.type ?? "Bearer",
        },
      }),
      imageVolume: m.source.imageVolume ?? false,
      ...(m.source.cache && { cache: { pvc: m.source.cache.pvc } }),
    },
    format: m.format ?? DEFAULTS.modelFormat,
    ...(m.maxSequenceLength !== undefined && { maxSequenceLength: m.maxSequenceLength }),
    resources: spec.resources ?? {},
    ...(spec.gpu && {
      gpu: { count: spec.gpu.count, ...(spec.gpu.product && { product: spec.gpu.product }) },
    }),
    blueGreen: {
      previewReplicas: bg.previewReplicas ?? DEFAULTS.previewReplicas,
      autoPromotion: bg.autoPromotion ?? DEFAULTS.autoPromotion,
      autoPromotionSeconds: bg.autoPromotionSeconds ?? DEFAULTS.autoPromotionSeconds,
      scaleDownDelaySeconds: bg.scaleDownDelaySeconds ?? DEFAULTS.scaleDownDelaySeconds,
      progressDeadlineSeconds: bg.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds,
      minPassRate: bg.checks?.minPassRate ?? DEFAULTS.minPassRate,
    },
    revisionHistoryLimit: spec.revisionHistoryLimit ?? DEFAULTS.revisionHistoryLimit,
  };
}
