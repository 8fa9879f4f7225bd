// artifactVerdict: what the fetch-model init containers of a revision's pods say, one case per
// path through it.
import type { V1ContainerState, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { artifactVerdict } from "./artifact-status.js";

const DIGEST = "a".repeat(64);

function pod(name: string, fetch?: Partial<V1ContainerStatus>, others: V1ContainerStatus[] = []): V1Pod {
  const statuses: V1ContainerStatus[] = [...others];
  if (fetch)
    statuses.push({
      name: "fetch-model",
      image: "vigil-runtime",
      imageID: "",
      ready: false,
      restartCount: 0,
      ...fetch,
    });
  return { metadata: { name }, status: { phase: "Pending", initContainerStatuses: statuses } };
}

const terminated = (exitCode: number, message?: string, reason?: string): V1ContainerState => ({
  terminated: {
    exitCode,
    ...(message !== undefined && { message }),
    ...(reason !== undefined && { reason }),
  },
});

const failedLine = (reason: string, message: string): string => JSON.stringify({ reason, message });

describe("artifactVerdict", () => {
  it("is Unknown without pods, without a fetch-model container, or while it runs", () => {
    expect(artifactVerdict([])).toEqual({ state: "Unknown" });
    expect(artifactVerdict([{ metadata: { name: "builtin" }, status: { phase: "Running" } }])).toEqual({
      state: "Unknown",
    });
    const other = {
      name: "wait-for-db",
      image: "x",
      imageID: "",
      ready: false,
      restartCount: 0,
      state: terminated(1, "boom"),
    };
    expect(artifactVerdict([pod("p", undefined, [other])])).toEqual({ state: "Unknown" });
    expect(artifactVerdict([pod("p", { state: { running: { startedAt: new Date(0) } } })])).toEqual({
      state: "Unknown",
    });
    expect(artifactVerdict([pod("p", { state: { waiting: { reason: "PodInitializing" } } })])).toEqual({
      state: "Unknown",
    });
  });

  it("is Verified with the digest from the success message", () => {
    const line = JSON.stringify({ reason: "ArtifactVerified", sha256: DIGEST });
    expect(artifactVerdict([pod("p-1", { state: terminated(0, `${line}\n`) })])).toEqual({
      state: "Verified",
      sha256: DIGEST,
      pod: "p-1",
    });
  });

  it("is Verified without a digest when the container succeeded without the message", () => {
    expect(artifactVerdict([pod("p-1", { state: terminated(0) })])).toEqual({
      state: "Verified",
      pod: "p-1",
    });
    expect(artifactVerdict([pod("p-1", { state: terminated(0, "not json") })])).toEqual({
      state: "Verified",
      pod: "p-1",
    });
  });

  it.each([
    "ArtifactUnreachable",
    "ArtifactTimeout",
    "ArtifactTooLarge",
    "ArtifactChecksumMismatch",
    "ArtifactInvalid",
    "ArtifactUnauthorized",
  ])("is Failed with the reason %s and its message", (reason) => {
    const verdict = artifactVerdict([
      pod("p-2", { state: terminated(1, failedLine(reason, "what went wrong")) }),
    ]);
    expect(verdict).toEqual({ state: "Failed", reason, message: "what went wrong", pod: "p-2" });
  });

  it("reads the last failure of a container waiting to restart", () => {
    const verdict = artifactVerdict([
      pod("p-3", {
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: terminated(1, failedLine("ArtifactChecksumMismatch", "sha256 is b, expected a")),
        restartCount: 2,
      }),
    ]);
    expect(verdict).toEqual({
      state: "Failed",
      reason: "ArtifactChecksumMismatch",
      message: "sha256 is b, expected a",
      pod: "p-3",
    });
  });

  it("trusts the current success over an earlier failure of the same container", () => {
    const success = JSON.stringify({ reason: "ArtifactVerified", sha256: DIGEST });
    const verdict = artifactVerdict([
      pod("p-4", {
        state: terminated(0, success),
        lastState: terminated(1, failedLine("ArtifactTimeout", "slow")),
      }),
    ]);
    expect(verdict).toEqual({ state: "Verified", sha256: DIGEST, pod: "p-4" });
  });

  it("reads the contract from the first line when logs follow it", () => {
    const message = `${failedLine("ArtifactTooLarge", "over 2 GiB")}\nfetch-model: ArtifactTooLarge: over 2 GiB\n`;
    expect(artifactVerdict([pod("p-5", { state: terminated(1, message) })])).toMatchObject({
      state: "Failed",
      reason: "ArtifactTooLarge",
      message: "over 2 GiB",
    });
  });

  it("turns a failure without the contract into ArtifactInvalid naming the exit code and what is known", () => {
    expect(artifactVerdict([pod("p-6", { state: terminated(137, undefined, "OOMKilled") })])).toEqual({
      state: "Failed",
      reason: "ArtifactInvalid",
      message: "fetch-model exited with code 137: OOMKilled",
      pod: "p-6",
    });
    const logs = "fetch-model: retrying in 1s\nerror: unknown command 'fetch-model'\n";
    expect(artifactVerdict([pod("p-7", { state: terminated(1, logs, "Error") })])).toMatchObject({
      reason: "ArtifactInvalid",
      message: "fetch-model exited with code 1: error: unknown command 'fetch-model'",
    });
    expect(artifactVerdict([pod("p-8", { state: terminated(2) })])).toMatchObject({
      reason: "ArtifactInvalid",
      message: "fetch-model exited with code 2: no message",
    });
  });

  it("does not take an unknown reason in the JSON for one of the contract's", () => {
    const verdict = artifactVerdict([pod("p-9", { state: terminated(1, failedLine("DiskOnFire", "hot")) })]);
    expect(verdict).toMatchObject({ state: "Failed", reason: "ArtifactInvalid", pod: "p-9" });
    expect((verdict as { message: string }).message).toContain("DiskOnFire");
  });

  it("lets a failure on any pod win over a success on another, in either order", () => {
    const ok = pod("ok", {
      state: terminated(0, JSON.stringify({ reason: "ArtifactVerified", sha256: DIGEST })),
    });
    const bad = pod("bad", { state: terminated(1, failedLine("ArtifactUnreachable", "HTTP 404")) });
    const expected = { state: "Failed", reason: "ArtifactUnreachable", message: "HTTP 404", pod: "bad" };
    expect(artifactVerdict([ok, bad])).toEqual(expected);
    expect(artifactVerdict([bad, ok])).toEqual(expected);
  });

  it("names the first verified pod when several verified", () => {
    const line = JSON.stringify({ reason: "ArtifactVerified", sha256: DIGEST });
    const verdict = artifactVerdict([
      pod("running", { state: { running: {} } }),
      pod("first", { state: terminated(0, line) }),
      pod("second", { state: terminated(0, line) }),
    ]);
    expect(verdict).toEqual({ state: "Verified", sha256: DIGEST, pod: "first" });
  });

  it("fails an oci:// revision whose model image cannot be pulled, or has nothing to copy", () => {
    const copy = (state: V1ContainerState): V1ContainerStatus => ({
      name: "copy-model",
      image: "registry.example.com/models/m:1",
      imageID: "",
      ready: false,
      restartCount: 0,
      state,
    });
    const pulling = pod("p-10", { state: { waiting: { reason: "PodInitializing" } } }, [
      copy({ waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } }),
    ]);
    expect(artifactVerdict([pulling])).toEqual({
      state: "Failed",
      reason: "ArtifactUnreachable",
      message: "model image registry.example.com/models/m:1: ImagePullBackOff: Back-off pulling image",
      pod: "p-10",
    });
    const empty = pod("p-11", undefined, [
      copy(terminated(1, "cp: can't stat '/models/.': No such file or directory")),
    ]);
    expect(artifactVerdict([empty])).toEqual({
      state: "Failed",
      reason: "ArtifactInvalid",
      message:
        "copy-model (cp -R /models/. from the model image) exited with code 1: cp: can't stat '/models/.': No such file or directory",
      pod: "p-11",
    });
    const copied = pod("p-12", { state: { running: {} } }, [copy(terminated(0))]);
    expect(artifactVerdict([copied])).toEqual({ state: "Unknown" });
  });
});
