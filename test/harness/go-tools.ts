// Locates the Go tools the tests run (helm, promtool, kustomize, argocd-health), which
// hack/tools/build.sh builds into a cache keyed by version. Asks build.sh itself (--print),
// so the version pins and the cache layout live in one place; fails with the command to run.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export type GoTool = "helm" | "promtool" | "kustomize" | "argocd-health";

const BUILD_SCRIPT = join(import.meta.dirname, "../../hack/tools/build.sh");

export class MissingGoToolError extends Error {
  constructor(tool: GoTool) {
    super(`${tool} is not built: run \`hack/tools/build.sh ${tool}\` (or \`hack/tools/build.sh all\`)`);
    this.name = "MissingGoToolError";
  }
}

const found = new Map<GoTool, string>();

/** Absolute path of the built tool; throws MissingGoToolError when it is not built yet. */
export function goTool(tool: GoTool): string {
  const cached = found.get(tool);
  if (cached) return cached;
  let path: string;
  try {
    path = execFileSync(BUILD_SCRIPT, ["--print", tool], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    throw new MissingGoToolError(tool);
  }
  found.set(tool, path);
  return path;
}
