/**
 * Ends a run with one plain line, `tests: N passed, N failed, N skipped`, per project too, so a
 * CI log shows at a glance that the integration tests ran rather than skipped.
 */
import type { Reporter, SerializedError, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    const counts = new Map<string, { passed: number; failed: number; skipped: number }>();
    const total = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      const project = module.project.name || "tests";
      const entry = counts.get(project) ?? { passed: 0, failed: 0, skipped: 0 };
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        const key = state === "passed" ? "passed" : state === "failed" ? "failed" : "skipped";
        entry[key] += 1;
        total[key] += 1;
      }
      if (module.state() === "failed" && module.children.size === 0) {
        entry.failed += 1; // a file that failed to load (e.g. no engine when one is required)
        total.failed += 1;
      }
      counts.set(project, entry);
    }
    // An error outside any test (a broken config, an unhandled rejection) fails the run too.
    total.failed += unhandledErrors.length;
    const lines = [...counts].map(
      ([project, c]) => `  ${project}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`,
    );
    process.stdout.write(
      `\n${lines.join("\n")}\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`,
    );
  }
}
