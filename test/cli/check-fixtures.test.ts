/**
 * `shipshape check` on the fixture apps, run as a user runs it: every defect the naive app's
 * DEFECTS.md lists is reported at its file:line, the hardened app has no error or warning, and
 * each builder trap is found statically where trap.json says.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, shipshape } from "../support/cli.js";

interface JsonFinding {
  ruleId: string;
  severity: string;
  category: string;
  file: string;
  line: number;
  message: string;
}

function checkJson(
  app: string,
  extra: string[] = [],
): { code: number; findings: JsonFinding[]; stderr: string } {
  const result = shipshape(["check", `test/fixtures/apps/${app}`, "--format", "json", ...extra]);
  let findings: JsonFinding[] = [];
  try {
    findings = (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout.slice(0, 500)}\n${result.stderr}`);
  }
  return { code: result.code, findings, stderr: result.stderr };
}

/** DEFECTS.md slug → the rule that reports it and every place it must be reported. */
const NAIVE_EXPECTED: Record<string, Array<[rule: string, location: string]>> = {
  "latest-base": [["SS1001", "Dockerfile:1"]],
  "build-tools-in-image": [["SS1206", "Dockerfile:1"]],
  "root-user": [["SS1201", "Dockerfile:1"]],
  "no-healthcheck": [
    ["SS1202", "Dockerfile:1"],
    ["SS2005", "docker-compose.yml:4"],
  ],
  "node-env-not-production": [["SS1209", "Dockerfile:1"]],
  "no-dockerignore": [["SS1105", "Dockerfile:5"]],
  "env-file-in-image": [["SS1104", "Dockerfile:5"]],
  "copy-before-install": [["SS1008", "Dockerfile:5"]],
  "npm-install-not-ci": [["SS1006", "Dockerfile:7"]],
  "dev-deps-in-image": [["SS1208", "Dockerfile:7"]],
  "no-multi-stage": [["SS1207", "Dockerfile:9"]],
  "secret-in-env": [["SS1101", "Dockerfile:11"]],
  "npm-start-pid1": [["SS1203", "Dockerfile:15"]],
  "env-file-committed": [["SS1107", ".env:1"]],
  "db-url-localhost": [["SS3012", ".env:1"]],
  "no-env-example": [
    ["SS3008", "src/index.ts:8"],
    ["SS3008", "src/index.ts:9"],
    ["SS3008", "src/index.ts:10"],
    ["SS3008", "src/db.ts:7"],
  ],
  "compose-version-obsolete": [["SS2001", "docker-compose.yml:1"]],
  "app-published-all-interfaces": [["SS2002", "docker-compose.yml:7"]],
  "compose-literal-secret": [
    ["SS1109", "docker-compose.yml:18"],
    ["SS1109", "docker-compose.yml:9"],
  ],
  "depends-on-no-condition": [["SS2004", "docker-compose.yml:11"]],
  "db-no-healthcheck": [["SS2005", "docker-compose.yml:14"]],
  "db-image-not-pinned": [["SS1002", "docker-compose.yml:15"]],
  "db-published-all-interfaces": [["SS2003", "docker-compose.yml:21"]],
  "no-read-only-rootfs": [["SS2006", "docker-compose.yml:4"]],
  "caps-not-dropped": [["SS2007", "docker-compose.yml:4"]],
  "no-new-privileges-missing": [["SS2008", "docker-compose.yml:4"]],
  "no-resource-limits": [["SS2009", "docker-compose.yml:4"]],
  "no-network-segmentation": [["SS2010", "docker-compose.yml:14"]],
  "hardcoded-secret-fallback": [["SS1110", "src/index.ts:10"]],
  "health-no-dependency-check": [["SS3013", "src/index.ts:14"]],
  "listens-localhost": [["SS3001", "src/index.ts:45"]],
  "no-signal-handler": [["SS3002", "src/index.ts:45"]],
  "schema-at-startup": [["SS3014", "src/index.ts:48"]],
  "no-env-validation": [["SS3009", "src/db.ts:7"]],
  "secret-written-then-deleted": [["SS1103", "Dockerfile:19"]],
  // A write at run time: no static rule sees it; `shipshape verify`'s hardened run does.
  "writes-to-app-dir": [],
};

