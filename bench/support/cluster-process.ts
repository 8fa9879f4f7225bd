// Starts cluster-child.ts (the API server, simulated workloads and a ModerationService
// observer) in its own process and follows what it reports.
import { fork } from "node:child_process";
import { KubeConfig } from "@kubernetes/client-node";
import { cpuSecondsOf, REPO_ROOT, rssOf } from "./server-process.js";
import type { ChangeLatency } from "./service-observer.js";

export const TARGETS = ["emulator", "kube-apiserver"] as const;
export type Target = (typeof TARGETS)[number];

export type ClusterMessage =
  | { type: "ready"; kubeConfig: string; pids: number[] }
  | { type: "converged"; count: number }
  | ({ type: "changed"; id: number } & ChangeLatency)
  | { type: "changeFailed"; id: number; error: string };

export type ClusterRequest =
  { type: "stop" } | { type: "change"; id: number; namespace: string; name: string };

export interface ClusterProcess {
  kubeConfig: KubeConfig;
  /** ModerationServices rolled out and Ready at their current generation, now. */
  converged(): number;
  /** Resolves when `count` services are converged; the time of that report, performance.now(). */
  whenConverged(count: number, timeoutMs: number): Promise<number>;
  /** Changes one field of one service that its Deployment carries, and times the operator's effect. */
  change(namespace: string, name: string): Promise<ChangeLatency>;
  /** CPU time of the cluster's processes: the child, and the control plane's on kube-apiserver. */
  cpuSeconds(): number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function startClusterProcess(target: Target): Promise<ClusterProcess> {
  const child = fork("bench/support/cluster-child.ts", [target], {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const send = (request: ClusterRequest) => child.send(request);
  let converged = 0;
  let pids: number[] = [];
  const waiters: { count: number; resolve: (at: number) => void }[] = [];
  const changes = new Map<number, { resolve: (l: ChangeLatency) => void; reject: (e: Error) => void }>();
  let nextChange = 0;
  const kubeConfig = await new Promise<KubeConfig>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`the bench cluster exited with ${code} before it was ready`)),
    );
    child.on("message", (message: ClusterMessage) => {
      if (message.type === "ready") {
        const kc = new KubeConfig();
        kc.loadFromString(message.kubeConfig);
        pids = [child.pid!, ...message.pids];
        resolve(kc);
      } else if (message.type === "converged") {
        converged = message.count;
        const at = performance.now();
        for (const waiter of waiters.filter((w) => converged >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(at);
        }
      } else {
        const pending = changes.get(message.id);
        changes.delete(message.id);
        if (message.type === "changed")
          pending?.resolve({ childUpdatedMs: message.childUpdatedMs, convergedMs: message.convergedMs });
        else pending?.reject(new Error(message.error));
      }
    });
  });
  child.removeAllListeners("exit");
  const sum = (read: (pid: number) => number) => pids.reduce((total, pid) => total + read(pid), 0);
  return {
    kubeConfig,
    converged: () => converged,
    whenConverged: (count, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        if (converged >= count) return resolve(performance.now());
        const timer = setTimeout(
          () => reject(new Error(`${converged} of ${count} services converged after ${timeoutMs / 1000}s`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        });
      }),
    change: (namespace, name) =>
      new Promise<ChangeLatency>((resolve, reject) => {
        const id = nextChange++;
        changes.set(id, { resolve, reject });
        send({ type: "change", id, namespace, name });
      }),
    cpuSeconds: () => sum(cpuSecondsOf),
    rssBytes: () => sum(rssOf),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        send({ type: "stop" });
      }),
  };
}
