// A throwaway Kubernetes control plane for tests, started the way controller-runtime's
// envtest does: etcd on a random loopback port with a temp data dir, kube-apiserver with a
// self-signed serving cert, a static admin token (system:masters), RBAC and the default
// admission plugins, and optionally kube-controller-manager with the controllers Vigil's
// objects meet (garbage collection, Deployment -> ReplicaSet -> Pod, HPA, PDB, namespaces,
// service accounts). No scheduler or kubelet: pods stay Pending unless PodSimulator runs them.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { freePort } from "../harness/ports.js";
import { controlPlaneBinDir } from "./binaries.js";
import { writePki } from "./pki.js";
import { startSupervised, type SupervisedProcess } from "./supervised-process.js";

export interface ControlPlaneOptions {
  /** Run kube-controller-manager (garbage collector, workload controllers). Default true. */
  controllerManager?: boolean;
  /** Where the binaries are; default: controlPlaneBinDir(). */
  binDir?: string;
  /** How long each component may take to become ready. Default 120 s (2 busy cores). */
  startTimeoutMs?: number;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** A kubeconfig file for the admin user (context "vigil-testenv", namespace default). */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Temp dir holding data, keys, kubeconfig and one <component>.log per process. */
  dir: string;
  /** Process ids of etcd, kube-apiserver and kube-controller-manager (a benchmark reads their CPU). */
  pids: number[];
  stop(): Promise<void>;
}

/** The controllers a cluster runs that Vigil's tests depend on; the rest stay off (CPU). */
export const CONTROLLERS = [
  "garbage-collector-controller",
  "namespace-controller",
  "serviceaccount-controller",
  "root-ca-certificate-publisher-controller",
  "clusterrole-aggregation-controller",
  "deployment-controller",
  "replicaset-controller",
  "statefulset-controller",
  "job-controller",
  "cronjob-controller",
  "horizontal-pod-autoscaler-controller",
  "disruption-controller",
  "endpointslice-controller",
];

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = options.binDir ?? controlPlaneBinDir();
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const dir = mkdtempSync(join(tmpdir(), "vigil-testenv-"));
  const processes: SupervisedProcess[] = [];
  const stop = async () => {
    // Reverse order: controllers before the apiserver before etcd, so none logs a lost peer.
    for (const p of processes.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pki = writePki(dir);
    const token = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${token},vigil-test-admin,vigil-test-admin,"system:masters"\n`, {
      mode: 0o600,
    });

    const [etcdClientPort, etcdPeerPort, apiserverPort] = await distinctFreePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = startSupervised(
      "etcd",
      join(binDir, "etcd"),
      [
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=default=${etcdPeerUrl}`,
        // Test data is thrown away: fsync buys nothing but latency on a shared disk.
        "--unsafe-no-fsync=true",
        "--log-level=warn",
      ],
      dir,
    );
    processes.push(etcd);
    await waitReady(etcd, () => httpOk(`${etcdUrl}/health`), timeoutMs);

    const server = `https://127.0.0.1:${apiserverPort}`;
    const ca = readFileSync(pki.caCertFile);
    const apiserver = startSupervised(
      "kube-apiserver",
      join(binDir, "kube-apiserver"),
      [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=127.0.0.1`,
        `--advertise-address=127.0.0.1`,
        `--secure-port=${apiserverPort}`,
        `--cert-dir=${dir}`,
        `--tls-cert-file=${pki.servingCertFile}`,
        `--tls-private-key-file=${pki.servingKeyFile}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        // Every ModerationService has two Services (active and preview), each with a ClusterIP:
        // a /24 ran out at about 125 services (Service creates answered 500, range full).
        "--service-cluster-ip-range=10.0.0.0/16",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${pki.serviceAccountPrivateKeyFile}`,
        "--allow-privileged=true",
        "--profiling=false",
      ],
      dir,
    );
    processes.push(apiserver);
    await waitReady(apiserver, () => httpsOk(`${server}/readyz`, ca, token), timeoutMs);

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "vigil-testenv", server, caData: ca.toString("base64") }],
      users: [{ name: "vigil-test-admin", token }],
      contexts: [
        { name: "vigil-testenv", cluster: "vigil-testenv", user: "vigil-test-admin", namespace: "default" },
      ],
      currentContext: "vigil-testenv",
    });
    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });

    if (options.controllerManager ?? true) {
      const controllerManager = startSupervised(
        "kube-controller-manager",
        join(binDir, "kube-controller-manager"),
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          // No HTTPS endpoint: nothing scrapes it, and a fixed port would collide between runs.
          "--secure-port=0",
          "--leader-elect=false",
          `--controllers=${CONTROLLERS.join(",")}`,
          `--root-ca-file=${pki.caCertFile}`,
          `--service-account-private-key-file=${pki.serviceAccountPrivateKeyFile}`,
          "--use-service-account-credentials=false",
        ],
        dir,
      );
      processes.push(controllerManager);
      // Ready once its service-account controller has given "default" its ServiceAccount.
      await waitReady(
        controllerManager,
        () => httpsOk(`${server}/api/v1/namespaces/default/serviceaccounts/default`, ca, token),
        timeoutMs,
      );
    }
    const pids = processes.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
    return { server, kubeconfigPath, kubeConfig, dir, pids, stop };
  } catch (err) {
    const logs = processes.map((p) => `--- ${p.name} (${p.logFile}):\n${p.tail()}`).join("\n");
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
  }
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function waitReady(
  proc: SupervisedProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited()) throw new Error(`${proc.name} exited during start`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on("error", () => resolve(false));
  });
}

function httpsOk(url: string, ca: Buffer, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    https
      .get(url, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on("error", () => resolve(false));
  });
}
