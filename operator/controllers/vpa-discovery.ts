// Whether the cluster serves autoscaling.k8s.io/v1 VerticalPodAutoscalers. The VPA is an
// add-on: without its CRD a VPA cannot be created (and an informer on it would never sync),
// so the reconciler asks discovery and builds a VPA only when the answer is yes. The answer is
// cached for a while and asked again after that, so installing the VPA later is noticed
// without restarting the operator.
import type { Clock } from "../core/clock.js";
import { isNotFound } from "../core/errors.js";
import { Kinds } from "../core/kinds.js";
import type { KubeClient } from "../core/kubeclient.js";

export const VPA_DISCOVERY_TTL_MS = 60_000;

interface ApiResourceList {
  resources?: { name: string }[];
}

interface Cached {
  served: boolean;
  checkedAt: number;
}

export class VerticalPodAutoscalerDiscovery {
  readonly ttlMs: number;
  #cached?: Cached;
  #inFlight?: Promise<boolean>;

  constructor(options: { ttlMs?: number } = {}) {
    this.ttlMs = options.ttlMs ?? VPA_DISCOVERY_TTL_MS;
  }

  /**
   * True when the VPA resource is served. Answers from the cache while it is fresh; concurrent
   * callers share one request. When discovery fails, the last answer is used if there is one
   * (a blip must not delete VPAs); otherwise the error is thrown and the reconcile retried.
   */
  async isServed(client: KubeClient, clock: Clock): Promise<boolean> {
    const now = clock.now();
    if (this.#cached && now - this.#cached.checkedAt < this.ttlMs) return this.#cached.served;
    this.#inFlight ??= this.#discover(client, clock).finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #discover(client: KubeClient, clock: Clock): Promise<boolean> {
    const kind = Kinds.VerticalPodAutoscaler;
    let served: boolean;
    try {
      const list = await client.request<ApiResourceList>({
        method: "GET",
        path: `/apis/${kind.apiVersion}`,
        verb: "discovery",
      });
      served = (list?.resources ?? []).some((r) => r.name === kind.plural);
    } catch (err) {
      if (!isNotFound(err)) {
        if (this.#cached) return this.#cached.served;
        throw err;
      }
      served = false;
    }
    this.#cached = { served, checkedAt: clock.now() };
    return served;
  }
}
