import { Type, type Static } from "@sinclair/typebox";
import { CRON_SCHEDULE_PATTERN } from "./cron.js";
import { Affinity, HorizontalPodAutoscalerBehavior, LabelSelector, Toleration } from "./kubernetes-types.js";
import {
  Cidr,
  Conditions,
  DataKey,
  Int32,
  LABEL_VALUE,
  LocalObjectReference,
  MapOf,
  ObjectName,
  PodCount,
  ResourceRequirements,
  SecretKeyReference,
  StringEnum,
  withRules,
  type ObjectMeta,
} from "./schema.js";

export const Autoscaling = withRules(
  Type.Object(
    {
      minReplicas: Type.Optional(Int32({ minimum: 1, description: "Default: 2." })),
      maxReplicas: Int32({ minimum: 1 }),
      targetCPUUtilizationPercentage: Type.Optional(
        Int32({ minimum: 1, description: "Default: 70 (when no memory target is set)." }),
      ),
      targetMemoryUtilizationPercentage: Type.Optional(Int32({ minimum: 1 })),
      behavior: Type.Optional(
        HorizontalPodAutoscalerBehavior({
          description: "autoscaling/v2 HorizontalPodAutoscalerBehavior, copied into the HPA.",
        }),
      ),
    },
    { description: "Creates an autoscaling/v2 HorizontalPodAutoscaler for the active revision." },
  ),
  {
    rule: "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
    message: "minReplicas must be <= maxReplicas",
    fieldPath: ".minReplicas",
  },
);
export type Autoscaling = Static<typeof Autoscaling>;

export const VerticalAutoscaling = Type.Object(
  {
    updateMode: StringEnum(["Off", "Initial", "Recreate", "Auto"] as const, {
      description: "VPA update mode. The VPA controls memory only whenever the HPA is on.",
    }),
  },
  { description: "Creates an autoscaling.k8s.io/v1 VerticalPodAutoscaler when that CRD is installed." },
);

export const Disruption = withRules(
  Type.Object(
    { maxUnavailable: Type.Optional(PodCount()), minAvailable: Type.Optional(PodCount()) },
    { description: "Creates a policy/v1 PodDisruptionBudget. Default: maxUnavailable 1." },
  ),
  {
    rule: "has(self.maxUnavailable) != has(self.minAvailable)",
    message: "set exactly one of maxUnavailable or minAvailable",
  },
);

const NetworkPeer = Type.Object({
  namespaceSelector: Type.Optional(LabelSelector()),
  podSelector: Type.Optional(LabelSelector()),
  ipBlock: Type.Optional(
    Type.Object({ cidr: Cidr(), except: Type.Optional(Type.Array(Cidr(), { maxItems: 32 })) }),
  ),
});

const NetworkPeers = (description: string) => Type.Array(NetworkPeer, { maxItems: 32, description });

export const NetworkSpec = Type.Object(
  {
    ingressFrom: Type.Optional(NetworkPeers("Who may call the http port.")),
    metricsFrom: Type.Optional(NetworkPeers("Who may scrape /metrics.")),
  },
  {
    description:
      "NetworkPolicy: default deny for the pods plus these allows; egress to DNS and the storage ports only.",
  },
);

export const RuntimeSpec = Type.Object({
  image: Type.Optional(
    Type.String({ minLength: 1, maxLength: 512, description: "Default: the operator's --runtime-image." }),
  ),
  imagePullPolicy: Type.Optional(StringEnum(["Always", "IfNotPresent", "Never"] as const)),
  resources: Type.Optional(ResourceRequirements),
  batching: Type.Optional(
    Type.Object({
      maxBatchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: "Default: 32." })),
      maxDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: "Default: 5." })),
      maxQueue: Type.Optional(Int32({ minimum: 1, description: "Queued texts before 503. Default: 1024." })),
    }),
  ),
  workers: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 64, description: "Inference worker threads per pod. Default: 1." }),
  ),
  auth: Type.Optional(
    Type.Object({
      apiKeysSecretRef: Type.Optional(
        Type.Object(
          { name: ObjectName("Secret name.") },
          { description: "Secret whose values are API keys." },
        ),
      ),
      jwt: Type.Optional(
        Type.Object({
          issuer: Type.String({ minLength: 1, maxLength: 1024 }),
          audience: Type.String({ minLength: 1, maxLength: 1024 }),
          jwksSecretRef: Type.Object(
            {
              name: ObjectName("Secret name."),
              key: Type.Optional(DataKey("Default: `jwks.json`.")),
            },
            { description: "Secret holding the JSON Web Key Set that signs accepted tokens." },
          ),
        }),
      ),
    }),
  ),
  rateLimit: Type.Optional(
    Type.Object({ requestsPerMinute: Int32({ minimum: 1, description: "Per client." }) }),
  ),
  logLevel: Type.Optional(StringEnum(["debug", "info", "warn", "error"] as const)),
  logRawText: Type.Optional(
    Type.Boolean({ description: "Store raw text in the decision log (default: only its hash)." }),
  ),
});

