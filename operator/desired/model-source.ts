// Where a revision's model directory comes from, as pod volumes. http(s) and oci sources are
// fetched by an init container into an emptyDir (bounded by timeoutSeconds and checked
// against sha256, so a bad artifact fails the init container within seconds and shows in
// the pod status); pvc://claim/path mounts an existing volume read-only at a subPath;
// builtin://default is the demo model inside the image and needs no volume at all.
import type { V1Container, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { DesiredInputError } from "./errors.js";
import { BUILTIN_MODELS, FETCH_MODEL_CONTAINER, FETCH_MODEL_SUBCOMMAND, MOUNT } from "./runtime-contract.js";

export const MODEL_VOLUME = "model";
export const TMP_VOLUME = "tmp";

const FIELD = "ModelDeployment spec.model.source.uri";
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export type ModelSourceLocation =
  | { kind: "download"; uri: string; host: string; port: number }
  | { kind: "pvc"; claimName: string; subPath?: string }
  | { kind: "builtin"; name: string };

export function parseModelSource(uri: string): ModelSourceLocation {
  const scheme = /^([a-z]+):\/\//.exec(uri)?.[1];
  if (scheme === "pvc") return parsePvcSource(uri.slice("pvc://".length));
  if (scheme === "builtin") {
    const name = uri.slice("builtin://".length);
    if (!BUILTIN_MODELS.includes(name)) {
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
  // An OCI registry speaks HTTPS unless its reference names another port.
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

/** The model volume; null for a builtin model, which is part of the image. */
export function modelVolume(location: ModelSourceLocation): V1Volume | null {
  switch (location.kind) {
    case "pvc":
      return { name: MODEL_VOLUME, persistentVolumeClaim: { claimName: location.claimName, readOnly: true } };
    case "download":
      return { name: MODEL_VOLUME, emptyDir: {} };
    case "builtin":
      return null;
  }
}

/** Where the runtime container sees the model (read-only); null for a builtin model. */
export function runtimeModelMount(location: ModelSourceLocation): V1VolumeMount | null {
  if (location.kind === "builtin") return null;
  return {
    name: MODEL_VOLUME,
    mountPath: MOUNT.model,
    readOnly: true,
    ...(location.kind === "pvc" && location.subPath && { subPath: location.subPath }),
  };
}

export interface FetchModelOptions {
  image: string;
  imagePullPolicy?: string;
  sha256?: string;
  timeoutSeconds: number;
  resources: V1Container["resources"];
  securityContext: V1Container["securityContext"];
}

/** The init container that downloads and verifies an http(s)/oci model; null for pvc://. */
export function fetchModelContainer(
  location: ModelSourceLocation,
  options: FetchModelOptions,
): V1Container | null {
  if (location.kind !== "download") return null;
  return {
    name: FETCH_MODEL_CONTAINER,
    image: options.image,
    ...(options.imagePullPolicy && { imagePullPolicy: options.imagePullPolicy }),
    args: [
      FETCH_MODEL_SUBCOMMAND,
      "--uri",
      location.uri,
      ...(options.sha256 ? ["--sha256", options.sha256] : []),
      "--dest",
      MOUNT.model,
      "--timeout",
      String(options.timeoutSeconds),
    ],
    resources: options.resources,
    securityContext: options.securityContext,
    // A checksum mismatch or timeout shows up in the pod status, not only in the logs.
    terminationMessagePolicy: "FallbackToLogsOnError",
    volumeMounts: [
      { name: MODEL_VOLUME, mountPath: MOUNT.model },
      { name: TMP_VOLUME, mountPath: MOUNT.tmp },
    ],
  };
}