/** Findings on the naive app beyond DEFECTS.md that are true, with why. Anything else is a false positive. */
const NAIVE_ALSO_TRUE: Record<string, string> = {
  SS1004: "no image is digest-pinned (info)",
  SS1205: "PID 1 is npm, not an init (info)",
  SS2015: "the app service has no init: true (info)",
};

const naiveSlugs = (): string[] => {
  const text = readFileSync(join(ROOT, "test/fixtures/apps/ai-naive-express/DEFECTS.md"), "utf8");
  return [...text.matchAll(/^\|\s*\d+\s*\|\s*`([a-z0-9-]+)`/gm)].map((match) => match[1]!);
};

describe("shipshape check test/fixtures/apps/ai-naive-express", () => {
  const run = checkJson("ai-naive-express");
  const at = new Set(run.findings.map((finding) => `${finding.ruleId} ${finding.file}:${finding.line}`));

  it("exits 1: there are errors", () => {
    expect(run.code).toBe(1);
  });

  it("maps every DEFECTS.md slug to expected findings", () => {
    expect(naiveSlugs().sort()).toEqual(Object.keys(NAIVE_EXPECTED).sort());
  });

  it.each(Object.entries(NAIVE_EXPECTED))("reports %s at the right file:line", (_slug, expected) => {
    for (const [rule, location] of expected)
      expect(at, `${rule} ${location}`).toContain(`${rule} ${location}`);
  });

  it("reports at least 20 distinct rules across all five categories", () => {
    expect(new Set(run.findings.map((finding) => finding.ruleId)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(run.findings.map((finding) => finding.category))).toEqual(
      new Set(["reproducibility", "secrets", "hardening", "runtime", "builder-only"]),
    );
  });

  it("reports nothing else (a false positive costs trust)", () => {
    const expected = new Set(
      Object.values(NAIVE_EXPECTED).flatMap((list) => list.map(([rule, location]) => `${rule} ${location}`)),
    );
    const unexpected = run.findings
      .filter((finding) => !expected.has(`${finding.ruleId} ${finding.file}:${finding.line}`))
      .filter((finding) => !(finding.ruleId in NAIVE_ALSO_TRUE))
      .map((finding) => `${finding.ruleId} ${finding.file}:${finding.line} ${finding.message}`);
    expect(unexpected).toEqual([]);
  });

  it("never prints a secret from the app in full", () => {
    const text = shipshape(["check", "test/fixtures/apps/ai-naive-express"]).stdout;
    const all = `${text}\n${JSON.stringify(run.findings)}`;
    for (const secret of [
      "password123",
      "FAKEFAKEFAKEFAKEFAKE",
      "my-super-secret-jwt-key",
      "supersecretkey",
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe("shipshape check test/fixtures/apps/hardened-express", () => {
  it("reports no error or warning, and exits 0", () => {
    const run = checkJson("hardened-express", ["--fail-on", "warning"]);
    expect(run.findings.filter((finding) => finding.severity !== "info")).toEqual([]);
    expect(run.code).toBe(0);
  });
});

describe("builder traps are found statically, before anything is built", () => {
  const traps = readdirSync(join(ROOT, "test/fixtures/apps/builder-traps"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

  it.each(traps)("%s", (trap) => {
    const spec = JSON.parse(
      readFileSync(join(ROOT, "test/fixtures/apps/builder-traps", trap, "trap.json"), "utf8"),
    ) as {
      static: { rule: string; file: string; line: number };
    };
    const run = checkJson(`builder-traps/${trap}`, ["--fail-on", "warning"]);
    const hit = run.findings.find((finding) => finding.ruleId === spec.static.rule);
    expect(
      hit,
      `${spec.static.rule} in ${JSON.stringify(run.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`))}`,
    ).toBeDefined();
    expect(`${hit!.file}:${hit!.line}`).toBe(`${spec.static.file}:${spec.static.line}`);
    expect(run.code).toBe(1);
  });
});

describe("the other fixture apps", () => {
  it.each(["vite-spa", "next-app", "python-stdlib", "python-fastapi"])(
    "%s: checks without errors of input",
    (app) => {
      const result = shipshape([
        "check",
        `test/fixtures/apps/${app}`,
        "--format",
        "json",
        "--fail-on",
        "none",
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe("");
      const parsed = JSON.parse(result.stdout) as { problems: unknown[] };
      expect(parsed.problems).toEqual([]);
    },
  );
});