const StorageEndpoint = Type.Object({
  secretRef: SecretKeyReference,
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "For egress rules." })),
  cidr: Type.Optional(
    Cidr({ description: "Egress destination for the NetworkPolicy. Default: any address." }),
  ),
});

export const StorageSpec = Type.Object({
  postgres: Type.Optional(StorageEndpoint),
  redis: Type.Optional(StorageEndpoint),
});

export const BackupSpec = Type.Object({
  schedule: withRules(
    Type.String({ maxLength: 128, description: "Cron schedule, five fields, e.g. `0 3 * * *`." }),
    {
      rule: `self.matches('${CRON_SCHEDULE_PATTERN.replace(/\\/g, "\\\\")}')`,
      message:
        "schedule must be a five-field cron expression such as '0 3 * * *' with minute 0-59, hour 0-23, " +
        "day of month 1-31, month 1-12 and day of week 0-7",
    },
  ),
  retention: Type.Optional(
    Type.String({
      maxLength: 16,
      pattern: "^[1-9][0-9]*[dwm]$",
      description: "How long backups are kept, e.g. `30d`, `4w`, `6m`. Default: 30d.",
    }),
  ),
  destination: withRules(
    Type.Object({
      pvc: Type.Optional(
        Type.Object(
          { claimName: ObjectName("PersistentVolumeClaim name.") },
          { description: "A PersistentVolumeClaim (ReadWriteOnce is enough: one backup runs at a time)." },
        ),
      ),
      s3: Type.Optional(
        Type.Object(
          {
            bucket: Type.String({ minLength: 3, maxLength: 63 }),
            prefix: Type.Optional(
              Type.String({ maxLength: 1024, description: "Key prefix, e.g. `prod/comments`." }),
            ),
            endpoint: Type.Optional(
              Type.String({
                maxLength: 2048,
                pattern: "^https?://",
                description: "S3-compatible endpoint URL. Default: AWS S3 for the region.",
              }),
            ),
            region: Type.Optional(Type.String({ maxLength: 64, description: "Default: us-east-1." })),
            forcePathStyle: Type.Optional(
              Type.Boolean({ description: "Path-style addressing, needed by most non-AWS stores." }),
            ),
            credentialsSecretRef: Type.Object(
              { name: ObjectName("Secret name.") },
              { description: "Secret with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY." },
            ),
          },
          {
            description:
              "An S3-compatible bucket; the manifest is uploaded last and marks a backup complete.",
          },
        ),
      ),
    }),
    { rule: "has(self.pvc) != has(self.s3)", message: "set exactly one of pvc or s3" },
  ),
  suspend: Type.Optional(Type.Boolean({ description: "Suspends the CronJob; on-demand backups still run." })),
});

export const PlacementSpec = Type.Object({
  nodeSelector: Type.Optional(
    MapOf(Type.String({ maxLength: 63, pattern: LABEL_VALUE }), { maxProperties: 32 }),
  ),
  tolerations: Type.Optional(Type.Array(Toleration(), { maxItems: 32 })),
  affinity: Type.Optional(Affinity()),
  topologySpread: Type.Optional(
    StringEnum(["zone", "node", "none"] as const, {
      description: "Spread pods across zones (and nodes), nodes only, or not at all. Default: zone.",
    }),
  ),
});

export const ModerationServiceSpec = withRules(
  Type.Object({
    modelRef: LocalObjectReference,
    policyRef: LocalObjectReference,
    replicas: Type.Optional(
      Int32({ minimum: 0, description: "Replicas when autoscaling is absent. Default: 2." }),
    ),
    autoscaling: Type.Optional(Autoscaling),
    verticalAutoscaling: Type.Optional(VerticalAutoscaling),
    disruption: Type.Optional(Disruption),
    network: Type.Optional(NetworkSpec),
    runtime: Type.Optional(RuntimeSpec),
    storage: Type.Optional(StorageSpec),
    backup: Type.Optional(BackupSpec),
    placement: Type.Optional(PlacementSpec),
  }),
  {
    rule: "!(has(self.replicas) && has(self.autoscaling))",
    message: "set replicas or autoscaling, not both: with autoscaling the HPA owns the replica count",
    fieldPath: ".replicas",
  },
  {
    rule: "!has(self.backup) || (has(self.storage) && has(self.storage.postgres))",
    message: "backup needs storage.postgres: it backs up the decision log",
    fieldPath: ".backup",
  },
);
export type ModerationServiceSpec = Static<typeof ModerationServiceSpec>;

export const ROLLOUT_PHASES = [
  "Deploying",
  "Verifying",
  "AwaitingPromotion",
  "Promoting",
  "Active",
  "RolledBack",
  "Failed",
] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

export const GateFailure = Type.Object({
  text: Type.String({ description: "The sample text, truncated." }),
  expected: Type.String(),
  got: Type.String(),
});

export const RolloutChecks = Type.Object(
  {
    passed: Type.Integer(),
    failed: Type.Integer(),
    p95LatencyMs: Type.Optional(Type.Number()),
    failures: Type.Optional(Type.Array(GateFailure, { maxItems: 20 })),
    ranAt: Type.Optional(Type.String({ format: "date-time" })),
    revision: Type.String({ description: "Revision hash the gate ran against." }),
    policyGeneration: Type.Integer({ description: "Policy generation the gate ran under." }),
    verdict: Type.Optional(StringEnum(["Passed", "Failed"] as const)),
    message: Type.Optional(Type.String()),
  },
  { description: "The quality gate's last complete run." },
);
export type RolloutChecks = Static<typeof RolloutChecks>;

