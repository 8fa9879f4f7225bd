// One control-plane binary run as its own process group with its output in a log file, so
// teardown can end it and anything it forked, and a start failure can show why.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface SupervisedProcess {
  readonly name: string;
  readonly logFile: string;
  /** The process id (undefined when it could not be spawned). */
  readonly pid: number | undefined;
  /** Whether the process has exited (on its own or by stop()). */
  exited(): boolean;
  /** The log's last lines, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startSupervised(
  name: string,
  binary: string,
  args: string[],
  logDir: string,
): SupervisedProcess {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child: ChildProcess = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", () => {
      exited = true;
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    name,
    logFile,
    pid: child.pid,
    exited: () => exited,
    tail(lines = 15) {
      try {
        return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
    async stop(graceMs = 5_000) {
      if (exited) return;
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
