// An S3-compatible server for tests: moto in server mode (PyPI `moto[server]`, Apache-2.0,
// installed into the test venv by hack/test-setup.sh) on a random port, state in memory, gone
// on close. S3_TEST_ENDPOINT uses a running S3-compatible server instead.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { freePort, waitFor } from "./ports.js";
import { testPython } from "./python.js";

export interface TestS3 {
  endpoint: string;
  /** Environment for the AWS SDK: static test credentials and a region. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export class MissingS3ServerError extends Error {
  constructor(python: string) {
    super(
      `moto is not installed for ${python}: run hack/test-setup.sh (or \`${python} -m pip install 'moto[server]'\`), ` +
        "or set S3_TEST_ENDPOINT to a running S3-compatible server",
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
  const python = testPython();
  try {
    execFileSync(python, ["-c", "import moto.server"], { stdio: "ignore" });
  } catch {
    throw new MissingS3ServerError(python);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(
    `moto S3 server on port ${port}`,
    async () => (await fetch(`${endpoint}/moto-api/`)).ok,
    60_000,
  );
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
