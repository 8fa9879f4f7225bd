// Learns which Policy generation each runtime pod applies, without giving the runtime any
// Kubernetes write rights: the operator asks each ready pod's /ready (unauthenticated, on the
// HTTP port the NetworkPolicy opens to the operator's namespace), which reports the policy file
// the pod has loaded and any newer revision it rejected. Polls run in the background so a
// reconcile never waits on pods; a reconcile reads the last answers, and the prober requeues the
// service only when an answer changed. While a pod lags, the prober asks again every
// `intervalMs` by itself (kubelet takes up to a minute or two to update a ConfigMap mount).
import type { V1Pod } from "@kubernetes/client-node";
import type { Clock, Timer } from "../../core/clock.js";
import type { ExternalSource } from "../../core/controller.js";
import { errorMessage } from "../../core/errors.js";

/** What one pod said about its policy, or why it said nothing. */
export interface PodPolicyReport {
  /** The generation of the policy file the pod applies. */
  generation?: number;
  /** The runtime refused a newer file and keeps the previous policy: its reason. */
  rejected?: string;
  /** The pod did not answer, or answered something that is not the runtime's /ready report. */
  unreachable?: string;
}

/** Where a pod's runtime answers /ready; undefined when it has no address yet. */
export type PodUrlResolver = (pod: V1Pod) => string | undefined;

export function podIpResolver(port: number): PodUrlResolver {
  return (pod) => {
    const ip = pod.status?.podIP;
    if (!ip) return undefined;
    return ip.includes(":") ? `http://[${ip}]:${port}` : `http://${ip}:${port}`;
  };
}

export interface PodPolicyProberOptions {
  resolveUrl: PodUrlResolver;
  clock: Clock;
  /** Re-poll interval while some pod lags. */
  intervalMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

interface Target {
  pod: string;
  url: string | undefined;
}

interface Entry {
  /** Pods and the generation they should apply, as the last reconcile saw them. */
  targets: Target[];
  generation: number;
  reports: Map<string, PodPolicyReport>;
  polling: boolean;
  /** A poll is needed after the one running (the targets changed meanwhile). */
  stale: boolean;
  timer?: Timer;
}

const sameTargets = (a: Target[], b: Target[]) =>
  a.length === b.length && a.every((t, i) => t.pod === b[i]!.pod && t.url === b[i]!.url);

const sameReport = (a: PodPolicyReport | undefined, b: PodPolicyReport | undefined) =>
  a?.generation === b?.generation && a?.rejected === b?.rejected && a?.unreachable === b?.unreachable;

export class PodPolicyProber implements ExternalSource {
  readonly #options: PodPolicyProberOptions;
  readonly #entries = new Map<string, Entry>();
  /** Requeues a service whose pods' answers changed. */
  #onChange: ((serviceKey: string) => void) | undefined;

  constructor(options: PodPolicyProberOptions) {
    this.#options = options;
  }

  start(enqueue: (serviceKey: string) => void): () => void {
    this.#onChange = enqueue;
    return () => {
      this.#onChange = undefined;
      this.close();
    };
  }

  /**
   * The last answers of these pods (ready runtime pods of one service), and a poll in the
   * background when the pods or the generation changed since the last one.
   */
  observe(serviceKey: string, pods: readonly V1Pod[], generation: number): Map<string, PodPolicyReport> {
    const targets = pods
      .map((pod) => ({ pod: pod.metadata?.name ?? "", url: this.#options.resolveUrl(pod) }))
      .sort((a, b) => a.pod.localeCompare(b.pod));
    let entry = this.#entries.get(serviceKey);
    if (!entry) {
      entry = { targets, generation, reports: new Map(), polling: false, stale: true };
      this.#entries.set(serviceKey, entry);
    } else if (!sameTargets(entry.targets, targets) || entry.generation !== generation) {
      entry.targets = targets;
      entry.generation = generation;
      entry.stale = true;
    }
    if (entry.stale && !entry.polling) void this.#poll(serviceKey, entry);
    return new Map([...entry.reports].filter(([pod]) => targets.some((t) => t.pod === pod)));
  }

  /** The service is gone: stop asking its pods. */
  forget(serviceKey: string): void {
    const entry = this.#entries.get(serviceKey);
    entry?.timer?.cancel();
    this.#entries.delete(serviceKey);
  }

  close(): void {
    for (const key of [...this.#entries.keys()]) this.forget(key);
  }

  async #poll(serviceKey: string, entry: Entry): Promise<void> {
    entry.polling = true;
    entry.stale = false;
    entry.timer?.cancel();
    entry.timer = undefined;
    const answers = await Promise.all(
      entry.targets.map(async (t) => [t.pod, await this.#ask(t.url)] as const),
    );
    entry.polling = false;
    if (this.#entries.get(serviceKey) !== entry) return;
    let changed = false;
    for (const [pod, report] of answers) {
      if (!sameReport(entry.reports.get(pod), report)) changed = true;
      entry.reports.set(pod, report);
    }
    for (const pod of [...entry.reports.keys()]) {
      if (!entry.targets.some((t) => t.pod === pod)) entry.reports.delete(pod);
    }
    if (changed) this.#onChange?.(serviceKey);
    if (entry.stale) {
      void this.#poll(serviceKey, entry);
      return;
    }
    const lagging = answers.some(([, r]) => r.generation !== entry.generation);
    if (lagging) {
      entry.timer = this.#options.clock.setTimer(this.#options.intervalMs, () => {
        entry.timer = undefined;
        if (this.#entries.get(serviceKey) === entry && !entry.polling) void this.#poll(serviceKey, entry);
      });
    }
  }

  async #ask(url: string | undefined): Promise<PodPolicyReport> {
    if (!url) return { unreachable: "the pod has no IP address yet" };
    const doFetch = this.#options.fetch ?? fetch;
    try {
      // /ready answers 503 with the same report while the pod drains or loads: still an answer.
      const res = await doFetch(`${url}/ready`, { signal: AbortSignal.timeout(this.#options.timeoutMs) });
      const body = (await res.json()) as {
        checks?: { policy?: { generation?: unknown; rejected?: { message?: unknown } } };
      };
      const policy = body.checks?.policy;
      if (typeof policy?.generation !== "number") {
        return { unreachable: `GET /ready answered ${res.status} without a policy generation` };
      }
      return {
        generation: policy.generation,
        ...(policy.rejected && { rejected: String(policy.rejected.message ?? "rejected") }),
      };
    } catch (err) {
      return { unreachable: `GET /ready failed: ${errorMessage(err)}` };
    }
  }
}
