// What a `vigil` subcommand needs to talk to the cluster: a client for the chosen kubeconfig
// and context, and the namespace the user means.
import type { Command } from "commander";
import { KubeClient } from "../operator/core/kubeclient.js";
import { loadKubeConfig } from "../operator/core/kubeconfig.js";
import type { GlobalOptions } from "./program.js";

export interface Connection {
  client: KubeClient;
  namespace: string;
}

export function connect(command: Command): Connection {
  const options = command.optsWithGlobals<GlobalOptions>();
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      throw new Error(`context ${options.context} is not in the kubeconfig`);
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    client: new KubeClient(kubeConfig, { userAgent: "vigil-cli" }),
    namespace: options.namespace ?? contextNamespace ?? "default",
  };
}
