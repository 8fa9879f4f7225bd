// The restricted Pod Security Standard, for every container the operator creates. The
// runtime image is built for uid/gid 10001 and writes only to /tmp (an emptyDir).
import type { V1PodSecurityContext, V1SecurityContext } from "@kubernetes/client-node";

export const RUNTIME_UID = 10001;
export const RUNTIME_GID = 10001;

export function podSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUNTIME_UID,
    runAsGroup: RUNTIME_GID,
    fsGroup: RUNTIME_GID,
    // Skips the recursive chown of large model volumes on every start when ownership is already right.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(): V1SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUNTIME_UID,
    runAsGroup: RUNTIME_GID,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
