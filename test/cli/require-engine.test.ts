/**
 * The integration tests' contract with CI: without an engine they skip, unless
 * SHIPSHAPE_REQUIRE_ENGINE=1, when they fail. Proven by running vitest itself on one of them.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

function runIntegrationWithoutEngine(require: boolean) {
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/vitest/vitest.mjs"),
      "run",
      "--project",
      "integration",
      "test/integration/cli-doctor.test.ts",
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: {
        ...process.env,
        DOCKER_HOST: "unix:///nonexistent/docker.sock",
        SHIPSHAPE_REQUIRE_ENGINE: require ? "1" : "",
        NO_COLOR: "1",
      },
    },
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("integration tests without an engine", () => {
  it("are skipped, with a note saying why, when the engine is not required", () => {
    const { code, output } = runIntegrationWithoutEngine(false);
    expect(code).toBe(0);
    expect(output).toContain(
      "integration tests skipped: no Docker engine answered at unix:///nonexistent/docker.sock",
    );
    expect(output).toMatch(/tests: 0 passed, 0 failed, 2 skipped/);
  });

  it("fail when SHIPSHAPE_REQUIRE_ENGINE=1", () => {
    const { code, output } = runIntegrationWithoutEngine(true);
    expect(code).not.toBe(0);
    expect(output).toContain(
      "SHIPSHAPE_REQUIRE_ENGINE=1 but the engine is not usable: no Docker engine answered",
    );
    expect(output).toMatch(/tests: 0 passed, [1-9]\d* failed/);
  });
});
