import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runRules } from "../../engine.js";
import { parseCompose } from "../../facts/compose.js";
import { projectFacts } from "../../facts/project.js";
import { SourceText } from "../../facts/source.js";
import { treeFromFiles } from "../../facts/tree.js";
import { applyFixes } from "../../fix.js";
import { loadTree } from "../../load.js";
import { COMPOSE_RULES } from "./index.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const APPS = join(ROOT, "test/fixtures/apps");

const check = (name: string) =>
  runRules(projectFacts(loadTree(join(APPS, name))), {}, COMPOSE_RULES).findings;

/** Every fixture app (the builder-traps are one app per directory). */
function fixtureApps(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(APPS)) {
    if (!statSync(join(APPS, name)).isDirectory()) continue;
    if (name === "builder-traps")
      for (const trap of readdirSync(join(APPS, name))) {
        if (statSync(join(APPS, name, trap)).isDirectory()) out.push(`${name}/${trap}`);
      }
    else out.push(name);
  }
  return out.sort();
}

describe("compose rules on the fixtures", () => {
  const naive = check("ai-naive-express");
  const at = (id: string) =>
    naive.filter((finding) => finding.ruleId === id).map((f) => `${f.location.file}:${f.location.line}`);

  it.each([
    ["compose-version-obsolete", "SS2001", "docker-compose.yml:1"],
    ["app-published-all-interfaces", "SS2002", "docker-compose.yml:7"],
    ["db-published-all-interfaces", "SS2003", "docker-compose.yml:21"],
    ["depends-on-no-condition", "SS2004", "docker-compose.yml:11"],
    ["no-healthcheck", "SS2005", "docker-compose.yml:4"],
    ["db-no-healthcheck", "SS2005", "docker-compose.yml:14"],
    ["no-read-only-rootfs", "SS2006", "docker-compose.yml:4"],
    ["caps-not-dropped", "SS2007", "docker-compose.yml:4"],
    ["no-new-privileges-missing", "SS2008", "docker-compose.yml:4"],
    ["no-resource-limits", "SS2009", "docker-compose.yml:4"],
    ["no-network-segmentation", "SS2010", "docker-compose.yml:14"],
  ])("ai-naive-express: %s is %s at %s", (_slug, id, where) => {
    expect(at(id)).toContain(where);
  });

  it("ai-naive-express: nothing else at error or warning", () => {
    const loud = naive
      .filter((finding) => finding.severity !== "info")
      .map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`);
    expect(loud.sort()).toEqual(
      [
        "SS2002 docker-compose.yml:7",
        "SS2003 docker-compose.yml:21",
        "SS2004 docker-compose.yml:11",
        "SS2005 docker-compose.yml:4",
        "SS2005 docker-compose.yml:14",
      ].sort(),
    );
  });

  it("hardened-express: no error or warning", () => {
    const loud = check("hardened-express").filter((finding) => finding.severity !== "info");
    expect(loud).toEqual([]);
  });

  it.each(fixtureApps())("%s: checks without crashing", (name) => {
    expect(() => check(name)).not.toThrow();
  });

  it("ai-naive-express: fixing until nothing is left gives valid YAML with the same services", () => {
    const read = (file: string) => readFileSync(join(APPS, "ai-naive-express", file), "utf8");
    let files: Record<string, string> = {
      "docker-compose.yml": read("docker-compose.yml"),
      Dockerfile: read("Dockerfile"),
      "package.json": read("package.json"),
    };
    const before = parseCompose(new SourceText("docker-compose.yml", files["docker-compose.yml"] ?? ""));
    for (let pass = 0; pass < 10; pass++) {
      const findings = runRules(projectFacts(treeFromFiles(files)), {}, COMPOSE_RULES).findings;
      const outcome = applyFixes(findings, (file) => files[file]);
      if (outcome.applied.length === 0) break;
      files = { ...files, ...Object.fromEntries(outcome.files) };
    }
    const after = parseCompose(new SourceText("docker-compose.yml", files["docker-compose.yml"] ?? ""));
    expect(after.problems).toEqual([]);
    expect(after.services.map((s) => s.name)).toEqual(before.services.map((s) => s.name));
    const left = runRules(projectFacts(treeFromFiles(files)), {}, COMPOSE_RULES).findings;
    expect(left.filter((finding) => finding.fix)).toEqual([]);
    expect(files["docker-compose.yml"]).toBe(
      [
        "services:",
        "  app:",
        "    build: .",
        "    ports:",
        '      - "127.0.0.1:3000:3000"',
        "    environment:",
        "      - DATABASE_URL=postgresql://postgres:password123@db:5432/notes",
        "      - NODE_ENV=production",
        "    depends_on:",
        "      - db",
        "    cap_drop:",
        "      - ALL",
        "    security_opt:",
        "      - no-new-privileges:true",
        "    init: true",
        "",
        "  db:",
        "    image: postgres:15-bookworm",
        "    environment:",
        "      POSTGRES_USER: postgres",
        "      POSTGRES_PASSWORD: password123",
        "      POSTGRES_DB: notes",
        "    ports:",
        '      - "127.0.0.1:5432:5432"',
        "    volumes:",
        "      - postgres_data:/var/lib/postgresql/data",
        "",
        "volumes:",
        "  postgres_data:",
        "",
      ].join("\n"),
    );
  });

  it.each([
    ["empty", ""],
    ["a list", "- a\n- b\n"],
    ["services is a list", "services: [a, b]\n"],
    ["services is a string", "services: x\n"],
    ["null service", "services:\n  app:\n"],
    ["alias service", "x: &x {build: ., ports: ['80:80']}\nservices:\n  app: *x\n"],
    [
      "odd values",
      "services:\n  app:\n    build: .\n    ports: 80\n    volumes: {a: b}\n    depends_on: db\n    healthcheck: yes\n    networks: front\n    security_opt: x\n    cap_drop: ALL\n",
    ],
    [
      "odd port items",
      "services:\n  app:\n    image: redis:7\n    ports:\n      - [1, 2]\n      - {published: 80}\n      - ''\n      - ~\n",
    ],
    [
      "flow everything",
      "{services: {app: {build: ., ports: ['3000:3000'], depends_on: [db]}, db: {image: postgres}}}\n",
    ],
    [
      "CRLF and BOM",
      "\uFEFFversion: '3'\r\nservices:\r\n  app:\r\n    build: .\r\n    ports:\r\n      - 3000:3000\r\n",
    ],
    ["tabs", "services:\n\tapp:\n\t\tbuild: .\n"],
  ])("odd compose file (%s): no crash, fixes keep YAML valid", (_name, text) => {
    const files = { "compose.yaml": text, "package.json": "{}\n" };
    const facts = projectFacts(treeFromFiles(files));
    const findings = runRules(facts, {}, COMPOSE_RULES).findings;
    const outcome = applyFixes(findings, (file) => facts.text(file)?.text);
    for (const [file, fixed] of outcome.files) {
      const parsed = parseCompose(new SourceText(file, fixed));
      expect(parsed.problems).toEqual([]);
    }
  });
});
