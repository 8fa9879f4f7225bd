// Where a kubeconfig comes from, shared by the operator and the `vigil` CLI: an explicit file,
// else in-cluster, else $KUBECONFIG / ~/.kube/config. Never client-node's fallback of an
// invented http://localhost:8080: with nothing configured, say so in one line.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { errorMessage } from "./errors.js";

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** --kubeconfig, else in-cluster, else $KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) {
    if (!existsSync(path)) throw new Error(`kubeconfig ${path} does not exist`);
    try {
      kubeConfig.loadFromFile(path);
    } catch (err) {
      throw new Error(`kubeconfig ${path} is not a valid kubeconfig (${errorMessage(err)})`);
    }
  } else if (process.env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kubeConfig.loadFromCluster();
  } else {
    // loadFromDefault() would invent a cluster at http://localhost:8080 when no file exists:
    // say instead that there is nothing to connect to.
    const fromEnv = process.env.KUBECONFIG;
    const files = fromEnv ? fromEnv.split(delimiter).filter(Boolean) : [join(homedir(), ".kube", "config")];
    if (!files.some((f) => existsSync(f)))
      throw new Error(
        `no Kubernetes configuration: no --kubeconfig, ${fromEnv ? `$KUBECONFIG (${fromEnv}) names no existing file` : `no $KUBECONFIG, no ${files[0]}`}, and not running in a cluster`,
      );
    kubeConfig.loadFromDefault();
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error("no cluster configured: pass --kubeconfig, set $KUBECONFIG or run in a cluster");
  }
  return kubeConfig;
}
