// What a preview revision's pods say before its Deployment does: an artifact that failed
// verification, pods the scheduler cannot place, containers crash-looping. Each is final for
// this revision (waiting longer does not fix a wrong sha256 or a missing GPU), so the rollout
// stops at once instead of waiting for the progress deadline.
import type { V1Pod } from "@kubernetes/client-node";
import { artifactVerdict } from "../artifact-status.js";
import { ROLLOUT_REASON, type RolloutFailure } from "./reasons.js";

const GPU_RESOURCE = "nvidia.com/gpu";

function unschedulable(pods: readonly V1Pod[]): RolloutFailure | undefined {
  for (const pod of pods) {
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (scheduled?.status !== "False" || scheduled.reason !== "Unschedulable") continue;
    const message = scheduled.message ?? "";
    const name = pod.metadata?.name ?? "";
    return {
      reason: message.includes(GPU_RESOURCE) ? ROLLOUT_REASON.insufficientGPU : ROLLOUT_REASON.unschedulable,
      message: `pod ${name} cannot be scheduled: ${message || "no reason given"}`,
    };
  }
  return undefined;
}

function crashLooping(pods: readonly V1Pod[]): RolloutFailure | undefined {
  for (const pod of pods) {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const looping = statuses.find((s) => s.state?.waiting?.reason === "CrashLoopBackOff");
    if (!looping) continue;
    const last = looping.lastState?.terminated;
    const detail = last?.message?.trim().split("\n", 1)[0] || last?.reason || looping.state?.waiting?.message;
    return {
      reason: ROLLOUT_REASON.crashLoopBackOff,
      message:
        `container ${looping.name} of pod ${pod.metadata?.name ?? ""} is crash-looping ` +
        `(${looping.restartCount} restarts)` +
        (detail ? `: ${detail}` : ""),
    };
  }
  return undefined;
}

/** The first reason the preview's pods can never become available, most specific first. */
export function previewFailure(pods: readonly V1Pod[]): RolloutFailure | undefined {
  const artifact = artifactVerdict(pods);
  if (artifact.state === "Failed") {
    return { reason: artifact.reason, message: `pod ${artifact.pod}: ${artifact.message}` };
  }
  return unschedulable(pods) ?? crashLooping(pods);
}
