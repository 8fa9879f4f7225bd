import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildChildren, desiredWarnings } from "./children.js";
import { DesiredInputError } from "./errors.js";
import { FIXTURES, fullInput, minimalInput, type FixtureName } from "./fixtures.js";
import { LABEL } from "./labels.js";
import { revisionHash } from "./revision.js";
import { validateUpstream } from "./testing/upstream.js";

const kinds = (input = minimalInput()) => buildChildren(input).map((c) => `${c.kind}/${c.metadata?.name}`);

describe("buildChildren", () => {
  it("lists the children in apply order, fences before pods", () => {
    const hash = revisionHash(minimalInput().model);
    expect(kinds()).toEqual([
      "ServiceAccount/comments",
      "NetworkPolicy/comments",
      "ConfigMap/comments-policy",
      `Deployment/comments-${hash}`,
      "Service/comments",
      "Service/comments-preview",
      "PodDisruptionBudget/comments",
    ]);
  });

  it("adds the HPA and, when its CRD exists, the VPA", () => {
    expect(kinds(fullInput()).slice(-5, -2)).toEqual([
      "PodDisruptionBudget/comments-prod",
      "HorizontalPodAutoscaler/comments-prod",
      "VerticalPodAutoscaler/comments-prod",
    ]);
    const noVpa = fullInput();
    noVpa.options.vpaAvailable = false;
    expect(kinds(noVpa).at(-3)).toBe("HorizontalPodAutoscaler/comments-prod");
  });

  it("adds the backup resources ConfigMap and CronJob last, only with spec.backup", () => {
    expect(kinds(fullInput()).slice(-2)).toEqual([
      "ConfigMap/comments-prod-backup-resources",
      "CronJob/comments-prod-backup",
    ]);
    const noBackup = fullInput();
    delete noBackup.service.spec.backup;
    expect(kinds(noBackup).filter((k) => k.includes("backup"))).toEqual([]);
  });

  it.each(Object.keys(FIXTURES) as FixtureName[])(
    "builds only valid, owned, namespaced objects (%s)",
    (name) => {
      const input = FIXTURES[name]();
      for (const child of buildChildren(input)) {
        validateUpstream(child);
        expect(child.metadata?.namespace).toBe("trust");
        expect(child.metadata?.ownerReferences).toEqual([
          expect.objectContaining({
            uid: input.service.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          }),
        ]);
        expect(child.metadata?.labels?.[LABEL.instance]).toBe(input.service.metadata.name);
        expect(child.metadata?.labels?.[LABEL.managedBy]).toBe("vigil-operator");
      }
    },
  );

  it("is a pure function: same input, equal output, input untouched", () => {
    const input = fullInput();
    const snapshot = structuredClone(input);
    expect(buildChildren(input)).toEqual(buildChildren(input));
    expect(input).toEqual(snapshot);
  });

  describe("during a blue-green rollout", () => {
    const rollout = () => {
      const input = fullInput();
      input.model.status = { activeRevision: { hash: "0123456789", version: "3.0.0" } };
      return input;
    };

    it("builds the spec's revision as the preview and keeps traffic and autoscaling on the active one", () => {
      const input = rollout();
      const preview = revisionHash(input.model);
      const children = buildChildren(input);
      const deployments = children.filter((c) => c.kind === "Deployment");
      expect(deployments.map((d) => d.metadata?.name)).toEqual([`comments-prod-${preview}`]);
      expect(deployments[0]).toMatchObject({ spec: { replicas: 2 } });
      const selectorOf = (name: string) =>
        (
          children.find((c) => c.kind === "Service" && c.metadata?.name === name) as {
            spec: { selector: object };
          }
        ).spec.selector;
      expect(selectorOf("comments-prod")).toMatchObject({ [LABEL.revision]: "0123456789" });
      expect(selectorOf("comments-prod-preview")).toMatchObject({ [LABEL.revision]: preview });
      for (const kind of ["HorizontalPodAutoscaler", "VerticalPodAutoscaler"]) {
        expect(children.find((c) => c.kind === kind)).toMatchObject({
          spec: {
            [kind === "HorizontalPodAutoscaler" ? "scaleTargetRef" : "targetRef"]: {
              name: "comments-prod-0123456789",
            },
          },
        });
      }
    });

    it("lets the reconciler override the active revision (e.g. right after promotion)", () => {
      const input = rollout();
      const promoted = revisionHash(input.model);
      input.activeRevision = promoted;
      const children = buildChildren(input);
      // Active again: the HPA owns the replica count, both Services select the promoted revision.
      const deployment = children.find((c): c is V1Deployment => c.kind === "Deployment");
      expect(deployment?.spec).not.toHaveProperty("replicas");
      for (const service of children.filter((c) => c.kind === "Service")) {
        expect(service).toMatchObject({ spec: { selector: { [LABEL.revision]: promoted } } });
      }
    });
  });

  it("rejects a service name that cannot be a Service name or label value", () => {
    const input = minimalInput();
    input.service.metadata.name = `a${"b".repeat(63)}`;
    expect(() => buildChildren(input)).toThrow(DesiredInputError);
    input.service.metadata.name = "1comments";
    expect(() => buildChildren(input)).toThrow("must be a DNS-1035 label");
  });

  it("rejects a ModerationService without uid or namespace (not read from the API server)", () => {
    const noUid = minimalInput();
    delete noUid.service.metadata.uid;
    expect(() => buildChildren(noUid)).toThrow("ModerationService metadata.uid: Required value");
    const noNamespace = minimalInput();
    delete noNamespace.service.metadata.namespace;
    expect(() => buildChildren(noNamespace)).toThrow("ModerationService metadata.namespace: Required value");
  });

  it("collects PDB and VPA warnings", () => {
    expect(desiredWarnings(minimalInput())).toEqual([]);
    const input = minimalInput();
    input.service.spec.replicas = 1;
    input.service.spec.verticalAutoscaling = { updateMode: "Auto" };
    expect(desiredWarnings(input).map((w) => w.reason)).toEqual([
      "SingleReplicaUnprotected",
      "VerticalPodAutoscalerUnavailable",
    ]);
  });
});
