// Whether the moderation-operator command line accepts a set of arguments, for tests that
// render install manifests (Helm, kustomize) and must not ship a flag the operator lacks.
import { buildProgram } from "../../operator/cli.js";

/** commander's error message for `args`, or undefined when they parse. */
export function operatorArgsError(args: readonly string[]): string | undefined {
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  try {
    program.parse(["node", "moderation-operator", ...args]);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
