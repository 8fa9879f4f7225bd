// The active Service (the stable endpoint `<service>.<namespace>.svc:8080`) and the preview
// Service the blue-green quality gate calls. Each selects exactly one revision; switching
// traffic is a selector change. Outside a rollout the preview Service selects the active
// revision, so it always answers.
import type { V1Service } from "@kubernetes/client-node";
import { buildContext, type BuildContext } from "./context.js";
import type { DesiredInput } from "./input.js";
import { commonLabels, revisionSelector } from "./labels.js";
import type { Revision } from "./revision.js";
import { HTTP_PORT, HTTP_PORT_NAME } from "./runtime-contract.js";

function service(ctx: BuildContext, name: string, revision: Revision): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace: ctx.namespace,
      labels: commonLabels(ctx.serviceName),
      ownerReferences: [ctx.owner],
    },
    spec: {
      type: "ClusterIP",
      selector: revisionSelector(ctx.serviceName, revision.hash),
      ports: [
        {
          name: HTTP_PORT_NAME,
          port: HTTP_PORT,
          targetPort: HTTP_PORT_NAME,
          protocol: "TCP",
          appProtocol: "http",
        },
      ],
    },
  };
}

export function buildActiveService(input: DesiredInput): V1Service {
  const ctx = buildContext(input);
  return service(ctx, ctx.names.activeService, ctx.activeRevision);
}

export function buildPreviewService(input: DesiredInput): V1Service {
  const ctx = buildContext(input);
  return service(ctx, ctx.names.previewService, ctx.previewRevision ?? ctx.activeRevision);
}

/** In-cluster URL of a Service built here. */
export function serviceEndpoint(name: string, namespace: string, clusterDomain = "cluster.local"): string {
  return `http://${name}.${namespace}.svc.${clusterDomain}:${HTTP_PORT}`;
}

/** URLs of the active and preview Services, for status.endpoint / previewEndpoint and the quality gate. */
export function serviceEndpoints(input: DesiredInput): { endpoint: string; previewEndpoint: string } {
  const { names, namespace } = buildContext(input);
  const domain = input.options.clusterDomain;
  return {
    endpoint: serviceEndpoint(names.activeService, namespace, domain),
    previewEndpoint: serviceEndpoint(names.previewService, namespace, domain),
  };
}
