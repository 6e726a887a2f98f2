import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runRules } from "../../engine.js";
import { projectFacts } from "../../facts/project.js";
import { treeFromFiles } from "../../facts/tree.js";
import { applyFixes } from "../../fix.js";
import { loadTree } from "../../load.js";
import { SECRETS_RULES } from "./index.js";
import { rule as SS1105 } from "./SS1105-dockerignore-missing.js";
import { contextWith } from "./shared.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const APPS = join(ROOT, "test/fixtures/apps");

function check(name: string) {
  const facts = projectFacts(loadTree(join(APPS, name)));
  return { facts, result: runRules(facts, {}, SECRETS_RULES) };
}

function allFixtures(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(APPS, dir))) {
      const path = dir === "" ? name : `${dir}/${name}`;
      if (!statSync(join(APPS, path)).isDirectory()) continue;
      if (
        ["Dockerfile", "package.json", "compose.yaml", "docker-compose.yml", "requirements.txt"].some((f) =>
          existsSync(join(APPS, path, f)),
        )
      )
        out.push(path);
      else walk(path);
    }
  };
  walk("");
  return out.sort();
}

describe("secrets rules on the fixtures", () => {
  it("ai-naive-express: every assigned defect at its file:line", () => {
    const { result } = check("ai-naive-express");
    const found = result.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`);
    for (const expected of [
      "SS1101 Dockerfile:11",
      "SS1104 Dockerfile:5",
      "SS1105 Dockerfile:5",
      "SS1107 .env:1",
      "SS1109 docker-compose.yml:18",
      "SS1109 docker-compose.yml:9",
      "SS1110 src/index.ts:10",
    ])
      expect(found).toContain(expected);
    const copy = result.findings.find((f) => f.ruleId === "SS1104");
    expect(copy?.message).toBe(
      "`COPY . .` copies `.env` (DATABASE_URL, OPENAI_API_KEY, JWT_SECRET) into the image",
    );
    expect(copy?.related?.map((r) => `${r.file}:${r.line}`)).toEqual([".env:1"]);
  });

  it("ai-naive-express: no message, related note or fix shows a secret", () => {
    const { result } = check("ai-naive-express");
    const env = readFileSync(join(APPS, "ai-naive-express/.env"), "utf8");
    const values = env
      .split("\n")
      .map((line) => line.slice(line.indexOf("=") + 1))
      .filter((value) => value.length > 8);
    const secrets = [...values, "password123", "sk-proj-FAKEFAKE", "my-super-secret-jwt-key"];
    const shown = JSON.stringify(result.findings.map((f) => [f.message, f.related, f.fix]));
    for (const secret of secrets) expect(shown).not.toContain(secret);
  });

  it("ai-naive-express: the created .dockerignore keeps what the build needs", () => {
    const dir = join(APPS, "ai-naive-express");
    const { facts } = check("ai-naive-express");
    const findings = runRules(facts, {}, [SS1105]).findings;
    const outcome = applyFixes(findings, (file) =>
      existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : undefined,
    );
    const dockerignore = outcome.files.get(".dockerignore");
    expect(dockerignore).toBeDefined();
    const context = contextWith(facts, "", dockerignore ?? "");
    for (const path of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "src",
      "src/index.ts",
      "src/db.ts",
    ])
      expect(context.includes(path), path).toBe(true);
    for (const path of [".env", "node_modules", "dist", ".git", "Dockerfile", "docker-compose.yml"])
      expect(context.includes(path), path).toBe(false);
  });

  it("hardened-express: nothing of error or warning severity", () => {
    const { result } = check("hardened-express");
    expect(result.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it.each(allFixtures())("%s: runs without crashing", (name) => {
    expect(() => check(name)).not.toThrow();
  });

  it.each(allFixtures().filter((name) => name !== "ai-naive-express"))(
    "%s: no error or warning from the secrets rules",
    (name) => {
      const { result } = check(name);
      expect(
        result.findings
          .filter((f) => f.severity !== "info")
          .map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`),
      ).toEqual([]);
    },
  );

  it.each([
    ["empty Dockerfile", { Dockerfile: "" }],
    ["comments only", { Dockerfile: "# nothing\n", ".dockerignore": "" }],
    ["COPY without arguments", { Dockerfile: "FROM node:20\nCOPY\nADD\nRUN\nENV\nARG\nLABEL\n" }],
    [
      "JSON-form COPY and ADD from a URL",
      { Dockerfile: 'FROM node:20\nCOPY ["a b", "./"]\nADD https://x.example/a.tgz /a\n', "a b": "" },
    ],
    ["heredocs", { Dockerfile: "FROM node:20\nCOPY <<EOF /a\nx\nEOF\nRUN python3 <<PY\nprint(1)\nPY\n" }],
    [
      "CRLF everywhere",
      {
        Dockerfile: "FROM node:20\r\nCOPY . .\r\n",
        ".dockerignore": ".git\r\n",
        ".env": "A_TOKEN=abcdefghijkl\r\n",
      },
    ],
    [
      "odd compose",
      {
        "compose.yaml":
          "services:\n  a:\n    environment:\n      - 1\n      - =x\n    build:\n      args: [A]\n  b: null\n",
      },
    ],
    ["not YAML", { "compose.yaml": "services: [\n" }],
    [
      "escape directive",
      { Dockerfile: "# escape=`\nFROM node:20\nENV A=1 `\n  DB_PASSWORD=hunter2hunter2\n" },
    ],
  ])("odd input does not crash: %s", (_name, files) => {
    expect(() => runRules(projectFacts(treeFromFiles(files)), {}, SECRETS_RULES)).not.toThrow();
  });
});
