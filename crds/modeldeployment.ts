import { Type, type Static } from "@sinclair/typebox";
import { ROLLOUT_PHASES } from "./moderationservice.js";
import { ACTIONS } from "./policy.js";
import {
  Conditions,
  DataKey,
  DNS1123_SUBDOMAIN,
  Int32,
  LABEL_VALUE,
  ObjectName,
  Quantity,
  ResourceRequirements,
  StringEnum,
  withRules,
  type ObjectMeta,
} from "./schema.js";

export const MODEL_SOURCE_SCHEMES = ["https", "http", "pvc", "oci", "builtin"] as const;

/** Models inside the runtime image (`builtin://<name>`): the demo model (its VIGIL_MODEL_DIR default). */
export const BUILTIN_MODELS = ["default"] as const;

/** A pvc:// URI's claim: a PersistentVolumeClaim name, then the end or a path. */
const PVC_CLAIM = `^pvc://${DNS1123_SUBDOMAIN.slice(1, -1)}(/|$)`;

export const ModelSource = withRules(
  Type.Object({
    uri: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        "Where the model directory comes from: `https://…/model.tar.gz`, `pvc://<claim>/<path>`, `oci://<image>`, " +
        "or `builtin://default` (the small demo model inside the runtime image; no download).",
    }),
    sha256: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          "Lower-case hex sha256: of the archive (http(s) .tar/.tgz/.zip), of the directory's canonical manifest " +
          "(http(s) .onnx or directory URL, pvc://; see docs/models.md), or the image digest (oci://). " +
          "Required for http(s) sources.",
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description: "Bound on download + verification; past it the revision fails. Default: 300.",
      }),
    ),
    size: Type.Optional(
      Quantity({
        description:
          "Upper bound on the artifact: the download and the unpacked model directory each stay under it " +
          "(ArtifactTooLarge otherwise). The model emptyDir's sizeLimit is twice this for http(s) sources " +
          "(archive and unpacked copy coexist while unpacking), this with a cache (they are on the cache's " +
          "claim) and for oci:// copies. Default: 2Gi.",
      }),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          secretName: ObjectName("Secret in the same namespace."),
          key: Type.Optional(DataKey("Key holding the credentials. Default: `token`.")),
          type: Type.Optional(
            StringEnum(["Bearer", "Basic"] as const, {
              description:
                "`Bearer`: the key holds a token. `Basic`: it holds `username:password`. Default: Bearer.",
            }),
          ),
        },
        { description: "Credentials for an http(s) source, sent only to the artifact's own host." },
      ),
    ),
    cache: Type.Optional(
      Type.Object(
        {
          pvc: ObjectName(
            "PersistentVolumeClaim in the same namespace holding the cache. Pods that share it download an " +
              "artifact once: ReadWriteMany for every node, or a node-local volume (which pins the pods to its node).",
          ),
        },
        {
          description:
            "http(s) only: a shared model cache keyed by sha256 (required). fetch-model serves `<sha256>/` from " +
            "the claim after checking it against its manifest, or downloads into the claim and adds it there. " +
            "See docs/models.md.",
        },
      ),
    ),
    imageVolume: Type.Optional(
      Type.Boolean({
        description:
          "oci:// only: mount the model image as a Kubernetes image volume (the ImageVolume feature: beta since " +
          "1.33, on by default from 1.35; subPath needs 1.33) instead of copying its /models directory in an init " +
          "container. Use it for images without a `cp` binary. Default: false.",
      }),
    ),
  }),
  {
    rule: "self.uri.matches('^(https?|pvc|oci|builtin)://.+')",
    message: "uri must start with https://, http://, pvc://, oci:// or builtin://",
    fieldPath: ".uri",
  },
  {
    rule: `!self.uri.startsWith('builtin://') || self.uri in [${BUILTIN_MODELS.map((m) => `'builtin://${m}'`).join(", ")}]`,
    message: `builtin:// names a model inside the runtime image: ${BUILTIN_MODELS.map((m) => `builtin://${m}`).join(", ")}`,
    fieldPath: ".uri",
  },
  {
    rule: `!self.uri.startsWith('pvc://') || (self.uri.matches('${PVC_CLAIM.replace(/\\/g, "\\\\")}') && self.uri.matches('^pvc://[^/]{1,253}(/|$)'))`,
    message:
      "pvc:// must be followed by a PersistentVolumeClaim name (a DNS-1123 subdomain, at most 253 characters)",
    fieldPath: ".uri",
  },
  {
    rule: "!self.uri.startsWith('pvc://') || !self.uri.matches('/[.][.]?(/|$)')",
    message: "the path inside a pvc:// claim must not contain '.' or '..' segments",
    fieldPath: ".uri",
  },
  {
    rule: "!has(self.sha256) || self.sha256.matches('^[a-f0-9]{64}$')",
    message: "sha256 must be 64 lower-case hex characters",
    fieldPath: ".sha256",
  },
  {
    rule: "!has(self.auth) || self.uri.startsWith('http')",
    message: "auth applies to http(s) sources only",
    fieldPath: ".auth",
  },
  {
    rule: "!has(self.cache) || self.uri.startsWith('http')",
    message: "cache applies to http(s) sources only; pvc:// and oci:// models are not downloaded",
    fieldPath: ".cache",
  },
  {
    rule: "!has(self.cache) || has(self.sha256)",
    message: "cache needs sha256: cache entries are keyed by the artifact's digest",
    fieldPath: ".cache",
  },
  {
    rule: "!has(self.imageVolume) || !self.imageVolume || self.uri.startsWith('oci://')",
    message: "imageVolume applies to oci:// sources only",
    fieldPath: ".imageVolume",
  },
  {
    rule: "!self.uri.startsWith('http') || has(self.sha256)",
    message: "sha256 is required for http(s) sources so a corrupted or replaced artifact is caught",
    fieldPath: ".sha256",
    reason: "FieldValueRequired",
  },
);
export type ModelSource = Static<typeof ModelSource>;

