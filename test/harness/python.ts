// The Python that has the test suites' PyPI packages: the venv hack/test-setup.sh fills
// (VIGIL_TEST_PYTHON overrides it, e.g. to use a system Python that has them).
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export function testPython(): string {
  if (process.env.VIGIL_TEST_PYTHON) return process.env.VIGIL_TEST_PYTHON;
  const cache = process.env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache");
  const venvPython = path.join(cache, "vigil-testenv", "python", "bin", "python");
  if (!existsSync(venvPython)) {
    throw new Error(`${venvPython} does not exist: run hack/test-setup.sh (npm test runs it first)`);
  }
  return venvPython;
}
