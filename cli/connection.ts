// What a `vigil` subcommand needs to talk to the cluster: a client for the chosen kubeconfig
// and context, and the namespace the user means.
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import type { Command } from "commander";
import { KubeClient } from "../operator/core/kubeclient.js";
import type { GlobalOptions } from "./program.js";

export interface Connection {
  client: KubeClient;
  namespace: string;
}

export function connect(command: Command): Connection {
  const options = command.optsWithGlobals<GlobalOptions>();
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new Error(`kubeconfig ${options.kubeconfig} does not exist`);
    kubeConfig.loadFromFile(options.kubeconfig);
  } else {
    kubeConfig.loadFromDefault();
  }
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      throw new Error(`context ${options.context} is not in the kubeconfig`);
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error("no cluster configured: pass --kubeconfig, set $KUBECONFIG or use --context");
  }
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    client: new KubeClient(kubeConfig, { userAgent: "vigil-cli" }),
    namespace: options.namespace ?? contextNamespace ?? "default",
  };
}
