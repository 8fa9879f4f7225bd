// Starts cluster-child.ts (the API emulator, simulated kubelets and a convergence observer) in
// its own process and follows what it reports.
import { fork } from "node:child_process";
import { KubeConfig } from "@kubernetes/client-node";
import { cpuSecondsOf, REPO_ROOT, rssOf } from "./server-process.js";

export type ClusterMessage = { type: "ready"; kubeConfig: string } | { type: "converged"; count: number };

export interface ClusterProcess {
  kubeConfig: KubeConfig;
  /** ModerationServices rolled out and Ready at their current generation, now. */
  converged(): number;
  /** Resolves when `count` services are converged; the time of that report, performance.now(). */
  whenConverged(count: number, timeoutMs: number): Promise<number>;
  cpuSeconds(): number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function startClusterProcess(): Promise<ClusterProcess> {
  const child = fork("bench/support/cluster-child.ts", [], {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let converged = 0;
  const waiters: { count: number; resolve: (at: number) => void }[] = [];
  const kubeConfig = await new Promise<KubeConfig>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`the bench cluster exited with ${code} before it was ready`)),
    );
    child.on("message", (message: ClusterMessage) => {
      if (message.type === "ready") {
        const kc = new KubeConfig();
        kc.loadFromString(message.kubeConfig);
        resolve(kc);
      } else {
        converged = message.count;
        const at = performance.now();
        for (const waiter of waiters.filter((w) => converged >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(at);
        }
      }
    });
  });
  child.removeAllListeners("exit");
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
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    rssBytes: () => rssOf(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send({ type: "stop" });
      }),
  };
}
