// NetworkPolicy for the runtime pods: everything denied (both directions) except
// - ingress to the http port from spec.network.ingressFrom, or from the same namespace when
//   that is absent (an explicit empty list means nobody: a rule with an empty `from` would
//   mean everybody, so none is written);
// - ingress from the operator's namespace to the http port (the quality gate);
// - ingress from spec.network.metricsFrom to the same port. NetworkPolicy filters ports, not
//   HTTP paths: these peers can reach the whole API on 8080, not just /metrics, so the API's
//   own authentication still matters for them;
// - egress to DNS, to the model source for the fetch-model init container, and to the
//   Postgres/Redis ports (limited to their CIDR when given).
// Kubelet probes come from the node, which common CNIs (Calico, Cilium) always admit.
import type {
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
} from "@kubernetes/client-node";
import { buildContext } from "./context.js";
import type { ResolvedStorageEndpoint } from "./defaults.js";
import type { DesiredInput } from "./input.js";
import { commonLabels, instanceSelector } from "./labels.js";
import { parseModelSource } from "./model-source.js";
import { HTTP_PORT } from "./runtime-contract.js";

// Built objects are wire JSON, as the API server and `kubectl` see them. client-node's model
// class calls the ingress rule's `from` field `_from` (its ObjectSerializer renames it on the
// way out), so the wire shape is spelled out here. Whoever sends this object must send it as
// JSON as-is: passing it through client-node's ObjectSerializer would drop `from`, and an
// ingress rule without `from` admits every source.
export type NetworkPolicyIngressRule = Omit<V1NetworkPolicyIngressRule, "_from"> & {
  from?: V1NetworkPolicyPeer[];
};
export type NetworkPolicy = Omit<V1NetworkPolicy, "spec"> & {
  spec: Omit<V1NetworkPolicySpec, "ingress"> & { ingress?: NetworkPolicyIngressRule[] };
};

const DNS_PORT = 53;
/** Set by the API server on every namespace (Kubernetes >= 1.21), so it cannot be spoofed by a user label. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The numeric port: named ports in NetworkPolicy are not supported by every CNI. */
const httpPort = [{ protocol: "TCP", port: HTTP_PORT }];

function storageEgress(endpoint: ResolvedStorageEndpoint | undefined): V1NetworkPolicyEgressRule[] {
  if (!endpoint) return [];
  return [
    {
      ...(endpoint.cidr && { to: [{ ipBlock: { cidr: endpoint.cidr } }] }),
      ports: [{ protocol: "TCP", port: endpoint.port }],
    },
  ];
}

export function buildNetworkPolicy(input: DesiredInput): NetworkPolicy {
  const ctx = buildContext(input);
  const { network, storage } = ctx.service;

  const ingress: NetworkPolicyIngressRule[] = [];
  const callers: V1NetworkPolicyPeer[] = network.ingressFrom ?? [{ podSelector: {} }];
  if (callers.length > 0) ingress.push({ from: callers, ports: httpPort });
  if (network.metricsFrom.length > 0) ingress.push({ from: network.metricsFrom, ports: httpPort });
  const operatorNamespace = input.options.operatorNamespace;
  if (operatorNamespace) {
    // The operator's quality gate replays the golden set against the preview pods, and the
    // operator asks every pod which Policy generation it applies (GET /ready).
    ingress.push({
      from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: operatorNamespace } } }],
      ports: httpPort,
    });
  }

  const egress: V1NetworkPolicyEgressRule[] = [
    // Any destination on port 53: CoreDNS pods, NodeLocal DNSCache (a link-local IP, not a pod)
    // and distributions whose DNS pods are not labelled k8s-app=kube-dns all keep working.
    {
      ports: [
        { protocol: "UDP", port: DNS_PORT },
        { protocol: "TCP", port: DNS_PORT },
      ],
    },
  ];
  const source = parseModelSource(ctx.model.source.uri);
  if (source.kind === "download") {
    // The artifact host is a DNS name, which NetworkPolicy cannot express; the port is the limit.
    egress.push({ ports: [{ protocol: "TCP", port: source.port }] });
  }
  egress.push(...storageEgress(storage.postgres), ...storageEgress(storage.redis));

  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: ctx.names.networkPolicy,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    spec: {
      podSelector: { matchLabels: instanceSelector(ctx.serviceName) },
      policyTypes: ["Ingress", "Egress"],
      ingress,
      egress,
    },
  };
}
