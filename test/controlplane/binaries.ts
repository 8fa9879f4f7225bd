// Finds etcd, kube-apiserver and kube-controller-manager: VIGIL_TESTENV_BIN when set, else
// the cache hack/testenv/build.sh fills (it prints the directory and builds only on a miss).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BUILD_SCRIPT = fileURLToPath(new URL("../../hack/testenv/build.sh", import.meta.url));
export const CONTROL_PLANE_BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager"] as const;
export type ControlPlaneBinary = (typeof CONTROL_PLANE_BINARIES)[number];

export function controlPlaneBinDir(): string {
  const dir =
    process.env.VIGIL_TESTENV_BIN ??
    execFileSync("bash", [BUILD_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  for (const binary of CONTROL_PLANE_BINARIES) {
    if (!existsSync(join(dir, binary)))
      throw new Error(
        `${binary} not found in ${dir}: run hack/testenv/build.sh (or unset VIGIL_TESTENV_BIN)`,
      );
  }
  return dir;
}
