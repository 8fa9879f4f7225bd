// The runtime's own ServiceAccount: no RBAC is bound to it and its token is not mounted, so
// a compromised runtime pod has no Kubernetes API credentials.
import type { V1ServiceAccount } from "@kubernetes/client-node";
import { buildContext } from "./context.js";
import type { DesiredInput } from "./input.js";
import { commonLabels } from "./labels.js";

export function buildServiceAccount(input: DesiredInput): V1ServiceAccount {
  const ctx = buildContext(input);
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: ctx.names.serviceAccount,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    automountServiceAccountToken: false,
  };
}
