// Where the runtime finds files that ship next to its code: the repository root when run from
// source (tsx), the parent of dist/ when compiled. The package version comes from there too.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const runtimeDir = path.dirname(fileURLToPath(import.meta.url));
const compiled = path.basename(path.dirname(runtimeDir)) === "dist";

export const PACKAGE_ROOT = path.resolve(runtimeDir, compiled ? "../.." : "..");

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export const RUNTIME_VERSION = readVersion();
