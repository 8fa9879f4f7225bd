// The `vigil` program: global connection flags and one subcommand per file in commands/.
import { Command } from "commander";
import { commands } from "./commands/index.js";

export interface GlobalOptions {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
}

export function buildProgram(): Command {
  const program = new Command("vigil")
    .description("Operate Vigil moderation services: rollouts, backups, rendering")
    .option(
      "-n, --namespace <name>",
      "namespace of the object (default: the kubeconfig context's, else default)",
    )
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}
