// The operator side of the runtime <-> operator contract: ports, paths and commands the
// runtime image understands. The runtime reads the same environment variable names.

export const RUNTIME_CONTAINER = "runtime";
/** Downloads or verifies the model (its termination message is the ArtifactTerminationMessage). */
export const FETCH_MODEL_CONTAINER = "fetch-model";
/** oci:// sources: runs the model image to copy its /models directory into the model volume. */
export const COPY_MODEL_CONTAINER = "copy-model";
/** The directory a model image ("modelcar") keeps its model directory in. */
export const MODEL_IMAGE_DIR = "/models";
/**
 * Subcommands of the image's entrypoint (`vigil-runtime`, i.e. `node dist/runtime/main.js`).
 * Pods set only `args`, never `command`: the entrypoint is the image's business.
 */
export const SERVE_ARGS = ["serve"];
export const FETCH_MODEL_SUBCOMMAND = "fetch-model";
/** `builtin://default`: the demo model baked into the runtime image; the CRD admits only these. */
export { BUILTIN_MODELS } from "../../crds/modeldeployment.js";

/** One port for the API, the probes and /metrics. */
export const HTTP_PORT = 8080;
export const HTTP_PORT_NAME = "http";

export const PROBE_PATH = { startup: "/startup", readiness: "/ready", liveness: "/live" } as const;

export const MOUNT = {
  model: "/models/model",
  /** fetch-model's view of the model volume: it stages next to MOUNT.model, then renames onto it. */
  modelVolumeRoot: "/models",
  modelAuthDir: "/etc/vigil/model-auth",
  /** The shared model cache's claim, in the fetch-model init container only. */
  modelCache: "/var/cache/vigil/models",
  policyDir: "/etc/vigil/policy",
  policyFile: "/etc/vigil/policy/policy.yaml",
  apiKeysDir: "/etc/vigil/api-keys",
  jwksDir: "/etc/vigil/jwks",
  tmp: "/tmp",
  /** The backup PVC, in the backup Job. */
  backupDestination: "/backups",
  /** The service's resources (ConfigMap), saved with each backup. */
  backupResources: "/etc/vigil/backup-resources",
} as const;

/**
 * With runtime auth on, the quality gate authenticates with an API key of its own: a Secret the
 * operator creates per service (key QUALITY_GATE_SECRET_KEY), projected into the runtime's API
 * keys directory as this file, next to the user's keys. Not a `.review` name: it may classify,
 * never read or review decisions.
 */
export const QUALITY_GATE_KEY_FILE = "vigil-quality-gate";
export const QUALITY_GATE_SECRET_KEY = "api-key";

/** The ConfigMap key that holds the rendered Policy. */
export const POLICY_KEY = "policy.yaml";
/** The file name the JWKS Secret key is projected to under MOUNT.jwksDir. */
export const JWKS_FILE = "jwks.json";

/** Default of VIGIL_SHUTDOWN_GRACE_MS; the pod gets this + 5 s before SIGKILL. */
export const SHUTDOWN_GRACE_MS = 25_000;
export const SHUTDOWN_MARGIN_SECONDS = 5;

export const GPU_RESOURCE = "nvidia.com/gpu";
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";
export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

/**
 * Why `fetch-model` refused an artifact. The init container exits non-zero and writes one JSON
 * line ({@link ArtifactTerminationMessage}) to its termination message; the operator reads it
 * from the pod's status and turns it into the ArtifactVerified condition.
 */
export const ARTIFACT_FAILURE_REASONS = [
  "ArtifactUnreachable",
  "ArtifactTimeout",
  "ArtifactTooLarge",
  "ArtifactChecksumMismatch",
  "ArtifactInvalid",
  "ArtifactUnauthorized",
] as const;
export type ArtifactFailureReason = (typeof ARTIFACT_FAILURE_REASONS)[number];

/** The termination message of the fetch-model container, success or failure. */
export type ArtifactTerminationMessage =
  | { reason: "ArtifactVerified"; sha256: string; message?: string }
  | { reason: ArtifactFailureReason; message: string };

/** `vigil-runtime backup`: what the backup CronJob's container runs. */
export const BACKUP_SUBCOMMAND = "backup";
export const BACKUP_CONTAINER = "backup";

/**
 * Why `vigil-runtime backup` failed. Like fetch-model, the container writes one JSON line
 * ({@link BackupTerminationMessage}) to its termination message; the operator turns it into
 * the BackupSucceeded condition and status.lastBackup.
 */
export const BACKUP_FAILURE_REASONS = [
  "DatabaseUnreachable",
  "DumpFailed",
  "DestinationUnwritable",
  "BackupMisconfigured",
] as const;
export type BackupFailureReason = (typeof BACKUP_FAILURE_REASONS)[number];

/** The termination message of the backup container, success or failure. */
export type BackupTerminationMessage =
  | {
      reason: "BackupCompleted";
      name: string;
      size: number;
      startedAt: string;
      completedAt: string;
      rows: number;
      /** Set when the backup was written but removing expired ones failed. */
      retentionError?: string;
    }
  | { reason: BackupFailureReason; message: string };
