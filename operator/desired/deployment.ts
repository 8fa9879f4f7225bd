// The Deployment of one revision: the runtime container per the runtime contract, its model
// volume, the Policy ConfigMap (mounted as a directory so the kubelet's `..data` symlink
// swap reaches the running process), a writable /tmp and nothing else writable.
import type {
  V1Container,
  V1Deployment,
  V1DeploymentStrategy,
  V1PodTemplateSpec,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import { configHash } from "./config-hash.js";
import { buildContext, type BuildContext } from "./context.js";
import { runtimeAuthEnabled } from "./defaults.js";
import { runtimeEnv } from "./env.js";
import type { DesiredInput } from "./input.js";
import { ANNOTATION, revisionLabels, revisionSelector } from "./labels.js";
import {
  modelInitContainers,
  modelVolumes,
  parseModelSource,
  runtimeModelMount,
  TMP_VOLUME,
} from "./model-source.js";
import { podPlacement } from "./placement.js";
import { runtimeProbes } from "./probes.js";
import { cpuCores, mergeResources, withoutExtendedResources } from "./resources.js";
import {
  HTTP_PORT,
  HTTP_PORT_NAME,
  JWKS_FILE,
  MOUNT,
  QUALITY_GATE_KEY_FILE,
  QUALITY_GATE_SECRET_KEY,
  RUNTIME_CONTAINER,
  SERVE_ARGS,
  SHUTDOWN_MARGIN_SECONDS,
} from "./runtime-contract.js";
import { containerSecurityContext, podSecurityContext } from "./security.js";

export type RevisionRole = "active" | "preview";

const POLICY_VOLUME = "policy";
const API_KEYS_VOLUME = "api-keys";
const JWKS_VOLUME = "jwks";

/**
 * In-place updates of a revision (resources, batching, env). CPU revisions surge so capacity
 * never drops. GPU revisions replace one pod at a time instead: a surge pod needs a spare GPU,
 * which clusters rarely have, and would sit Pending until the progress deadline.
 */
function rollingUpdate(gpu: boolean): V1DeploymentStrategy {
  return {
    type: "RollingUpdate",
    rollingUpdate: gpu ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge: "25%", maxUnavailable: 0 },
  };
}

function secretVolumes(ctx: BuildContext): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const rt = ctx.service.runtime;
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  // Mounted, not env: the kubelet refreshes the files when keys are rotated. With auth on, the
  // quality gate's own key joins the user's keys (or is the only API key of a JWT-only service).
  if (runtimeAuthEnabled(rt)) {
    volumes.push({
      name: API_KEYS_VOLUME,
      projected: {
        sources: [
          ...(rt.apiKeysSecretName ? [{ secret: { name: rt.apiKeysSecretName } }] : []),
          {
            secret: {
              name: ctx.names.qualityGateSecret,
              items: [{ key: QUALITY_GATE_SECRET_KEY, path: QUALITY_GATE_KEY_FILE }],
            },
          },
        ],
      },
    });
    mounts.push({ name: API_KEYS_VOLUME, mountPath: MOUNT.apiKeysDir, readOnly: true });
  }
  if (rt.jwt) {
    volumes.push({
      name: JWKS_VOLUME,
      secret: { secretName: rt.jwt.jwksSecretName, items: [{ key: rt.jwt.jwksSecretKey, path: JWKS_FILE }] },
    });
    mounts.push({ name: JWKS_VOLUME, mountPath: MOUNT.jwksDir, readOnly: true });
  }
  return { volumes, mounts };
}

