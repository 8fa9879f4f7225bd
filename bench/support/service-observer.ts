// What bench:operator sees of the ModerationServices from outside the operator: how many are
// converged (rolled out and Ready at their generation), and for one change to one service,
// how long until the operator's effect shows (its Deployment updated, its status caught up).
// Runs in the cluster process, with its own client, so none of this is the operator's cost.
import type { V1Deployment } from "@kubernetes/client-node";
import { Informer } from "../../operator/core/informer.js";
import { Kinds } from "../../operator/core/kinds.js";
import type { KubeClient, KubeObject } from "../../operator/core/kubeclient.js";
import { isControlledBy } from "../../operator/core/ownership.js";

export type ObservedService = KubeObject & {
  spec?: { runtime?: { logLevel?: string } };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
    rollout?: { phase?: string };
  };
};

export type ObservedDeployment = V1Deployment & KubeObject;

export interface ChangeLatency {
  /** From the write until a Deployment of the service carries the change. */
  childUpdatedMs: number;
  /** From the write until the service is converged at the new generation. */
  convergedMs: number;
}

/** Rolled out and serving, for the generation it has now. */
export function converged(svc: ObservedService): boolean {
  const ready = svc.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  return (
    ready &&
    svc.status?.rollout?.phase === "Active" &&
    svc.status.observedGeneration === svc.metadata?.generation
  );
}

/** The runtime's log level: a ModerationService field that reaches its Deployment's pod template. */
const LOG_LEVEL_ENV = "VIGIL_LOG_LEVEL";

const logLevelOf = (deployment: ObservedDeployment): string | undefined =>
  deployment.spec?.template.spec?.containers.flatMap((c) => c.env ?? []).find((e) => e.name === LOG_LEVEL_ENV)
    ?.value;

const CHANGE_TIMEOUT_MS = 120_000;

export class ServiceObserver {
  readonly #client: KubeClient;
  readonly #services: Informer<ObservedService>;
  readonly #deployments: Informer<ObservedDeployment>;
  readonly #convergedKeys = new Set<string>();
  /** Re-checked on every service or Deployment event while a change is being measured. */
  #waiters: (() => void)[] = [];

  constructor(
    client: KubeClient,
    deployments: Informer<ObservedDeployment>,
    onConvergedCount: (count: number) => void,
  ) {
    this.#client = client;
    this.#deployments = deployments;
    this.#services = new Informer<ObservedService>(client, Kinds.ModerationService);
    this.#services.on((type, svc) => {
      const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
      const before = this.#convergedKeys.size;
      if (type !== "delete" && converged(svc)) this.#convergedKeys.add(key);
      else this.#convergedKeys.delete(key);
      if (this.#convergedKeys.size !== before) onConvergedCount(this.#convergedKeys.size);
      this.#check();
    });
    deployments.on(() => this.#check());
  }

  start(): Promise<void> {
    this.#services.start();
    return this.#services.whenSynced();
  }

  stop(): Promise<void> {
    return this.#services.stop();
  }

  /**
   * Switches the service's runtime log level (debug <-> info): the operator must update the
   * revision Deployment's pod template and report the new generation in status.
   */
  async measureChange(namespace: string, name: string): Promise<ChangeLatency> {
    const current = this.#services.get(name, namespace);
    if (!current) throw new Error(`ModerationService ${namespace}/${name} not found`);
    const logLevel = current.spec?.runtime?.logLevel === "debug" ? "info" : "debug";
    const started = performance.now();
    const patched = await this.#client.patch<ObservedService>(
      Kinds.ModerationService,
      { name, namespace },
      { spec: { runtime: { logLevel } } },
    );
    const generation = patched.metadata?.generation ?? 0;
    const uid = patched.metadata?.uid ?? "";
    const since = () => performance.now() - started;
    const [childUpdatedMs, convergedMs] = await Promise.all([
      this.#until(`a Deployment of ${namespace}/${name} with ${LOG_LEVEL_ENV}=${logLevel}`, () =>
        this.#deployments.list(namespace).some((d) => isControlledBy(d, uid) && logLevelOf(d) === logLevel),
      ).then(since),
      this.#until(`${namespace}/${name} converged at generation ${generation}`, () => {
        const svc = this.#services.get(name, namespace);
        return svc !== undefined && (svc.metadata?.generation ?? 0) >= generation && converged(svc);
      }).then(since),
    ]);
    return { childUpdatedMs, convergedMs };
  }

  #until(what: string, done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`no ${what} after ${CHANGE_TIMEOUT_MS / 1000}s`));
      }, CHANGE_TIMEOUT_MS);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
