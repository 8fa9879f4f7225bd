import { defineConfig } from "vitest/config";

// The suites that talk to a Kubernetes API: they run once against the API emulator and once
// against a real control plane (test/controlplane), so the two cannot drift apart.
const API_SUITES = ["test/contract/**/*.test.ts", "test/loop/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own Postgres/Redis/emulator on random ports; two cores is the budget.
    maxWorkers: 2,
    // The summary line per project shows the API suites' counts against each target.
    reporters: ["default", "./test/reporters/project-summary.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "emulator",
          include: [
            "test/**/*.test.ts",
            "cli/**/*.test.ts",
            "operator/**/*.test.ts",
            "runtime/**/*.test.ts",
            "crds/**/*.test.ts",
          ],
          exclude: ["test/controlplane/**", "**/node_modules/**"],
          setupFiles: ["test/controlplane/emulator-env-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "kube-apiserver",
          include: [...API_SUITES, "test/controlplane/**/*.test.ts"],
          globalSetup: ["test/controlplane/global-setup.ts"],
          setupFiles: ["test/controlplane/env-setup.ts"],
          // A real apiserver, etcd and kube-controller-manager already take most of a core.
          maxWorkers: 1,
        },
      },
    ],
  },
});
