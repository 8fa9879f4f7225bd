import { describe, expect, it } from "vitest";
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { buildDeployment } from "./deployment.js";
import { fullInput, gpuInput, minimalInput } from "./fixtures.js";
import { ANNOTATION, LABEL } from "./labels.js";
import { revisionHash } from "./revision.js";
import { validateUpstream } from "./testing/upstream.js";

function runtimeContainer(deployment: V1Deployment): V1Container {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === "runtime");
  if (!container) throw new Error("no runtime container");
  return container;
}

describe("buildDeployment", () => {
  it("sets the service's replicas, defaulting to 2, when there is no autoscaling", () => {
    const input = minimalInput();
    expect(buildDeployment(input, "active").spec?.replicas).toBe(2);
    input.service.spec.replicas = 5;
    expect(buildDeployment(input, "active").spec?.replicas).toBe(5);
  });

  it("omits replicas entirely when an HPA owns the count", () => {
    const deployment = buildDeployment(fullInput(), "active");
    expect(deployment.spec).not.toHaveProperty("replicas");
    validateUpstream(deployment);
  });

  it("gives a preview revision the blue-green previewReplicas even with autoscaling", () => {
    expect(buildDeployment(fullInput(), "preview").spec?.replicas).toBe(2);
    expect(buildDeployment(minimalInput(), "preview").spec?.replicas).toBe(1);
  });

  it("is named and selected by the revision, with immutable selector keys only", () => {
    const input = minimalInput();
    const hash = revisionHash(input.model);
    const deployment = buildDeployment(input, "active");
    expect(deployment.metadata?.name).toBe(`comments-${hash}`);
    expect(deployment.spec?.selector.matchLabels).toEqual({
      [LABEL.name]: "vigil-runtime",
      [LABEL.instance]: "comments",
      [LABEL.revision]: hash,
    });
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    expect(podLabels[LABEL.version]).toBe("3.1.0");
    for (const [key, value] of Object.entries(deployment.spec?.selector.matchLabels ?? {})) {
      expect(podLabels[key]).toBe(value);
    }
  });

  it("is owned by the ModerationService as its controller", () => {
    const input = minimalInput();
    expect(buildDeployment(input, "active").metadata?.ownerReferences).toEqual([
      {
        apiVersion: "moderation.vigil.dev/v1alpha1",
        kind: "ModerationService",
        name: "comments",
        uid: input.service.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("runs the runtime as the restricted Pod Security Standard requires, init container included", () => {
    const pod = buildDeployment(minimalInput(), "active").spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
    expect(containers.map((c) => c.name)).toEqual(["fetch-model", "runtime"]);
    for (const container of containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.securityContext?.capabilities?.add).toBeUndefined();
    }
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.serviceAccountName).toBe("comments");
    expect(pod?.hostNetwork ?? false).toBe(false);
  });

  it("can write only /tmp: every other mount of the runtime is read-only", () => {
    const container = runtimeContainer(buildDeployment(fullInput(), "active"));
    const writable = (container.volumeMounts ?? []).filter((m) => !m.readOnly).map((m) => m.mountPath);
    expect(writable).toEqual(["/tmp"]);
  });

  it("mounts the Policy ConfigMap as a directory, so kubelet updates reach the process", () => {
    const deployment = buildDeployment(minimalInput(), "active");
    const mount = runtimeContainer(deployment).volumeMounts?.find((m) => m.name === "policy");
    expect(mount).toEqual({ name: "policy", mountPath: "/etc/vigil/policy", readOnly: true });
    expect(deployment.spec?.template.spec?.volumes).toContainEqual({
      name: "policy",
      configMap: { name: "comments-policy" },
    });
    expect(runtimeContainer(deployment).env).toContainEqual({
      name: "VIGIL_POLICY_FILE",
      value: "/etc/vigil/policy/policy.yaml",
    });
  });

  it("serves on one port named http and never overrides the image's entrypoint", () => {
    const container = runtimeContainer(buildDeployment(minimalInput(), "active"));
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(["serve"]);
  });

  it("allows the shutdown grace period plus 5 seconds before SIGKILL", () => {
    const deployment = buildDeployment(minimalInput(), "active");
    expect(deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBe(30);
    expect(runtimeContainer(deployment).env).toContainEqual({
      name: "VIGIL_SHUTDOWN_GRACE_MS",
      value: "25000",
    });
  });

  it("takes revisionHistoryLimit and progressDeadlineSeconds from the ModelDeployment", () => {
    expect(buildDeployment(minimalInput(), "active").spec).toMatchObject({
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 900,
    });
    expect(buildDeployment(fullInput(), "active").spec).toMatchObject({
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 1200,
    });
  });

  it("surges CPU revisions but replaces GPU pods one at a time", () => {
    expect(buildDeployment(minimalInput(), "active").spec?.strategy?.rollingUpdate).toEqual({
      maxSurge: "25%",
      maxUnavailable: 0,
    });
    expect(buildDeployment(gpuInput(), "active").spec?.strategy?.rollingUpdate).toEqual({
      maxSurge: 0,
      maxUnavailable: 1,
    });
  });

  it("annotates the pod template with its config hash", () => {
    const annotations = buildDeployment(minimalInput(), "active").spec?.template.metadata?.annotations;
    expect(annotations?.[ANNOTATION.configHash]).toMatch(/^[0-9a-f]{16}$/);
  });

  it("uses spec.runtime.image over the operator's default image", () => {
    expect(runtimeContainer(buildDeployment(minimalInput(), "active")).image).toBe(
      "ghcr.io/vigil-dev/vigil-runtime:0.1.0",
    );
    expect(runtimeContainer(buildDeployment(fullInput(), "active")).image).toBe(
      "registry.internal/vigil/vigil-runtime:0.1.0",
    );
  });
});
