// A vitest reporter that counts results per project ("emulator", "kube-apiserver"), so a run's
// summary shows that the API suites passed against both targets. Prints one line; with
// VIGIL_TEST_SUMMARY=<file> also writes the counts there as JSON (.ci/run reads it).
import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export interface ProjectCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export default class ProjectSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byProject = new Map<string, ProjectCounts>();
    for (const module of testModules) {
      const name = module.project.name || "default";
      const counts = byProject.get(name) ?? { passed: 0, failed: 0, skipped: 0 };
      byProject.set(name, counts);
      // A file that failed to load has no tests; count it as one failure so it cannot vanish.
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) counts.failed += 1;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed += 1;
        else if (state === "failed") counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    const summary = Object.fromEntries(byProject);
    console.log(`per target: ${formatProjectSummary(summary)}`);
    if (process.env.VIGIL_TEST_SUMMARY)
      writeFileSync(process.env.VIGIL_TEST_SUMMARY, JSON.stringify(summary));
  }
}

export function formatProjectSummary(summary: Record<string, ProjectCounts>): string {
  return Object.entries(summary)
    .map(([name, c]) => `${name} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`)
    .join("; ");
}
