// Every file `npm run gen` writes, rendered in memory, so the staleness test and the
// generator share one definition of "what the generated files should be".
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renderCrdFiles } from "../crds/manifests.js";
import { renderApiReference } from "../crds/reference.js";
import { renderArgoCdFiles } from "./argocd-manifests.js";
import { renderInstallFiles } from "./install-manifests.js";
import { renderMonitoringFiles } from "./monitoring-manifests.js";
import { renderUpstreamSchemas } from "./upstream-schemas.js";

export function renderGeneratedFiles(): Map<string, string> {
  return new Map([
    ...renderUpstreamSchemas(),
    ...renderCrdFiles(),
    ...renderApiReference(),
    ...renderInstallFiles(),
    ...renderArgoCdFiles(),
    ...renderMonitoringFiles(),
  ]);
}

/** Generated files under `root` that are missing or differ from what the code renders now. */
export function findStaleFiles(root: string): string[] {
  const stale: string[] = [];
  for (const [path, content] of renderGeneratedFiles()) {
    const full = join(root, path);
    if (!existsSync(full) || readFileSync(full, "utf8") !== content) stale.push(path);
  }
  return stale;
}