function podTemplate(ctx: BuildContext, modelSizeBytes: number | undefined): V1PodTemplateSpec {
  const { service, model, specRevision } = ctx;
  const rt = service.runtime;
  const source = parseModelSource(model.source.uri);
  const resources = mergeResources(rt.resources, model.resources, model.gpu?.count);
  const securityContext = containerSecurityContext();
  const secrets = secretVolumes(ctx);
  const modelMount = runtimeModelMount(source, model.source);
  const initContainers = modelInitContainers(source, model.source, {
    image: rt.image,
    ...(rt.imagePullPolicy && { imagePullPolicy: rt.imagePullPolicy }),
    resources: withoutExtendedResources(resources),
    securityContext,
  });

  const runtime: V1Container = {
    name: RUNTIME_CONTAINER,
    image: rt.image,
    ...(rt.imagePullPolicy && { imagePullPolicy: rt.imagePullPolicy }),
    args: SERVE_ARGS,
    ports: [{ name: HTTP_PORT_NAME, containerPort: HTTP_PORT, protocol: "TCP" }],
    env: runtimeEnv({ service, model, source, cpuCores: cpuCores(resources) }),
    resources,
    volumeMounts: [
      ...(modelMount ? [modelMount] : []),
      { name: POLICY_VOLUME, mountPath: MOUNT.policyDir, readOnly: true },
      { name: TMP_VOLUME, mountPath: MOUNT.tmp },
      ...secrets.mounts,
    ],
    ...runtimeProbes(modelSizeBytes),
    securityContext,
    // A model that fails to load shows its last log lines in `kubectl describe pod`.
    terminationMessagePolicy: "FallbackToLogsOnError",
  };

  const selector = revisionSelector(ctx.serviceName, specRevision.hash);
  const labels = revisionLabels(ctx.serviceName, specRevision.hash, model.version);
  const annotations = { [ANNOTATION.defaultContainer]: RUNTIME_CONTAINER };
  const template: V1PodTemplateSpec = {
    metadata: { labels, annotations },
    spec: {
      serviceAccountName: ctx.names.serviceAccount,
      // The runtime never calls the Kubernetes API; no token means nothing to steal.
      automountServiceAccountToken: false,
      // Service links would inject e.g. VIGIL_PORT=tcp://… for a Service named "vigil".
      enableServiceLinks: false,
      securityContext: podSecurityContext(),
      terminationGracePeriodSeconds: Math.ceil(rt.shutdownGraceMs / 1000) + SHUTDOWN_MARGIN_SECONDS,
      ...(initContainers.length > 0 && { initContainers }),
      containers: [runtime],
      volumes: [
        ...modelVolumes(source, model.source),
        { name: POLICY_VOLUME, configMap: { name: ctx.names.policyConfigMap } },
        { name: TMP_VOLUME, emptyDir: {} },
        ...secrets.volumes,
      ],
      ...podPlacement(service, model, selector),
    },
  };
  return {
    ...template,
    metadata: { labels, annotations: { ...annotations, [ANNOTATION.configHash]: configHash(template) } },
  };
}

/**
 * The Deployment of the ModelDeployment's current spec revision. As the active revision it
 * has the service's replicas, or none at all when an HPA owns the count; as a preview it has
 * the blue-green previewReplicas (the HPA never targets a preview).
 */
export function buildDeployment(input: DesiredInput, role: RevisionRole): V1Deployment {
  const ctx = buildContext(input);
  const { model, specRevision } = ctx;
  const byRole = role === "preview" ? model.blueGreen.previewReplicas : ctx.service.replicas;
  const replicas = input.specReplicas === undefined ? byRole : (input.specReplicas ?? undefined);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: specRevision.name,
      namespace: ctx.namespace,
      labels: revisionLabels(ctx.serviceName, specRevision.hash, model.version),
      ownerReferences: [ctx.owner],
    },
    spec: {
      ...(replicas !== undefined && { replicas }),
      selector: { matchLabels: revisionSelector(ctx.serviceName, specRevision.hash) },
      strategy: rollingUpdate(model.gpu !== undefined),
      revisionHistoryLimit: model.revisionHistoryLimit,
      // Covers model download + load; past it the Deployment reports ProgressDeadlineExceeded.
      progressDeadlineSeconds: model.blueGreen.progressDeadlineSeconds,
      template: podTemplate(ctx, input.options.modelSizeBytes),
    },
  };
}
