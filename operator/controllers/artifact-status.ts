// What a revision's pods say about its model artifact: the fetch-model init container either
// terminated with a failure reason (ArtifactTerminationMessage in its termination message) or
// completed with the verified digest. For oci:// sources the copy-model init container runs
// first: a model image that cannot be pulled, or that has no /models to copy, fails there.
// Pure: pods in, verdict out.
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import {
  ARTIFACT_FAILURE_REASONS,
  COPY_MODEL_CONTAINER,
  FETCH_MODEL_CONTAINER,
  type ArtifactFailureReason,
  type ArtifactTerminationMessage,
} from "../desired/runtime-contract.js";

export type ArtifactVerdict =
  | { state: "Failed"; reason: ArtifactFailureReason; message: string; pod: string }
  | { state: "Verified"; sha256?: string; pod: string }
  | { state: "Unknown" };

function parseTerminationMessage(text: string | undefined): ArtifactTerminationMessage | undefined {
  if (!text) return undefined;
  // FallbackToLogsOnError may append log lines; the contract is the first line.
  const first = text.trim().split("\n", 1)[0] ?? "";
  try {
    const parsed = JSON.parse(first) as Partial<ArtifactTerminationMessage>;
    if (typeof parsed.reason !== "string") return undefined;
    return parsed as ArtifactTerminationMessage;
  } catch {
    return undefined;
  }
}

function fetchStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.initContainerStatuses?.find((s) => s.name === FETCH_MODEL_CONTAINER);
}

// Waiting reasons that mean the model image will not arrive without a spec change or a registry fix.
const IMAGE_PULL_FAILURES = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
]);

function copyFailureOf(pod: V1Pod): ArtifactVerdict | undefined {
  const status = pod.status?.initContainerStatuses?.find((s) => s.name === COPY_MODEL_CONTAINER);
  if (!status) return undefined;
  const podName = pod.metadata?.name ?? "";
  const waiting = status.state?.waiting;
  if (waiting?.reason && IMAGE_PULL_FAILURES.has(waiting.reason)) {
    return {
      state: "Failed",
      reason: "ArtifactUnreachable",
      message: `model image ${status.image}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`,
      pod: podName,
    };
  }
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (!terminated || terminated.exitCode === 0) return undefined;
  const detail = terminated.message?.trim().split("\n").at(-1)?.trim() || terminated.reason || "no message";
  return {
    state: "Failed",
    reason: "ArtifactInvalid",
    message: `${COPY_MODEL_CONTAINER} (cp -R /models/. from the model image) exited with code ${terminated.exitCode}: ${detail}`,
    pod: podName,
  };
}

function failureOf(pod: V1Pod, status: V1ContainerStatus): ArtifactVerdict | undefined {
  // The latest failure counts, whether the container is waiting to retry or has just exited.
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (!terminated || terminated.exitCode === 0) return undefined;
  const parsed = parseTerminationMessage(terminated.message);
  const podName = pod.metadata?.name ?? "";
  if (parsed && (ARTIFACT_FAILURE_REASONS as readonly string[]).includes(parsed.reason)) {
    return {
      state: "Failed",
      reason: parsed.reason as ArtifactFailureReason,
      message: parsed.message ?? "",
      pod: podName,
    };
  }
  // Not our message (killed for memory, image without fetch-model): still a failed artifact fetch.
  // Log fallback ends with the line that says what went wrong; the first may be a progress note.
  const detail = terminated.message?.trim().split("\n").at(-1)?.trim() || terminated.reason || "no message";
  return {
    state: "Failed",
    reason: "ArtifactInvalid",
    message: `${FETCH_MODEL_CONTAINER} exited with code ${terminated.exitCode}: ${detail}`,
    pod: podName,
  };
}

/** The artifact verdict over one revision's pods: a failure anywhere wins over a success elsewhere. */
export function artifactVerdict(pods: readonly V1Pod[]): ArtifactVerdict {
  let verified: ArtifactVerdict | undefined;
  for (const pod of pods) {
    const copyFailure = copyFailureOf(pod);
    if (copyFailure) return copyFailure;
    const status = fetchStatus(pod);
    if (!status) continue;
    const failure = failureOf(pod, status);
    if (failure) return failure;
    const terminated = status.state?.terminated;
    if (terminated?.exitCode === 0 && !verified) {
      const parsed = parseTerminationMessage(terminated.message);
      verified = {
        state: "Verified",
        ...(parsed?.reason === "ArtifactVerified" && { sha256: parsed.sha256 }),
        pod: pod.metadata?.name ?? "",
      };
    }
  }
  return verified ?? { state: "Unknown" };
}
