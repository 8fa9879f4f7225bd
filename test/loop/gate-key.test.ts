// A service whose runtime asks for credentials gets the quality gate's own API key: a Secret the
// operator creates once, owned by the service, and never rewrites; the runtime pods mount it.
import { describe, expect, it } from "vitest";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeObject } from "../../operator/core/kubeclient.js";
import { applySamples, useOperatorCluster, waitForRevision } from "./reconcile-support.js";
import { testClient, waitFor } from "./support.js";

const PRODUCTION = ["modeldeployment-gpu.yaml", "policy.yaml", "moderationservice-production.yaml"];
const SERVICE = "comments-prod";

const env = useOperatorCluster();
const client = () => testClient(env.cluster.kubeConfig);

type Secret = KubeObject & { data?: Record<string, string> };

describe("the quality gate's API key", () => {
  it("is created once for a service with auth, owned by it, and mounted by its pods", async () => {
    const namespace = await env.cluster.newNamespace("gate-key");
    await applySamples(client(), namespace, PRODUCTION);
    const secret = await waitFor(
      () =>
        client()
          .get<Secret>(Kinds.Secret, `${SERVICE}-quality-gate`, namespace)
          .catch(() => undefined),
      { message: "the gate key Secret" },
    );
    const key = Buffer.from(secret.data?.["api-key"] ?? "", "base64").toString("utf8");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const service = await client().get<KubeObject>(Kinds.ModerationService, SERVICE, namespace);
    expect(secret.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "ModerationService", uid: service.metadata?.uid, controller: true }),
    ]);

    const deployment = await waitForRevision(client(), namespace, SERVICE);
    const volume = (
      deployment as KubeObject & {
        spec?: {
          template?: { spec?: { volumes?: { name: string; projected?: { sources?: unknown[] } }[] } };
        };
      }
    ).spec?.template?.spec?.volumes?.find((v) => v.name === "api-keys");
    expect(JSON.stringify(volume?.projected?.sources)).toContain(`${SERVICE}-quality-gate`);

    // Reconciling again reads the key; it neither rewrites nor replaces it.
    const reconciles = async () =>
      (await env.operator.manager.metrics.reconcileDuration.get()).values
        .filter((v) => v.metricName?.endsWith("_count") && v.labels.controller === "moderationservice")
        .reduce((sum, v) => sum + v.value, 0);
    const before = await reconciles();
    await client().patch(
      Kinds.ModerationService,
      { name: SERVICE, namespace },
      { metadata: { annotations: { "example.com/touched": "1" } } },
    );
    await waitFor(async () => (await reconciles()) > before + 1, { message: "more reconciles" });
    const after = await client().get<Secret>(Kinds.Secret, `${SERVICE}-quality-gate`, namespace);
    expect(after.data).toEqual(secret.data);
    expect(after.metadata?.resourceVersion).toBe(secret.metadata?.resourceVersion);
  });
});
