/**
 * `shipshape verify` as a user runs it, where no engine is needed: help, and every usage or
 * input error exits 2 with one line naming what is wrong (before any engine is asked).
 */
import { describe, expect, it } from "vitest";
import { shipshape } from "../support/cli.js";
import { project } from "../support/projects.js";

const NO_ENGINE = { DOCKER_HOST: "unix:///nonexistent/shipshape-test.sock" };

describe("shipshape verify", () => {
  it("--help lists the checks, the options and examples", () => {
    const { code, stdout } = shipshape(["verify", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: shipshape verify \[options\] \[dir\|image\]/);
    for (const text of [
      "--format <format>",
      "--env-from <file>",
      "--timeout <duration>",
      "--dir <dir>",
      "--tag <image>",
      "-o, --output <file>",
    ])
      expect(stdout).toContain(text);
    expect(stdout).toContain("1 clean build");
    expect(stdout).toContain("shipshape verify --env-from .env.ci -f junit -o verify.xml");
    expect(stdout).toContain("130 interrupted");
  });

  it("is listed as built", () => {
    const { stdout } = shipshape(["--help"]);
    expect(stdout.split("Not built yet")[0]).toMatch(/^ {2}verify /m);
  });

  it.each([
    [["--format", "xml"], /^error: --format xml is not one of text, json, junit, markdown$/m],
    [["--timeout", "soon"], /^error: --timeout soon is not a duration/m],
    [["--env-from", "/nonexistent/.env.ci"], /^error: \/nonexistent\/\.env\.ci: cannot be read$/m],
    [["./no/such/dir"], /^error: \.\/no\/such\/dir: does not exist$/m],
    [["--dir", "/nonexistent/app", "example:1"], /^error: \/nonexistent\/app: is not a directory$/m],
  ])("%j exits 2 with one clear line", (args, message) => {
    const { code, stdout, stderr } = shipshape(["verify", ...args], NO_ENGINE);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("a directory without a Dockerfile: exit 2, with what to do", () => {
    const dir = project({ "package.json": '{"name":"x"}' });
    const { code, stderr } = shipshape(["verify", dir], NO_ENGINE);
    expect(code).toBe(2);
    expect(stderr).toContain(`${dir}: has no Dockerfile to build`);
    expect(stderr).toContain("hint: shipshape init writes one");
  });

  it("--dir with a directory to build is a usage error; --tag with an image too", () => {
    const dir = project({ Dockerfile: "FROM scratch\n" });
    expect(shipshape(["verify", dir, "--dir", dir], NO_ENGINE)).toMatchObject({ code: 2 });
    expect(shipshape(["verify", "example:1", "--tag", "x:1"], NO_ENGINE).stderr).toContain(
      "error: --tag names the image verify builds",
    );
  });

  it("no engine: exit 2 with the engine's one-line error", () => {
    const dir = project({ Dockerfile: "FROM scratch\n" });
    const { code, stderr } = shipshape(["verify", dir], NO_ENGINE);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^error: no Docker engine answered at unix:\/\/\/nonexistent\/shipshape-test\.sock/m,
    );
  });
});