export const ModelSpec = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 63, description: "Model name, e.g. `toxic-bert`." }),
  version: Type.String({
    minLength: 1,
    maxLength: 63,
    description: "Model version; changing any model field starts a new revision.",
  }),
  source: ModelSource,
  format: Type.Optional(
    StringEnum(["onnx"] as const, {
      description: "Directory layout: model.onnx, config.json (id2label), tokenizer.json. Default: onnx.",
    }),
  ),
  maxSequenceLength: Type.Optional(
    Type.Integer({ minimum: 8, maximum: 8192, description: "Truncation length. Default: the model's." }),
  ),
});
export type ModelSpec = Static<typeof ModelSpec>;

export const GpuSpec = Type.Object({
  count: Type.Integer({ minimum: 1, maximum: 16, description: "`nvidia.com/gpu` per pod." }),
  product: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 63,
      pattern: LABEL_VALUE,
      description: "Node label `nvidia.com/gpu.product`, e.g. `NVIDIA-A100-SXM4-80GB`.",
    }),
  ),
});
export type GpuSpec = Static<typeof GpuSpec>;

export const CheckSample = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 10000 }),
  language: Type.Optional(Type.String({ maxLength: 3, pattern: "^[a-z]{2,3}$" })),
  expect: Type.Object({
    action: StringEnum(ACTIONS),
    categories: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
        maxItems: 32,
        description: "Categories that must be among the decision's reasons.",
      }),
    ),
  }),
});
export type CheckSample = Static<typeof CheckSample>;

