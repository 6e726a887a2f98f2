/** `shipshape doctor` run as a user runs it, against the real engine. */
import { describe, expect, it } from "vitest";
import { shipshape } from "../support/cli.js";
import { testEngine } from "../support/engine.js";

const engine = await testEngine();

describe.skipIf(!engine)("shipshape doctor on a machine with an engine", () => {
  it("passes the engine and BuildKit checks and exits 0", async () => {
    const version = await engine!.version();
    const { code, stdout, stderr } = shipshape(["doctor"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(
      `✓ engine    Docker ${version.server} (API ${version.api}, ${version.os}/${version.arch})`,
    );
    expect(stdout).toMatch(/✓ buildkit {2}\S+ \(client [^)]+\) builds with BuildKit/);
  });

  it("--json lists every check with its status", () => {
    const { code, stdout } = shipshape(["doctor", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { ok: boolean; checks: { id: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.id)).toEqual(["engine", "buildkit", "runtimes", "mirrors"]);
  });
});
