// Where a revision's model directory comes from, as pod volumes and init containers. Every
// source but builtin:// passes through the fetch-model init container before the runtime
// starts, so a bad artifact fails within seconds with a reason in the pod status:
//   http(s)   fetch-model downloads into an emptyDir (sizeLimit from spec.model.source.size),
//             checks sha256 and the model, and renames the result onto the runtime's path; with
//             a cache claim it takes the model from the claim, or downloads it there, and copies
//             it into the emptyDir;
//   pvc       the claim is mounted read-only at a subPath; fetch-model --verify-dir checks the
//             manifest digest and the model when sha256 is set;
//   oci       the "modelcar" pattern: copy-model runs the model image to copy its /models into
//             an emptyDir, or (imageVolume) the image is mounted as an image volume; then
//             fetch-model --verify-dir checks the model. sha256 pins the image digest;
//   builtin   the demo model inside the runtime image: no volume at all.
import type { V1Container, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { DesiredInputError } from "./errors.js";
import { parseQuantity } from "./quantity.js";
import {
  BUILTIN_MODELS,
  COPY_MODEL_CONTAINER,
  FETCH_MODEL_CONTAINER,
  FETCH_MODEL_SUBCOMMAND,
  MODEL_IMAGE_DIR,
  MOUNT,
} from "./runtime-contract.js";

export const MODEL_VOLUME = "model";
export const TMP_VOLUME = "tmp";
export const MODEL_AUTH_VOLUME = "model-auth";
export const MODEL_CACHE_VOLUME = "model-cache";
/** The directory under the http(s) model volume that fetch-model renames the verified model onto. */
const DOWNLOAD_SUBDIR = "model";
/** Where copy-model sees the model volume (not under /models, which is the image's own). */
const COPY_TARGET = "/vigil-model";

const FIELD = "ModelDeployment spec.model.source.uri";
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export type ModelSourceLocation =
  | { kind: "download"; uri: string; host: string; port: number }
  | { kind: "oci"; image: string }
  | { kind: "pvc"; claimName: string; subPath?: string }
  | { kind: "builtin"; name: string };

export function parseModelSource(uri: string): ModelSourceLocation {
  const scheme = /^([a-z]+):\/\//.exec(uri)?.[1];
  if (scheme === "pvc") return parsePvcSource(uri.slice("pvc://".length));
  if (scheme === "builtin") {
    const name = uri.slice("builtin://".length);
    if (!(BUILTIN_MODELS as readonly string[]).includes(name)) {
      throw new DesiredInputError(
        FIELD,
        `"${uri}": the runtime image has only ${BUILTIN_MODELS.map((m) => `builtin://${m}`).join(", ")}`,
      );
    }
    return { kind: "builtin", name };
  }
  if (scheme !== "http" && scheme !== "https" && scheme !== "oci") {
    throw new DesiredInputError(
      FIELD,
      `"${uri}" must start with https://, http://, pvc://, oci:// or builtin://`,
    );
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DesiredInputError(FIELD, `"${uri}" is not a valid URI`);
  }
  if (!url.hostname) throw new DesiredInputError(FIELD, `"${uri}" has no host`);
  // The kubelet pulls an OCI image; the pod itself never talks to the registry.
  if (scheme === "oci") return { kind: "oci", image: uri.slice("oci://".length) };
  const defaultPort = scheme === "http" ? 80 : 443;
  return { kind: "download", uri, host: url.hostname, port: url.port ? Number(url.port) : defaultPort };
}

function parsePvcSource(rest: string): ModelSourceLocation {
  const [claimName = "", ...segments] = rest.split("/");
  if (claimName.length > 253 || !DNS1123_SUBDOMAIN.test(claimName)) {
    throw new DesiredInputError(
      FIELD,
      `pvc://${rest}: "${claimName}" is not a valid PersistentVolumeClaim name`,
    );
  }
  const path = segments.filter((s) => s !== "");
  if (path.some((s) => s === "." || s === "..")) {
    throw new DesiredInputError(
      FIELD,
      `pvc://${rest}: the path inside the claim must not contain '.' or '..'`,
    );
  }
  return { kind: "pvc", claimName, ...(path.length > 0 && { subPath: path.join("/") }) };
}

/** What the builders need of spec.model.source besides where it is (ResolvedModel.source). */
export interface ModelArtifact {
  sha256?: string | undefined;
  timeoutSeconds: number;
  size: string | number;
  auth?: { secretName: string; key: string; type: "Bearer" | "Basic" } | undefined;
  imageVolume: boolean;
  cache?: { pvc: string } | undefined;
}

const SIZE_FIELD = "ModelDeployment spec.model.source.size";
const SUFFIXES: [string, number][] = [
  ["Ti", 2 ** 40],
  ["Gi", 2 ** 30],
  ["Mi", 2 ** 20],
  ["Ki", 2 ** 10],
  ["T", 1e12],
  ["G", 1e9],
  ["M", 1e6],
  ["k", 1e3],
];

/** Bytes as the shortest exact quantity: 4294967296 -> "4Gi", 6000000000 -> "6G". */
export function bytesQuantity(bytes: number): string {
  let best = String(bytes);
  for (const [suffix, unit] of SUFFIXES) {
    const candidate = `${bytes / unit}${suffix}`;
    if (bytes % unit === 0 && candidate.length < best.length) best = candidate;
  }
  return best;
}

export function artifactSizeBytes(artifact: ModelArtifact): number {
  const bytes = Math.floor(parseQuantity(artifact.size, SIZE_FIELD));
  if (!(bytes >= 1)) throw new DesiredInputError(SIZE_FIELD, `"${artifact.size}" must be at least one byte`);
  return bytes;
}

/** An image reference pinned to the digest when sha256 is given (`name:tag@sha256:…` is valid). */
function pinnedImage(image: string, sha256: string | undefined): string {
  if (!sha256 || image.includes("@")) return image;
  return `${image}@sha256:${sha256}`;
}

/** The pod volumes for the model (and its download credentials); none for a builtin model. */
export function modelVolumes(location: ModelSourceLocation, artifact: ModelArtifact): V1Volume[] {
  switch (location.kind) {
    case "pvc":
      return [
        { name: MODEL_VOLUME, persistentVolumeClaim: { claimName: location.claimName, readOnly: true } },
      ];
    case "download":
      return [
        // The archive and its unpacked copy are both on the volume until the archive is deleted;
        // with a cache, both are on the cache's claim and the emptyDir holds only the copy.
        {
          name: MODEL_VOLUME,
          emptyDir: { sizeLimit: bytesQuantity((artifact.cache ? 1 : 2) * artifactSizeBytes(artifact)) },
        },
        ...(artifact.cache
          ? [{ name: MODEL_CACHE_VOLUME, persistentVolumeClaim: { claimName: artifact.cache.pvc } }]
          : []),
        ...(artifact.auth
          ? [
              {
                name: MODEL_AUTH_VOLUME,
                secret: {
                  secretName: artifact.auth.secretName,
                  items: [{ key: artifact.auth.key, path: artifact.auth.key }],
                },
              },
            ]
          : []),
      ];
    case "oci":
      return [
        artifact.imageVolume
          ? {
              name: MODEL_VOLUME,
              image: { reference: pinnedImage(location.image, artifact.sha256), pullPolicy: "IfNotPresent" },
            }
          : { name: MODEL_VOLUME, emptyDir: { sizeLimit: bytesQuantity(artifactSizeBytes(artifact)) } },
      ];
    case "builtin":
      return [];
  }
}

/** Where the runtime container (and fetch-model --verify-dir) sees the model; null for a builtin model. */
export function runtimeModelMount(
  location: ModelSourceLocation,
  artifact: ModelArtifact,
): V1VolumeMount | null {
  const subPath =
    location.kind === "pvc"
      ? location.subPath
      : location.kind === "download"
        ? DOWNLOAD_SUBDIR
        : location.kind === "oci" && artifact.imageVolume
          ? MODEL_IMAGE_DIR.slice(1)
          : undefined;
  if (location.kind === "builtin") return null;
  return { name: MODEL_VOLUME, mountPath: MOUNT.model, readOnly: true, ...(subPath && { subPath }) };
}

export interface InitContainerOptions {
  image: string;
  imagePullPolicy?: string;
  resources: V1Container["resources"];
  securityContext: V1Container["securityContext"];
}

function fetchModelBase(options: InitContainerOptions, args: string[], mounts: V1VolumeMount[]): V1Container {
  return {
    name: FETCH_MODEL_CONTAINER,
    image: options.image,
    ...(options.imagePullPolicy && { imagePullPolicy: options.imagePullPolicy }),
    args: [FETCH_MODEL_SUBCOMMAND, ...args],
    resources: options.resources,
    securityContext: options.securityContext,
    // fetch-model writes its one-line verdict to /dev/termination-log (the default path); the
    // operator reads it from the pod status (artifact-status.ts). Logs only if it never wrote one.
    terminationMessagePolicy: "FallbackToLogsOnError",
    volumeMounts: [...mounts, { name: TMP_VOLUME, mountPath: MOUNT.tmp }],
  };
}

function downloadContainer(
  location: Extract<ModelSourceLocation, { kind: "download" }>,
  artifact: ModelArtifact,
  options: InitContainerOptions,
): V1Container {
  const auth = artifact.auth;
  return fetchModelBase(
    options,
    [
      "--uri",
      location.uri,
      ...(artifact.sha256 ? ["--sha256", artifact.sha256] : []),
      "--dest",
      MOUNT.model,
      "--timeout",
      String(artifact.timeoutSeconds),
      "--max-bytes",
      String(artifactSizeBytes(artifact)),
      ...(auth
        ? ["--auth-file", `${MOUNT.modelAuthDir}/${auth.key}`, "--auth-type", auth.type.toLowerCase()]
        : []),
      ...(artifact.cache ? ["--cache-dir", MOUNT.modelCache] : []),
    ],
    [
      // The volume root, not MOUNT.model: the verified directory is renamed onto MOUNT.model.
      { name: MODEL_VOLUME, mountPath: MOUNT.modelVolumeRoot },
      ...(auth ? [{ name: MODEL_AUTH_VOLUME, mountPath: MOUNT.modelAuthDir, readOnly: true }] : []),
      ...(artifact.cache ? [{ name: MODEL_CACHE_VOLUME, mountPath: MOUNT.modelCache }] : []),
    ],
  );
}

function verifyContainer(
  location: ModelSourceLocation,
  artifact: ModelArtifact,
  options: InitContainerOptions,
  sha256: string | undefined,
): V1Container {
  const mount = runtimeModelMount(location, artifact)!;
  return fetchModelBase(
    options,
    [
      "--verify-dir",
      MOUNT.model,
      ...(sha256 ? ["--sha256", sha256] : []),
      "--timeout",
      String(artifact.timeoutSeconds),
    ],
    [mount],
  );
}

/**
 * copy-model: the model image itself copies its /models into the model volume. It needs a `cp`
 * binary in the image (busybox, distroless :debug, any distro base); images without one use
 * imageVolume instead. No shell: cp is exec'd directly.
 */
function copyContainer(
  location: Extract<ModelSourceLocation, { kind: "oci" }>,
  artifact: ModelArtifact,
  options: InitContainerOptions,
): V1Container {
  return {
    name: COPY_MODEL_CONTAINER,
    image: pinnedImage(location.image, artifact.sha256),
    imagePullPolicy: "IfNotPresent",
    command: ["cp", "-R", `${MODEL_IMAGE_DIR}/.`, `${COPY_TARGET}/`],
    resources: options.resources,
    securityContext: options.securityContext,
    terminationMessagePolicy: "FallbackToLogsOnError",
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: COPY_TARGET }],
  };
}

/** The init containers that deliver and verify the model, in order; none for builtin (or pvc without sha256). */
export function modelInitContainers(
  location: ModelSourceLocation,
  artifact: ModelArtifact,
  options: InitContainerOptions,
): V1Container[] {
  switch (location.kind) {
    case "download":
      return [downloadContainer(location, artifact, options)];
    case "pvc":
      return artifact.sha256 ? [verifyContainer(location, artifact, options, artifact.sha256)] : [];
    case "oci":
      // The digest is pinned in the image reference; the manifest digest is only reported.
      return [
        ...(artifact.imageVolume ? [] : [copyContainer(location, artifact, options)]),
        verifyContainer(location, artifact, options, undefined),
      ];
    case "builtin":
      return [];
  }
}
