// The quality gate's own API key for a service whose runtime asks for credentials. The operator
// creates the Secret once (a random key, owned by the service, so it goes with it) and never
// rewrites it: the runtime pods mount it into their API keys directory (see the Deployment
// builder), and the gate sends it. Read with a plain GET, not an informer: the operator never
// caches the cluster's Secrets.
import { randomBytes } from "node:crypto";
import type { ReconcileContext } from "../../core/controller.js";
import { isAlreadyExists, isNotFound } from "../../core/errors.js";
import { Kinds } from "../../core/kinds.js";
import type { KubeObject } from "../../core/kubeclient.js";
import { childNames } from "../../desired/index.js";
import { commonLabels } from "../../desired/labels.js";
import { controllerReference } from "../../desired/owner.js";
import { QUALITY_GATE_SECRET_KEY } from "../../desired/runtime-contract.js";
import type { LiveModerationService } from "../live-objects.js";

type Secret = KubeObject & { data?: Record<string, string>; type?: string };

const decoded = (secret: Secret): string | undefined => {
  const value = secret.data?.[QUALITY_GATE_SECRET_KEY];
  return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8");
};

/** The key, creating its Secret on first use; undefined when someone emptied the Secret. */
export async function qualityGateKey(
  ctx: ReconcileContext,
  service: LiveModerationService,
): Promise<string | undefined> {
  const namespace = service.metadata?.namespace ?? "";
  const name = childNames(service.metadata?.name ?? "").qualityGateSecret;
  try {
    return decoded(await ctx.client.get<Secret>(Kinds.Secret, name, namespace));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const secret: Secret = {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name,
      namespace,
      labels: commonLabels(service.metadata?.name ?? ""),
      ownerReferences: [controllerReference(service)],
    },
    data: { [QUALITY_GATE_SECRET_KEY]: Buffer.from(randomBytes(32).toString("hex")).toString("base64") },
  };
  try {
    return decoded(await ctx.client.create<Secret>(Kinds.Secret, secret));
  } catch (err) {
    // Another reconcile (or an operator replica before a leader change) created it first.
    if (!isAlreadyExists(err)) throw err;
    return decoded(await ctx.client.get<Secret>(Kinds.Secret, name, namespace));
  }
}