export const RolloutStatus = Type.Object(
  {
    phase: StringEnum(ROLLOUT_PHASES),
    activeRevision: Type.Optional(
      Type.String({ description: "Revision hash the active Service selects (verified)." }),
    ),
    previewRevision: Type.Optional(Type.String({ description: "Revision hash being rolled out." })),
    previousRevision: Type.Optional(
      Type.String({ description: "Revision that served before the last promotion (kept for rollback)." }),
    ),
    startedAt: Type.Optional(Type.String({ format: "date-time" })),
    phaseSince: Type.Optional(Type.String({ format: "date-time" })),
    promotedAt: Type.Optional(Type.String({ format: "date-time" })),
    message: Type.Optional(Type.String()),
    checks: Type.Optional(RolloutChecks),
    rollback: Type.Optional(
      Type.Object({
        from: Type.String(),
        to: Type.String(),
        reason: Type.String(),
        message: Type.Optional(Type.String()),
        at: Type.String({ format: "date-time" }),
      }),
    ),
    handled: Type.Optional(
      Type.Object({
        promote: Type.Optional(Type.String()),
        abort: Type.Optional(Type.String()),
        rollback: Type.Optional(Type.String()),
        retry: Type.Optional(Type.String()),
      }),
    ),
    artifact: Type.Optional(
      Type.Object(
        {
          revision: Type.String(),
          state: StringEnum(["Verified", "Failed"] as const),
          sha256: Type.Optional(Type.String()),
          reason: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
        },
        { description: "What fetch-model reported for the spec's revision (from its pods)." },
      ),
    ),
    failedRevisions: Type.Optional(Type.Array(Type.String(), { maxItems: 20 })),
    pinned: Type.Optional(
      Type.Boolean({ description: "True after `vigil rollback`: traffic differs from the spec's revision." }),
    ),
  },
  { description: "The blue-green rollout of the ModelDeployment's revisions in this service." },
);
export type RolloutStatus = Static<typeof RolloutStatus>;

/** Reasons a ready pod does not apply the Policy's current generation. */
export const POLICY_LAG_REASONS = ["Pending", "Rejected", "Unreachable"] as const;

export const ServicePolicyStatus = Type.Object(
  {
    generation: Type.Integer({ description: "The Policy generation every pod should apply." }),
    replicas: Type.Optional(Type.Integer({ description: "Ready runtime pods, every revision." })),
    appliedReplicas: Type.Integer({ description: "Ready pods that report applying `generation`." }),
    lagging: Type.Optional(
      Type.Array(
        Type.Object({
          pod: Type.String(),
          reason: StringEnum(POLICY_LAG_REASONS),
          appliedGeneration: Type.Optional(Type.Integer()),
          message: Type.Optional(Type.String({ maxLength: 1024 })),
        }),
        { maxItems: 10, description: "Ready pods that do not apply `generation` yet (the first 10)." },
      ),
    ),
  },
  { description: "Which Policy generation the ready pods apply, as each pod reports it on /ready." },
);
export type ServicePolicyStatus = Static<typeof ServicePolicyStatus>;

export const ModerationServiceStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Optional(Conditions),
  replicas: Type.Optional(Type.Integer()),
  readyReplicas: Type.Optional(Type.Integer()),
  selector: Type.Optional(Type.String({ description: "Label selector for the /scale subresource." })),
  endpoint: Type.Optional(Type.String()),
  previewEndpoint: Type.Optional(Type.String()),
  activeRevision: Type.Optional(Type.Object({ name: Type.String(), modelVersion: Type.String() })),
  policy: Type.Optional(ServicePolicyStatus),
  rollout: Type.Optional(RolloutStatus),
  lastBackup: Type.Optional(
    Type.Object({
      name: Type.String({ description: "The backup Job." }),
      startedAt: Type.Optional(Type.String({ format: "date-time" })),
      completedAt: Type.Optional(Type.String({ format: "date-time" })),
      size: Type.Optional(Type.Integer({ minimum: 0, description: "Bytes written, when it succeeded." })),
      succeeded: Type.Boolean(),
    }),
  ),
  lastSuccessfulBackup: Type.Optional(
    Type.Object({ name: Type.String(), completedAt: Type.String({ format: "date-time" }) }),
  ),
  backupNow: Type.Optional(
    Type.Object(
      { handled: Type.String(), job: Type.String() },
      { description: "The last moderation.vigil.dev/backup-now value acted on and the Job it created." },
    ),
  ),
});
export type ModerationServiceStatus = Static<typeof ModerationServiceStatus>;

export interface ModerationService {
  apiVersion: "moderation.vigil.dev/v1alpha1";
  kind: "ModerationService";
  metadata: ObjectMeta;
  spec: ModerationServiceSpec;
  status?: ModerationServiceStatus;
}
