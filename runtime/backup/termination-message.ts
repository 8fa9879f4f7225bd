// The backup container's one JSON line for the operator (see BackupTerminationMessage in
// operator/desired/runtime-contract.ts). Kubernetes reads /dev/termination-log; outside a pod
// there is none and nothing is written. VIGIL_TERMINATION_LOG points elsewhere (tests).
import { existsSync, writeFileSync } from "node:fs";
import type { BackupTerminationMessage } from "../../operator/desired/runtime-contract.js";

const KUBERNETES_PATH = "/dev/termination-log";

export function writeBackupTerminationMessage(
  message: BackupTerminationMessage,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const target = env.VIGIL_TERMINATION_LOG ?? (existsSync(KUBERNETES_PATH) ? KUBERNETES_PATH : undefined);
  if (!target) return;
  try {
    // The kubelet keeps at most 4096 bytes.
    writeFileSync(target, JSON.stringify(message).slice(0, 4000));
  } catch {
    // Not writable: the log line on stderr says the same.
  }
}
