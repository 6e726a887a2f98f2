import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runRules } from "../../engine.js";
import { projectFacts } from "../../facts/project.js";
import { treeFromFiles } from "../../facts/tree.js";
import { applyFixes } from "../../fix.js";
import { loadTree } from "../../load.js";
import { DOCKERFILE_RULES } from "./index.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const APPS = join(ROOT, "test/fixtures/apps");

const check = (name: string) =>
  runRules(projectFacts(loadTree(join(APPS, name))), {}, DOCKERFILE_RULES).findings;
const loud = (name: string) =>
  check(name)
    .filter((finding) => finding.severity !== "info")
    .map((finding) => `${finding.ruleId} ${finding.location.file}:${finding.location.line}`)
    .sort();

/** Every fixture app (the builder-traps are one app per directory). */
function fixtureApps(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(APPS)) {
    if (!statSync(join(APPS, name)).isDirectory()) continue;
    if (name === "builder-traps") {
      for (const trap of readdirSync(join(APPS, name)))
        if (statSync(join(APPS, name, trap)).isDirectory()) out.push(`${name}/${trap}`);
    } else out.push(name);
  }
  return out.sort();
}

describe("Dockerfile rules on the fixtures", () => {
  const naive = check("ai-naive-express");
  const at = (id: string) =>
    naive.filter((finding) => finding.ruleId === id).map((f) => `${f.location.file}:${f.location.line}`);

  it.each([
    ["latest-base", "SS1001", "Dockerfile:1"],
    ["build-tools-in-image", "SS1206", "Dockerfile:1"],
    ["root-user", "SS1201", "Dockerfile:1"],
    ["no-healthcheck", "SS1202", "Dockerfile:1"],
    ["node-env-not-production", "SS1209", "Dockerfile:1"],
    ["copy-before-install", "SS1008", "Dockerfile:5"],
    ["npm-install-not-ci", "SS1006", "Dockerfile:7"],
    ["dev-deps-in-image", "SS1208", "Dockerfile:7"],
    ["no-multi-stage", "SS1207", "Dockerfile:9"],
    ["npm-start-pid1", "SS1203", "Dockerfile:15"],
    ["db-image-not-pinned", "SS1002", "docker-compose.yml:15"],
  ])("ai-naive-express: %s is %s at %s", (_slug, id, where) => {
    expect(at(id)).toContain(where);
  });

  it("ai-naive-express: nothing else at error or warning", () => {
    expect(loud("ai-naive-express")).toEqual(
      [
        "SS1001 Dockerfile:1",
        "SS1201 Dockerfile:1",
        "SS1202 Dockerfile:1",
        "SS1206 Dockerfile:1",
        "SS1008 Dockerfile:5",
        "SS1006 Dockerfile:7",
        "SS1208 Dockerfile:7",
        "SS1207 Dockerfile:9",
        "SS1203 Dockerfile:15",
        "SS1002 docker-compose.yml:15",
      ].sort(),
    );
  });

  it("ai-naive-express: npm-start-pid1 is fixed to node itself", () => {
    const finding = naive.find((f) => f.ruleId === "SS1203");
    const dockerfile = readFileSync(join(APPS, "ai-naive-express/Dockerfile"), "utf8");
    const outcome = applyFixes(finding ? [finding] : [], () => dockerfile);
    expect(outcome.files.get("Dockerfile")?.split("\n")[14]).toBe('CMD ["node", "dist/index.js"]');
  });

  it("ai-naive-express: fixing until nothing is left is stable and leaves the fixed rules clean", () => {
    const dir = join(APPS, "ai-naive-express");
    let files: Record<string, string> = {};
    for (const file of ["Dockerfile", "docker-compose.yml", "package.json", "package-lock.json"])
      files[file] = readFileSync(join(dir, file), "utf8");
    for (let pass = 0; pass < 5; pass++) {
      const findings = runRules(projectFacts(treeFromFiles(files)), {}, DOCKERFILE_RULES).findings;
      const outcome = applyFixes(findings, (file) => files[file]);
      if (outcome.applied.length === 0) break;
      files = { ...files, ...Object.fromEntries(outcome.files) };
    }
    expect(files.Dockerfile).toBe(
      [
        "FROM node:latest",
        "",
        "WORKDIR /app",
        "",
        "COPY . .",
        "",
        "RUN npm ci",
        "",
        "RUN npm run build",
        "",
        "ENV OPENAI_API_KEY=sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000notarealkey",
        "",
        "EXPOSE 3000",
        "",
        'CMD ["node", "dist/index.js"]',
        "",
        '# A token for a private registry, written for an install and "cleaned up" in a later layer',
        "# (DEFECTS.md 35): the delete hides the file from the final file system, not from the image.",
        'RUN echo "//registry.npmjs.org/:_authToken=npm_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000" > /root/.npmrc',
        "RUN rm /root/.npmrc",
        // After the last RUN (which needs root to delete a file in /root), not before CMD.
        "USER node",
        "ENV NODE_ENV=production",
        "",
      ].join("\n"),
    );
    const left = runRules(projectFacts(treeFromFiles(files)), {}, DOCKERFILE_RULES).findings.map(
      (f) => f.ruleId,
    );
    for (const id of ["SS1006", "SS1201", "SS1203", "SS1209"]) expect(left).not.toContain(id);
  });

  it("hardened-express: no error or warning", () => {
    expect(loud("hardened-express")).toEqual([]);
  });

  it("builder-traps/lockfile-ignored: SS1007 at the .dockerignore line that lists package-lock.json", () => {
    const dir = "builder-traps/lockfile-ignored";
    const lines = readFileSync(join(APPS, dir, ".dockerignore"), "utf8").split(/\r?\n/);
    const line = lines.findIndex((text) => text.trim() === "package-lock.json") + 1;
    expect(line).toBeGreaterThan(0);
    const findings = check(dir).filter((finding) => finding.ruleId === "SS1007");
    expect(findings.map((f) => `${f.location.file}:${f.location.line}`)).toEqual([`.dockerignore:${line}`]);
    expect(findings[0]?.severity).toBe("error");
    expect(findings[0]?.message).toContain("`npm ci --omit=dev` at Dockerfile:7");
  });

  it("no errors on the other fixtures (they build and run)", () => {
    const errors = fixtureApps()
      .filter((name) => name !== "ai-naive-express" && name !== "builder-traps/lockfile-ignored")
      .flatMap((name) =>
        check(name)
          .filter((finding) => finding.severity === "error")
          .map((finding) => `${name} ${finding.ruleId} ${finding.location.file}:${finding.location.line}`),
      );
    expect(errors).toEqual([]);
  });

  it.each(fixtureApps())("%s: checks without crashing", (name) => {
    expect(() => check(name)).not.toThrow();
  });
});

