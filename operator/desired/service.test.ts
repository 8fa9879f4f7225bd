import { describe, expect, it } from "vitest";
import { fullInput, minimalInput } from "./fixtures.js";
import { revisionHash } from "./revision.js";
import { buildActiveService, buildPreviewService, serviceEndpoint, serviceEndpoints } from "./service.js";
import { buildServiceAccount } from "./serviceaccount.js";
import { validateUpstream } from "./testing/upstream.js";

describe("Services", () => {
  it("expose port 8080 named http as ClusterIP, selecting the active revision", () => {
    const input = minimalInput();
    const service = buildActiveService(input);
    validateUpstream(service);
    expect(service.metadata?.name).toBe("comments");
    expect(service.spec).toEqual({
      type: "ClusterIP",
      selector: {
        "app.kubernetes.io/name": "vigil-runtime",
        "app.kubernetes.io/instance": "comments",
        "moderation.vigil.dev/revision": revisionHash(input.model),
      },
      ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
    });
  });

  it("give the preview Service its own name, on the active revision outside a rollout", () => {
    const input = minimalInput();
    const preview = buildPreviewService(input);
    validateUpstream(preview);
    expect(preview.metadata?.name).toBe("comments-preview");
    expect(preview.spec?.selector).toEqual(buildActiveService(input).spec?.selector);
  });

  it("keep the preview name a DNS label for a 63-character service name", () => {
    const input = minimalInput();
    input.service.metadata.name = `c${"x".repeat(62)}`;
    const name = buildPreviewService(input).metadata?.name ?? "";
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?-preview$/);
    const other = minimalInput();
    other.service.metadata.name = `c${"x".repeat(61)}y`;
    expect(buildPreviewService(other).metadata?.name).not.toBe(name);
  });

  it("have an in-cluster endpoint with the cluster domain", () => {
    expect(serviceEndpoint("comments", "trust")).toBe("http://comments.trust.svc.cluster.local:8080");
    expect(serviceEndpoint("comments", "trust", "corp.internal")).toBe(
      "http://comments.trust.svc.corp.internal:8080",
    );
    const input = minimalInput();
    input.options.clusterDomain = "corp.internal";
    expect(serviceEndpoints(input)).toEqual({
      endpoint: "http://comments.trust.svc.corp.internal:8080",
      previewEndpoint: "http://comments-preview.trust.svc.corp.internal:8080",
    });
  });
});

describe("buildServiceAccount", () => {
  it("does not automount a token", () => {
    const account = buildServiceAccount(fullInput());
    validateUpstream(account);
    expect(account.metadata?.name).toBe("comments-prod");
    expect(account.automountServiceAccountToken).toBe(false);
  });
});