export const QualityGate = Type.Object(
  {
    samples: Type.Optional(Type.Array(CheckSample, { maxItems: 200 })),
    samplesConfigMapRef: Type.Optional(
      Type.Object({
        name: ObjectName("ConfigMap name."),
        key: Type.Optional(DataKey("Default: `samples.yaml`.")),
      }),
    ),
    minPassRate: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "Fraction of samples that must match. Default: 1.",
      }),
    ),
    maxP95LatencyMs: Type.Optional(Int32({ minimum: 1, description: "p95 latency bound over the run." })),
  },
  { description: "Golden set replayed against the preview Service under the live Policy before promotion." },
);
export type QualityGate = Static<typeof QualityGate>;

export const BlueGreenStrategy = withRules(
  Type.Object({
    previewReplicas: Type.Optional(Int32({ minimum: 1, description: "Default: 1." })),
    autoPromotion: Type.Optional(Type.Boolean({ description: "Promote when checks pass. Default: true." })),
    autoPromotionSeconds: Type.Optional(
      Int32({ minimum: 0, description: "Wait this long after checks pass. Default: 0." }),
    ),
    scaleDownDelaySeconds: Type.Optional(
      Int32({ minimum: 0, description: "Keep the old stack this long after promotion. Default: 300." }),
    ),
    progressDeadlineSeconds: Type.Optional(
      Int32({ minimum: 30, description: "Preview not ready by then -> rollback. Default: 900." }),
    ),
    checks: Type.Optional(QualityGate),
  }),
  {
    rule: "!has(self.autoPromotionSeconds) || !has(self.autoPromotion) || self.autoPromotion",
    message: "autoPromotionSeconds needs autoPromotion: true",
    fieldPath: ".autoPromotionSeconds",
  },
);
export type BlueGreenStrategy = Static<typeof BlueGreenStrategy>;

export const ModelDeploymentSpec = Type.Object({
  model: ModelSpec,
  resources: Type.Optional(ResourceRequirements),
  gpu: Type.Optional(GpuSpec),
  strategy: Type.Optional(Type.Object({ blueGreen: Type.Optional(BlueGreenStrategy) })),
  revisionHistoryLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 50, description: "Default: 3." })),
});
export type ModelDeploymentSpec = Static<typeof ModelDeploymentSpec>;

/** A ModelDeployment's phase: its services' rollout phase, or Pending when none uses it yet. */
export const MODEL_PHASES = ["Pending", ...ROLLOUT_PHASES] as const;
export type ModelPhase = (typeof MODEL_PHASES)[number];

const Revision = Type.Object({
  hash: Type.String(),
  version: Type.String(),
  since: Type.Optional(Type.String({ format: "date-time" })),
});

export const ModelDeploymentStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  phase: Type.Optional(StringEnum(MODEL_PHASES)),
  activeRevision: Type.Optional(Revision),
  previewRevision: Type.Optional(Revision),
  history: Type.Optional(
    Type.Array(
      Type.Object({
        hash: Type.String(),
        version: Type.String(),
        promotedAt: Type.Optional(Type.String({ format: "date-time" })),
        outcome: Type.String(),
      }),
    ),
  ),
  checks: Type.Optional(
    Type.Object({
      passed: Type.Integer(),
      failed: Type.Integer(),
      p95LatencyMs: Type.Optional(Type.Number()),
      failures: Type.Optional(
        Type.Array(Type.Object({ text: Type.String(), expected: Type.String(), got: Type.String() })),
      ),
      ranAt: Type.Optional(Type.String({ format: "date-time" })),
    }),
  ),
  rollback: Type.Optional(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      reason: Type.String(),
      message: Type.Optional(Type.String()),
      at: Type.String({ format: "date-time" }),
    }),
  ),
  conditions: Type.Optional(Conditions),
});
export type ModelDeploymentStatus = Static<typeof ModelDeploymentStatus>;

export interface ModelDeployment {
  apiVersion: "moderation.vigil.dev/v1alpha1";
  kind: "ModelDeployment";
  metadata: ObjectMeta;
  spec: ModelDeploymentSpec;
  status?: ModelDeploymentStatus;
}
