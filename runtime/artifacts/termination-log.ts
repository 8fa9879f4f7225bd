// The fetch-model container's termination message: ONE JSON line the kubelet copies into the
// pod status (terminationMessagePath), read back by operator/controllers/artifact-status.ts.
import { writeFileSync } from "node:fs";
import type { ArtifactTerminationMessage } from "../../operator/desired/runtime-contract.js";

// The kubelet keeps at most 4096 bytes of a termination message.
const MAX_MESSAGE_CHARS = 3000;

export function terminationLine(message: ArtifactTerminationMessage): string {
  const bounded =
    message.message !== undefined && message.message.length > MAX_MESSAGE_CHARS
      ? { ...message, message: `${message.message.slice(0, MAX_MESSAGE_CHARS)}…` }
      : message;
  return `${JSON.stringify(bounded)}\n`;
}

/** Writes the message; a path that cannot be written (a local run without /dev/termination-log) is not an error. */
export function writeTerminationLog(file: string, message: ArtifactTerminationMessage): boolean {
  try {
    writeFileSync(file, terminationLine(message));
    return true;
  } catch {
    return false;
  }
}
