import { describe, expect, it } from "vitest";
import { fullInput, minimalInput } from "./fixtures.js";
import { buildNetworkPolicy } from "./networkpolicy.js";
import { validateUpstream } from "./testing/upstream.js";

const portsOf = (rules: { ports?: { protocol?: string; port?: number | string }[] }[] | undefined) =>
  (rules ?? []).flatMap((r) => (r.ports ?? []).map((p) => `${p.protocol}/${p.port}`));

describe("buildNetworkPolicy", () => {
  it("denies both directions by default for every runtime pod of the service", () => {
    const policy = buildNetworkPolicy(minimalInput());
    validateUpstream(policy);
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.podSelector?.matchLabels).toEqual({
      "app.kubernetes.io/name": "vigil-runtime",
      "app.kubernetes.io/instance": "comments",
    });
  });

  it("admits callers from the same namespace only when ingressFrom is absent", () => {
    expect(buildNetworkPolicy(minimalInput()).spec.ingress).toEqual([
      { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });

  it("admits ingressFrom and metricsFrom peers on the http port", () => {
    const input = fullInput();
    const ingress = buildNetworkPolicy(input).spec.ingress;
    expect(ingress).toEqual([
      { from: input.service.spec.network?.ingressFrom, ports: [{ protocol: "TCP", port: 8080 }] },
      { from: input.service.spec.network?.metricsFrom, ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });

  it("admits the operator's namespace to the http port for the quality gate, and nothing else new", () => {
    const input = minimalInput();
    input.options = { ...input.options, operatorNamespace: "vigil-system" };
    const policy = buildNetworkPolicy(input);
    validateUpstream(policy);
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] },
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "vigil-system" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
    expect(policy.spec.egress).toEqual(buildNetworkPolicy(minimalInput()).spec.egress);
  });

  it("writes no rule at all for an empty ingressFrom (a rule with an empty `from` admits everyone)", () => {
    const input = minimalInput();
    input.service.spec.network = { ingressFrom: [] };
    const policy = buildNetworkPolicy(input);
    expect(policy.spec.ingress).toEqual([]);
    for (const rule of policy.spec.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
  });

  it("allows egress to DNS, the model host's port and the storage ports only", () => {
    expect(portsOf(buildNetworkPolicy(minimalInput()).spec.egress)).toEqual(["UDP/53", "TCP/53", "TCP/443"]);
    // full: model on a PVC (no download), Postgres in a CIDR, Redis on its default port.
    const egress = buildNetworkPolicy(fullInput()).spec.egress;
    expect(portsOf(egress)).toEqual(["UDP/53", "TCP/53", "TCP/5432", "TCP/6379"]);
    expect(egress?.[1]?.to).toEqual([{ ipBlock: { cidr: "10.20.0.0/16" } }]);
    expect(egress?.[2]?.to).toBeUndefined();
  });

  it("opens the port the model URI names", () => {
    const input = minimalInput();
    input.model.spec.model.source = { uri: "http://models.internal:8081/m.tar.gz", sha256: "a".repeat(64) };
    expect(portsOf(buildNetworkPolicy(input).spec.egress)).toContain("TCP/8081");
  });

  it("uses non-default storage ports", () => {
    const input = minimalInput();
    input.service.spec.storage = {
      postgres: { secretRef: { name: "db" }, port: 6432 },
      redis: { secretRef: { name: "r" }, port: 6380, cidr: "10.0.5.0/24" },
    };
    const egress = buildNetworkPolicy(input).spec.egress;
    expect(portsOf(egress)).toEqual(["UDP/53", "TCP/53", "TCP/443", "TCP/6432", "TCP/6380"]);
    expect(egress?.at(-1)?.to).toEqual([{ ipBlock: { cidr: "10.0.5.0/24" } }]);
  });
});
