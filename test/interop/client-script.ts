// Runs one of the interop checks: a Python script that drives a real protocol client against
// the runtime and prints one JSON object of what the client saw, for the test to assert on.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { testPython } from "../harness/index.js";
import type { JsonBody } from "../runtime/support/runtime.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export async function runClientScript(script: string, args: readonly string[]): Promise<JsonBody> {
  const { stdout } = await promisify(execFile)(testPython(), [path.join(HERE, script), ...args], {
    timeout: 60_000,
  });
  return JSON.parse(stdout) as JsonBody;
}
