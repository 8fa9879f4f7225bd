// An S3-compatible server for tests: moto in server mode (PyPI `moto[server]`, Apache-2.0) on a
// random port, state in memory, gone on close. Honours S3_TEST_ENDPOINT to use a running one.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { freePort, waitFor } from "./ports.js";

export interface TestS3 {
  endpoint: string;
  /** Environment for the AWS SDK: static test credentials and a region. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export class MissingS3ServerError extends Error {
  constructor() {
    super(
      "moto_server not found: install it with `pip install 'moto[server]'` (or set S3_TEST_ENDPOINT to a running S3-compatible server)",
    );
    this.name = "MissingS3ServerError";
  }
}

const ENV = {
  AWS_ACCESS_KEY_ID: "vigil-test",
  AWS_SECRET_ACCESS_KEY: "vigil-test-secret",
  AWS_REGION: "us-east-1",
};

export async function startS3(): Promise<TestS3> {
  if (process.env.S3_TEST_ENDPOINT) {
    return { endpoint: process.env.S3_TEST_ENDPOINT, env: ENV, close: async () => undefined };
  }
  try {
    execFileSync("sh", ["-c", "command -v moto_server"], { stdio: "ignore" });
  } catch {
    throw new MissingS3ServerError();
  }
  const port = await freePort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(`moto_server on port ${port}`, async () => (await fetch(`${endpoint}/moto-api/`)).ok, 60_000);
  return {
    endpoint,
    env: ENV,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
