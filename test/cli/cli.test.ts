import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { BIN, ROOT, shipshape } from "../support/cli.js";

const version = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")).version as string;
const ESC = "\u001b[";

describe("shipshape --help", () => {
  it("lists every command, says which are not built yet, and exits 0", () => {
    const { code, stdout } = shipshape(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: shipshape \[options\] \[command\]/);
    expect(stdout).toContain("doctor");
    const [built = "", planned = ""] = stdout.split("Not built yet");
    for (const command of COMMANDS) {
      expect(command.built ? built : planned).toMatch(new RegExp(`^  ${command.name} `, "m"));
    }
    expect(stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}findings/);
    for (const flag of ["--version", "--no-color", "--quiet", "--verbose"]) expect(stdout).toContain(flag);
  });

  it("prints the help on stderr and exits 2 when run without a command", () => {
    const { code, stdout, stderr } = shipshape([]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: shipshape");
  });
});

describe("shipshape --version", () => {
  it("prints the package version", () => {
    expect(shipshape(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(shipshape(["-q", "-V"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("after a command, --version is that command's option, not the program's", () => {
    const { code, stdout, stderr } = shipshape(["build", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--version <version>/);
    expect(stderr).toBe("");
    expect(shipshape(["check", "--version"]).stderr).toMatch(/^error: unknown option '--version'/);
  });

  it("a reader that stops reading (| head) ends it quietly, without an EPIPE stack trace", () => {
    // `true` exits without reading: the help is written to a pipe nobody reads any more.
    const result = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" --help | true`], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });
});

describe("commands that are not built yet", () => {
  it.each(COMMANDS.filter((entry) => !entry.built).map((entry) => entry.name))(
    "%s says so plainly and exits 2, whatever its arguments",
    (name) => {
      const { code, stdout, stderr } = shipshape([name, ".", "--format", "json"]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `error: shipshape ${name} is not built yet in shipshape ${version}\nhint: shipshape --help lists what works today\n`,
      );
    },
  );
});

describe("usage errors", () => {
  it("an unknown command exits 2 with a suggestion", () => {
    const { code, stderr } = shipshape(["doctr"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'doctr'/);
    expect(stderr).toMatch(/Did you mean doctor\?/);
  });

  it("an unknown option exits 2", () => {
    const { code, stderr } = shipshape(["doctor", "--frobnicate"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--frobnicate'/);
  });
});

describe("colour", () => {
  const noEngine = { DOCKER_HOST: "unix:///nonexistent/docker.sock" };

  it("is on with FORCE_COLOR and off with NO_COLOR or --no-color", () => {
    expect(shipshape(["doctor"], { ...noEngine, FORCE_COLOR: "1" }).stdout).toContain(ESC);
    expect(shipshape(["doctor"], { ...noEngine, FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain(ESC);
    expect(shipshape(["doctor", "--no-color"], { ...noEngine, FORCE_COLOR: "1" }).stdout).not.toContain(ESC);
    const naive = "test/fixtures/apps/ai-naive-express";
    expect(shipshape(["check", naive], { FORCE_COLOR: "1" }).stdout).toContain(ESC);
    expect(shipshape(["--no-color", "check", naive], { FORCE_COLOR: "1" }).stdout).not.toContain(ESC);
    expect(shipshape(["check", naive], { FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain(ESC);
  });

  it("is off when output is not a terminal", () => {
    expect(shipshape(["doctor"], noEngine).stdout).not.toContain(ESC);
  });
});

describe("when no engine answers", () => {
  it("doctor says where it looked and what to do, in one line plus a hint, and exits 1", () => {
    const { code, stdout, stderr } = shipshape(["doctor"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(stdout).toContain(
      "✗ engine    no Docker engine answered at unix:///nonexistent/docker.sock (from DOCKER_HOST): the socket does not exist\n  hint: start a Docker engine",
    );
    expect(stdout).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("doctor --json reports the failure as data", () => {
    const { code, stdout } = shipshape(["doctor", "--json"], { DOCKER_HOST: "tcp://127.0.0.1:1" });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({
      id: "engine",
      status: "fail",
      detail: "no Docker engine answered at tcp://127.0.0.1:1 (from DOCKER_HOST): connection refused",
    });
  });

  it("an unusable DOCKER_HOST is a usage error naming the variable", () => {
    const { code, stderr } = shipshape(["doctor"], { DOCKER_HOST: "ssh://me@host" });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^error: DOCKER_HOST=ssh:\/\/me@host: the ssh:\/\/ scheme is not supported\nhint: /,
    );
  });
});

describe("--quiet", () => {
  it("keeps results and errors", () => {
    const { code, stdout } = shipshape(["doctor", "--quiet"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(code).toBe(1);
    expect(stdout).toContain("✗ engine");
  });
});
