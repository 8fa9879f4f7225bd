import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/**/*.test.ts",
      "cli/**/*.test.ts",
      "operator/**/*.test.ts",
      "runtime/**/*.test.ts",
      "crds/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own Postgres/Redis/emulator on random ports; two cores is the budget.
    maxWorkers: 2,
  },
});
