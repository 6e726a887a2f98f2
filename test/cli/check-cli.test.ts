/**
 * `shipshape check` as a user drives it: formats, exit codes, --fail-on, .shipshape.yaml, inline
 * ignores, --fix, and bad input (clear errors naming the file and line, never a stack trace).
 */
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shipshape } from "../support/cli.js";
import { copyFixture, project as createProject } from "../support/projects.js";

const project = (files: Record<string, string>) => createProject(files, "shipshape-check-");

const GOOD_DOCKERFILE = `FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY src ./src

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/src ./src
USER node
EXPOSE 3000
HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "src/server.js"]
`;
const PACKAGE = JSON.stringify(
  { name: "x", version: "1.0.0", scripts: { start: "node src/server.js" }, dependencies: {} },
  null,
  2,
);

describe("exit codes and formats", () => {
  it("text: grouped by file with a code frame and a summary line, exit 1 on errors", () => {
    const result = shipshape(["check", "test/fixtures/apps/ai-naive-express"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Dockerfile");
    expect(result.stdout).toMatch(/SS1001/);
    expect(result.stdout).toMatch(/\d+ problems? \(\d+ errors?/);
    expect(result.stdout).not.toContain("\u001b["); // no colour when not a terminal
  });

  it("--fail-on none exits 0 whatever it finds", () => {
    expect(shipshape(["check", "test/fixtures/apps/ai-naive-express", "--fail-on", "none"]).code).toBe(0);
  });

  it("json has a schema version, a summary and findings", () => {
    const result = shipshape(["check", "test/fixtures/apps/ai-naive-express", "-f", "json"]);
    const json = JSON.parse(result.stdout) as {
      schemaVersion: number;
      summary: { errors: number };
      findings: unknown[];
    };
    expect(json.schemaVersion).toBe(1);
    expect(json.summary.errors).toBeGreaterThan(0);
    expect(json.findings.length).toBeGreaterThan(20);
  });

  it("sarif is SARIF 2.1.0 with rules and results", () => {
    const result = shipshape(["check", "test/fixtures/apps/ai-naive-express", "-f", "sarif"]);
    const sarif = JSON.parse(result.stdout) as {
      version: string;
      runs: Array<{ results: unknown[]; tool: { driver: { rules: unknown[] } } }>;
    };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(20);
    expect(sarif.runs[0]!.tool.driver.rules.length).toBeGreaterThan(0);
  });

  it("markdown has a table of findings", () => {
    const result = shipshape(["check", "test/fixtures/apps/ai-naive-express", "-f", "markdown"]);
    expect(result.stdout).toMatch(/\|.*SS1001.*\|/);
  });

  it("-o writes the report to a file", () => {
    const dir = project({ Dockerfile: "FROM node:latest\n" });
    const out = join(dir, "report.sarif");
    const result = shipshape(["check", dir, "-f", "sarif", "-o", out]);
    expect(result.stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).version).toBe("2.1.0");
  });

  it("a clean project prints nothing on stdout and exits 0", () => {
    const dir = project({
      // Digests are per machine in the test bed, and init comes from the platform here (docker run --init).
      ".shipshape.yaml": "rules:\n  SS1004: off\n  SS1205: off\n",
      Dockerfile: GOOD_DOCKERFILE,
      "package.json": PACKAGE,
      "package-lock.json": "{}",
      ".dockerignore": ".git\nnode_modules\n.env\n",
      "src/server.js":
        "require('node:http').createServer((q, s) => s.end('ok')).listen(3000, '0.0.0.0');\nprocess.on('SIGTERM', () => process.exit(0));\n",
    });
    const result = shipshape(["check", dir, "--fail-on", "warning"]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  it("rejects an unknown format or threshold with exit 2", () => {
    expect(shipshape(["check", ".", "-f", "xml"]).code).toBe(2);
    expect(shipshape(["check", ".", "--fail-on", "loud"]).code).toBe(2);
  });
});

describe("configuration and ignores", () => {
  it(".shipshape.yaml turns rules off, changes severity and sets failOn", () => {
    const dir = project({ Dockerfile: "FROM node:latest\nCMD node server.js\n" });
    const before = shipshape(["check", dir, "-f", "json"]);
    const ids = (JSON.parse(before.stdout) as { findings: Array<{ ruleId: string }> }).findings.map(
      (f) => f.ruleId,
    );
    expect(ids).toContain("SS1001");
    writeFileSync(join(dir, ".shipshape.yaml"), "failOn: none\nrules:\n  SS1001: off\n  SS1204: error\n");
    const after = shipshape(["check", dir, "-f", "json"]);
    const findings = (JSON.parse(after.stdout) as { findings: Array<{ ruleId: string; severity: string }> })
      .findings;
    expect(findings.map((f) => f.ruleId)).not.toContain("SS1001");
    expect(findings.find((f) => f.ruleId === "SS1204")?.severity).toBe("error");
    expect(after.code).toBe(0);
  });

  it("trustedRegistries in .shipshape.yaml reports images from other registries", () => {
    const dir = project({
      Dockerfile: "FROM quay.io/someone/node:20.20.2-bookworm-slim\n",
      ".shipshape.yaml": "trustedRegistries: [docker.io/library]\n",
    });
    const findings = (
      JSON.parse(shipshape(["check", dir, "-f", "json"]).stdout) as { findings: Array<{ ruleId: string }> }
    ).findings;
    expect(findings.map((f) => f.ruleId)).toContain("SS1018");
  });

  it("an invalid config is an error naming the file and line, exit 2", () => {
    const dir = project({
      Dockerfile: "FROM node:latest\n",
      ".shipshape.yaml": "failOn: error\nrules:\n  SS1001: loud\n",
    });
    const result = shipshape(["check", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.shipshape\.yaml:3: rules\.SS1001/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unknown key in the config is named with its line", () => {
    const dir = project({
      Dockerfile: "FROM node:latest\n",
      ".shipshape.yaml": "failOn: error\nignored: [SS1001]\n",
    });
    const result = shipshape(["check", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.shipshape\.yaml:2:.*ignored/);
  });

  it("# shipshape-ignore and # hadolint ignore= silence the line below", () => {
    const dir = project({
      Dockerfile:
        "# shipshape-ignore SS1001 the base is pinned by our mirror\nFROM node:latest AS one\n# hadolint ignore=DL3007\nFROM node:latest\n",
    });
    const result = shipshape(["check", dir, "-f", "json"]);
    const json = JSON.parse(result.stdout) as {
      findings: Array<{ ruleId: string }>;
      summary: { suppressed: number };
    };
    expect(json.findings.map((f) => f.ruleId)).not.toContain("SS1001");
    expect(json.summary.suppressed).toBe(2);
  });
});

describe("--fix", () => {
  it("on a copy of the naive app removes every mechanically fixable finding", () => {
    const dir = copyFixture("ai-naive-express");
    const before = JSON.parse(shipshape(["check", dir, "-f", "json"]).stdout) as {
      findings: Array<{ fix: { mechanical: boolean } }>;
    };
    expect(before.findings.filter((f) => f.fix.mechanical).length).toBeGreaterThan(5);
    const fixed = shipshape(["check", dir, "--fix", "-f", "json"]);
    const after = JSON.parse(fixed.stdout) as {
      findings: Array<{ ruleId: string; fix: { mechanical: boolean } }>;
    };
    expect(after.findings.filter((f) => f.fix.mechanical).map((f) => f.ruleId)).toEqual([]);
    expect(fixed.stderr).toMatch(/fixed \d+ findings? in /);
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(dockerfile).toContain("npm ci");
    expect(dockerfile).toContain('CMD ["node", "dist/index.js"]');
    expect(dockerfile).toContain("USER node");
    expect(readFileSync(join(dir, ".dockerignore"), "utf8")).toContain(".env");
  });

  it("keeps comments, blank lines and CRLF line endings", () => {
    const dir = project({
      Dockerfile: "# build the api\r\nFROM node:20.20.2-bookworm-slim\r\n\r\nRUN npm install\r\n",
      "package.json": PACKAGE,
      "package-lock.json": "{}",
    });
    shipshape(["check", dir, "--fix"]);
    const text = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(text.startsWith("# build the api\r\nFROM node:20.20.2-bookworm-slim\r\n\r\nRUN npm ci\r\n")).toBe(
      true,
    );
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
  });
});

describe("bad input: a clear error, never a crash", () => {
  it("a directory that does not exist: exit 2", () => {
    const result = shipshape(["check", "no/such/dir"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no\/such\/dir: does not exist/);
  });

  it("a directory with nothing to check: exit 2 with a hint", () => {
    const dir = project({ "notes.txt": "hello\n" });
    const result = shipshape(["check", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing|no Dockerfile/);
  });

  it("a binary Dockerfile and a compose file that is not YAML are named, exit 2 when nothing else is checkable", () => {
    const dir = project({ Dockerfile: "\u0000\u0001\u0002binary", "compose.yaml": "services: [\n  - {\n" });
    const result = shipshape(["check", dir, "-f", "json"]);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as {
      problems: Array<{ file: string; line?: number; message: string }>;
    };
    expect(json.problems.map((p) => p.file).sort()).toEqual(["Dockerfile", "compose.yaml"]);
    expect(json.problems.find((p) => p.file === "compose.yaml")?.line).toBeGreaterThan(0);
  });

  it("a YAML alias bomb is refused, not expanded", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const dir = project({
      "compose.yaml": `${levels.join("\n")}\nservices:\n  app:\n    image: node:latest\n    environment: *i\n`,
    });
    const result = shipshape(["check", dir, "-f", "json"]);
    expect([1, 2]).toContain(result.code);
    expect(result.stdout).toMatch(/alias/);
  });

  it("symlinks are not followed (a loop, and a link out of the project)", () => {
    const dir = project({
      Dockerfile: "FROM node:20.20.2-bookworm-slim\nCOPY . .\n",
      ".dockerignore": ".git\n",
    });
    symlinkSync(dir, join(dir, "loop"));
    symlinkSync("/etc", join(dir, "outside"));
    const result = shipshape(["check", dir, "-f", "json", "--fail-on", "none"]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("passwd");
  });

  it("--file outside the directory is refused", () => {
    const result = shipshape(["check", "test/fixtures/apps/hardened-express", "--file", "/etc/hostname"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/outside/);
  });
});
