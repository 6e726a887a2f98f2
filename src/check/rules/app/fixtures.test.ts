/**
 * The app rules on the fixture apps: every defect DEFECTS.md assigns to them is reported at its
 * file:line, each builder trap is found where its trap.json says, and the healthy apps get no
 * error from this group.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runRules } from "../../engine.js";
import { projectFacts } from "../../facts/project.js";
import { treeFromFiles } from "../../facts/tree.js";
import { loadTree } from "../../load.js";
import type { Finding } from "../../types.js";
import { APP_RULES } from "./index.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const APPS = join(ROOT, "test/fixtures/apps");

function check(app: string): Finding[] {
  return runRules(projectFacts(loadTree(join(APPS, app))), {}, APP_RULES).findings;
}

const at = (findings: readonly Finding[]) =>
  findings.map((finding) => `${finding.ruleId} ${finding.location.file}:${finding.location.line}`);

describe("ai-naive-express", () => {
  const findings = check("ai-naive-express");

  it.each([
    ["db-url-localhost", "SS3012", ".env:1"],
    ["no-env-example", "SS3008", "src/index.ts:8"],
    ["no-env-example", "SS3008", "src/index.ts:9"],
    ["no-env-example", "SS3008", "src/index.ts:10"],
    ["no-env-example", "SS3008", "src/db.ts:7"],
    ["health-no-dependency-check", "SS3013", "src/index.ts:14"],
    ["listens-localhost", "SS3001", "src/index.ts:45"],
    ["no-signal-handler", "SS3002", "src/index.ts:45"],
    ["schema-at-startup", "SS3014", "src/index.ts:48"],
    ["no-env-validation", "SS3009", "src/db.ts:7"],
  ])("%s: %s at %s", (_slug, rule, location) => {
    expect(at(findings)).toContain(`${rule} ${location}`);
  });

  it("reports nothing else", () => {
    expect(at(findings).sort()).toEqual(
      [
        "SS3001 src/index.ts:45",
        "SS3002 src/index.ts:45",
        "SS3008 src/db.ts:7",
        "SS3008 src/index.ts:10",
        "SS3008 src/index.ts:8",
        "SS3008 src/index.ts:9",
        "SS3009 src/db.ts:7",
        "SS3012 .env:1",
        "SS3013 src/index.ts:14",
        "SS3014 src/index.ts:48",
      ].sort(),
    );
  });

  it("relates schema creation to the function that does it", () => {
    const schema = findings.find((finding) => finding.ruleId === "SS3014");
    expect(schema?.related?.map((place) => `${place.file}:${place.line}`)).toEqual(["src/db.ts:10"]);
  });

  it("never prints a secret", () => {
    const text = JSON.stringify(findings);
    for (const secret of ["password123", "FAKEFAKEFAKE", "my-super-secret-jwt-key", "supersecretkey"])
      expect(text).not.toContain(secret);
  });
});

describe("builder traps are found where trap.json says", () => {
  it.each(["build-time-api-url", "dist-not-copied", "global-tsc", "listens-localhost", "undeclared-env"])(
    "%s",
    (trap) => {
      const spec = JSON.parse(readFileSync(join(APPS, "builder-traps", trap, "trap.json"), "utf8")) as {
        static: { rule: string; file: string; line: number };
      };
      const first = check(`builder-traps/${trap}`).find((finding) => finding.ruleId === spec.static.rule);
      expect(first && `${first.location.file}:${first.location.line}`).toBe(
        `${spec.static.file}:${spec.static.line}`,
      );
    },
  );

  it("lockfile-ignored: nothing from this group beyond the missing .env.example", () => {
    expect(at(check("builder-traps/lockfile-ignored"))).toEqual(["SS3008 server.js:22"]);
  });
});

describe("healthy apps", () => {
  it.each(["hardened-express", "vite-spa", "next-app", "python-fastapi", "python-stdlib"])(
    "%s: no error or warning",
    (app) => {
      expect(at(check(app).filter((finding) => finding.severity !== "info"))).toEqual([]);
    },
  );

  it("vite-spa: only the missing .env.example (info)", () => {
    expect(at(check("vite-spa"))).toEqual(["SS3008 server.mjs:7", "SS3008 server.mjs:8"]);
  });

  it.each(["hardened-express", "next-app", "python-fastapi", "python-stdlib"])(
    "%s: nothing at all",
    (app) => {
      expect(check(app)).toEqual([]);
    },
  );
});

describe("odd inputs do not crash the group", () => {
  it.each([
    [
      "CRLF",
      {
        Dockerfile:
          'FROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\nRUN npm ci \\\r\n && npm run build\r\nCMD ["node", "dist/x.js"]\r\n',
        "package.json": '{\r\n"scripts": {"build": "tsc"}\r\n}\r\n',
      },
    ],
    [
      "heredocs",
      {
        Dockerfile:
          "FROM python:3.12\nRUN <<EOF\npoetry install\nEOF\nCOPY <<EOF /app/x.py\nprint(1)\nEOF\nCMD python /app/x.py\n",
      },
    ],
    [
      "mounts and exec-form RUN",
      {
        Dockerfile:
          'FROM node:20\nRUN --mount=type=cache,target=/root/.npm ["npm", "ci"]\nRUN --mount=type=bind,from=build,source=/a,target=/b tsc\nCMD []\n',
      },
    ],
    [
      "broken JSON and YAML",
      { Dockerfile: 'FROM node\nCMD ["node", \n', "package.json": "{ nope", "compose.yaml": "services: [\n" },
    ],
    ["no FROM", { Dockerfile: "RUN echo hi\nCMD node x.js\n" }],
    [
      "empty files",
      { Dockerfile: "", "compose.yaml": "", "package.json": "", ".env.example": "", "src/a.js": "" },
    ],
    [
      "variables everywhere",
      { Dockerfile: "ARG B=node:20\nFROM $B AS $X\nWORKDIR $W\nCOPY $S $D\nCMD $C\n" },
    ],
    [
      "cycles between stages",
      {
        Dockerfile:
          'FROM node:20 AS a\nCOPY --from=b /x /x\nFROM node:20 AS b\nCOPY --from=a /x /x\nCMD ["node", "/x"]\n',
      },
    ],
  ])("%s", (_name, files) => {
    const tree = treeFromFiles(files as Record<string, string>);
    expect(() => runRules(projectFacts(tree), {}, APP_RULES)).not.toThrow();
  });
});