describe("Dockerfile rules on odd input", () => {
  it.each([
    ["empty", ""],
    ["comments only", "# nothing\n"],
    ["no FROM", "RUN npm install\nCMD npm start\n"],
    ["bare FROM", "FROM\nRUN\nCMD\nENTRYPOINT\nHEALTHCHECK\nUSER\nCOPY\nADD\n"],
    ["backtick escape", "# escape=`\nFROM node:20\nRUN npm install `\n  && npm run build\nCMD npm start\n"],
    [
      "heredocs",
      "# syntax=docker/dockerfile:1\nFROM node:20\nCOPY <<EOF /app/x.js\nconsole.log(1)\nEOF\nRUN <<EOT bash\nnpm install\ncurl -fsSL https://x | sh\nEOT\nRUN python3 <<PY\nprint(1)\nPY\n",
    ],
    [
      "mounts",
      "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=x pip install -r r.txt\n",
    ],
    [
      "exec forms",
      'FROM node:20\nRUN ["npm", "install"]\nENTRYPOINT ["npm"]\nCMD ["start"]\nHEALTHCHECK CMD ["curl"]\n',
    ],
    [
      "CRLF and BOM",
      "\uFEFFFROM node:20-slim\r\nRUN apt-get install -y gcc \\\r\n  make\r\nCMD npm start\r\n",
    ],
    ["unknown instruction and ONBUILD", "FROM node:20\nFOO bar\nONBUILD RUN npm install\nUSER\n"],
    ["unterminated quote", "FROM node:20\nRUN echo \"unterminated && npm install\nCMD node 'x\n"],
    ["variables everywhere", "ARG A\nFROM ${A}\nRUN $PM install $PKGS && ${CMD:-x}\nUSER ${U}\nCMD $START\n"],
  ])("%s", (_name, dockerfile) => {
    const files = {
      Dockerfile: dockerfile,
      "package.json": '{ "scripts": { "start": "node s.js" }, "devDependencies": { "x": "1" } }',
      "package-lock.json": "{}",
      ".dockerignore": "*.json\n",
      "compose.yaml": "services:\n  app:\n    build: .\n    init: true\n",
    };
    const findings = runRules(projectFacts(treeFromFiles(files)), {}, DOCKERFILE_RULES).findings;
    const outcome = applyFixes(findings, (file) => files[file as keyof typeof files]);
    for (const finding of findings) {
      expect(finding.location.line).toBeGreaterThanOrEqual(1);
      expect(finding.message).not.toMatch(/\.$/);
    }
    expect(outcome.files.size).toBeLessThanOrEqual(2);
  });
});
