/**
 * `shipshape init` as a user drives it: the detection report with evidence, --dry-run writing
 * nothing, JSON output, consent (--yes, never without it off a terminal), never replacing a file
 * without --force, the source fix it offers, unsure values that need a flag, and bad input.
 */
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, shipshape } from "../support/cli.js";
import { copyFixture, project as createProject } from "../support/projects.js";

const project = (files: Record<string, string>) => createProject(files, "shipshape-init-");
/** A fixture app without its Docker files. */
const bareFixture = (name: string) =>
  copyFixture(name, ["Dockerfile", "compose.yaml", "docker-compose.yml", ".dockerignore"]);

const EXPRESS_APP = {
  "package.json": JSON.stringify(
    {
      name: "tiny-api",
      scripts: { start: "node server.js" },
      dependencies: { express: "^4.21.2" },
    },
    null,
    2,
  ),
  "package-lock.json": '{ "lockfileVersion": 3 }\n',
  "server.js":
    'const express = require("express");\nconst app = express();\napp.get("/healthz", (req, res) => res.send("ok"));\napp.listen(process.env.PORT || 8080);\n',
};

describe("shipshape init", () => {
  it("--dry-run reports what it detected, with evidence, and writes nothing", () => {
    const dir = bareFixture("ai-naive-express");
    const result = shipshape(["init", dir, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("stack        node · express");
    expect(result.stdout).toMatch(/port\s+3000 .*src\/index\.ts:45/);
    expect(result.stdout).toMatch(/health\s+\/health .*src\/index\.ts:14/);
    expect(result.stdout).toContain("service      postgres via DATABASE_URL");
    // The build runs the script's tool itself, and says which script it stands for.
    expect(result.stdout).toContain(
      '  build        node_modules/.bin/tsc → dist/  (package.json\'s "build" script run without npm\'s start-up: `"build": "tsc"` in package.json:7)',
    );
    expect(result.stdout).toContain("+RUN node_modules/.bin/tsc\n");
    expect(result.stdout).toMatch(/defect\s+the server listens on `localhost`/);
    expect(result.stdout).toContain("--- /dev/null");
    expect(result.stdout).toContain("+++ b/Dockerfile");
    expect(result.stdout).toContain("-app.listen(PORT as number, 'localhost', () => {");
    expect(result.stdout).toContain("+app.listen(PORT as number, '0.0.0.0', () => {");
    for (const file of ["Dockerfile", "compose.yaml", ".env.example", "DOCKER.md"])
      expect(existsSync(join(dir, file))).toBe(false);
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain("'localhost'");
  });

  it("--dry-run shows a build that is more than one command as the package manager's script", () => {
    const dir = bareFixture("vite-spa");
    const result = shipshape(["init", dir, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}build {8}npm run build → dist\/$/m);
    expect(result.stdout).toContain("+RUN npm run build\n");
    expect(result.stdout).not.toContain("node_modules/.bin/");
  });

  it("--format json gives the profile with evidence and the planned files", () => {
    const dir = bareFixture("python-fastapi");
    const result = shipshape(["init", dir, "--dry-run", "--format", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.profile.stack).toBe("python");
    expect(json.profile.framework.value).toBe("fastapi");
    expect(json.profile.start.value).toEqual([
      "uvicorn",
      "app.main:app",
      "--host",
      "0.0.0.0",
      "--port",
      "8000",
    ]);
    expect(json.profile.health).toMatchObject({ value: "/health", evidence: [{ file: "app/main.py" }] });
    const paths = json.files.map((file: { path: string }) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(["Dockerfile", ".dockerignore", "compose.yaml", ".env.example", "DOCKER.md"]),
    );
    expect(json.files.find((file: { path: string }) => file.path === "Dockerfile").status).toBe("create");
  });

  it("writes with --yes; what it wrote passes check with no error or warning (python-fastapi)", () => {
    const dir = bareFixture("python-fastapi");
    const result = shipshape(["init", dir, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /wrote Dockerfile, \.dockerignore, compose\.yaml, \.env\.example, DOCKER\.md/,
    );
    // The app's own .env.example gains what the code reads and it lacks; nothing of it is lost.
    const own = readFileSync(join(ROOT, "test/fixtures/apps/python-fastapi/.env.example"), "utf8");
    expect(readFileSync(join(dir, ".env.example"), "utf8").startsWith(own)).toBe(true);
    const check = shipshape(["check", dir, "--format", "json", "--fail-on", "none"]);
    const findings = JSON.parse(check.stdout).findings as Array<{
      severity: string;
      ruleId: string;
      file: string;
    }>;
    expect(findings.filter((f) => f.severity !== "info").map((f) => `${f.ruleId} ${f.file}`)).toEqual([]);
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toContain('CMD ["uvicorn", "app.main:app"');
  });

  it("fixes the loopback listen in the app's source when it writes (ai-naive-express)", () => {
    const dir = bareFixture("ai-naive-express");
    const result = shipshape(["init", dir, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain(
      "app.listen(PORT as number, '0.0.0.0', () => {",
    );
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toMatch(/^\.env$/m);
    const check = shipshape(["check", dir, "--format", "json", "--fail-on", "none"]);
    const ids = (JSON.parse(check.stdout).findings as Array<{ ruleId: string }>).map((f) => f.ruleId);
    expect(ids).not.toContain("SS3001");
    expect(ids).not.toContain("SS1107");
  });

  it("never writes off a terminal without --yes, and says how", () => {
    const dir = project(EXPRESS_APP);
    const result = shipshape(["init", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: nothing written: \d+ files to write/);
    expect(result.stderr).toContain("--yes");
    expect(existsSync(join(dir, "Dockerfile"))).toBe(false);
  });

  it("keeps an existing file that differs unless --force, and then replaces it", () => {
    const dir = project({ ...EXPRESS_APP, Dockerfile: "FROM node:20\n" });
    const kept = shipshape(["init", dir, "--yes"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain("kept Dockerfile exists and differs (--force replaces them)");
    expect(kept.stdout).toContain("-FROM node:20");
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe("FROM node:20\n");
    expect(existsSync(join(dir, "compose.yaml"))).toBe(true);

    const again = shipshape(["init", dir, "--yes"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("nothing written: Dockerfile exists and differs");

    const forced = shipshape(["init", dir, "--yes", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toContain(
      "FROM node:20.20.2-bookworm-slim AS deps",
    );
    const same = shipshape(["init", dir, "--yes"]);
    expect(same.code).toBe(0);
    expect(same.stderr).toContain("nothing to write: the files are up to date");
  });

  it("uses the detected port and health path everywhere: EXPOSE, HEALTHCHECK, compose", () => {
    const dir = project(EXPRESS_APP);
    expect(shipshape(["init", dir, "--yes"]).code).toBe(0);
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    const compose = readFileSync(join(dir, "compose.yaml"), "utf8");
    expect(dockerfile).toContain("EXPOSE 8080");
    expect(dockerfile).toContain("(process.env.PORT||8080)+'/healthz'");
    expect(dockerfile).toContain('CMD ["node", "server.js"]');
    expect(compose).toContain('"127.0.0.1:${APP_PORT:-8080}:8080"');
    expect(compose).toContain("/healthz");
  });

  it("refuses to guess the port or start command: asks for --port/--start, then takes them", () => {
    const files = {
      "package.json": JSON.stringify({ name: "mystery", dependencies: { koa: "^2.15.0" } }),
      "package-lock.json": "{}\n",
      "lib/run.js": 'const Koa = require("koa");\nnew Koa().listen(getPort());\n',
    };
    const dir = project(files);
    const unsure = shipshape(["init", dir]);
    expect(unsure.code).toBe(2);
    expect(unsure.stderr).toMatch(/detection is unsure of port and start: nothing written/);
    expect(unsure.stderr).toContain("--port <value> --start <value>");
    const given = shipshape([
      "init",
      dir,
      "--port",
      "4000",
      "--start",
      "node lib/run.js",
      "--health-path",
      "/ping",
    ]);
    expect(given.code).toBe(2); // still needs consent off a terminal
    const written = shipshape([
      "init",
      dir,
      "--yes",
      "--port",
      "4000",
      "--start",
      "node lib/run.js",
      "--health-path",
      "/ping",
    ]);
    expect(written.code, written.stderr).toBe(0);
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(dockerfile).toContain("EXPOSE 4000");
    expect(dockerfile).toContain('CMD ["node", "lib/run.js"]');
    expect(dockerfile).toContain("/ping");
  });

  it("asks which workspace in a monorepo, and takes --app", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "mono", private: true, workspaces: ["apps/*"] }),
      "package-lock.json": "{}\n",
      "apps/api/package.json": JSON.stringify({
        name: "api",
        scripts: { start: "node index.js" },
        dependencies: { fastify: "^5.0.0" },
      }),
      "apps/api/index.js": "require('fastify')().listen({ port: 3001, host: '0.0.0.0' });\n",
      "apps/worker/package.json": JSON.stringify({ name: "worker", scripts: { start: "node worker.js" } }),
      "apps/worker/worker.js": "setInterval(() => {}, 1000);\n",
    });
    const ambiguous = shipshape(["init", dir, "--dry-run"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("monorepo with 2 workspaces");
    expect(ambiguous.stderr).toContain("apps/api, apps/worker");
    const picked = shipshape(["init", dir, "--dry-run", "--app", "apps/api"]);
    expect(picked.code, picked.stderr).toBe(0);
    expect(picked.stdout).toContain("node · fastify");
    expect(picked.stdout).toMatch(/port\s+3001/);
  });

  it("bad input: a clear error, exit 2, no stack trace", () => {
    const empty = project({ "README.md": "# nothing here\n" });
    const none = shipshape(["init", empty, "--dry-run"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/error: no app found in this directory/);
    const badPort = shipshape(["init", project(EXPRESS_APP), "--port", "http"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--port http is not a port number");
    const missing = shipshape(["init", join(tmpdir(), "shipshape-no-such-dir"), "--dry-run"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    for (const result of [none, badPort, missing]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("shipshape init: what the app writes at run time", () => {
  it("--dry-run shows the writable directory with its evidence, and the Dockerfile and compose that keep it writable", () => {
    const dir = bareFixture("ai-naive-express");
    const result = shipshape(["init", dir, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /writes\s+uploads\/ → \/app\/uploads {2}\(mkdirSync\(\); resolved alike from src\/index\.ts and its compiled dist\/index\.js: `if \(!existsSync\(UPLOADS_DIR\)\) mkdirSync\(UPLOADS_DIR\);` in src\/index\.ts:57\)/,
    );
    expect(result.stdout).toContain("+RUN mkdir -p /app/uploads \\\n+ && chown node:node /app/uploads\n");
    expect(result.stdout).toContain('+VOLUME ["/app/uploads"]\n+USER node');
    expect(result.stdout).toContain("+      - uploads:/app/uploads");
    expect(result.stderr).not.toContain("--writable");
  });

  it("--format json carries writablePaths with evidence", () => {
    const dir = bareFixture("ai-naive-express");
    const result = shipshape(["init", dir, "--dry-run", "--format", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.profile.writablePaths).toEqual([
      {
        value: "uploads",
        sure: true,
        how: "mkdirSync(); resolved alike from src/index.ts and its compiled dist/index.js",
        evidence: [
          { file: "src/index.ts", line: 57, text: "if (!existsSync(UPLOADS_DIR)) mkdirSync(UPLOADS_DIR);" },
          {
            file: "src/index.ts",
            line: 55,
            text: "export const UPLOADS_DIR = join(__dirname, '..', 'uploads');",
          },
        ],
      },
    ]);
  });

  it("a path it cannot resolve is a note asking for --writable; --writable (repeatable) writes the volumes", () => {
    const dir = project({
      ...EXPRESS_APP,
      "store.js":
        'const fs = require("fs");\nexports.save = (dir, name, data) => {\n  fs.mkdirSync(dir, { recursive: true });\n};\n',
    });
    const unsure = shipshape(["init", dir, "--dry-run"]);
    expect(unsure.code, unsure.stderr).toBe(0);
    expect(unsure.stdout).toMatch(
      /writes\s+unsure {2}\(mkdirSync\(\): the path \(`dir`\) is only known at run time: `fs\.mkdirSync\(dir, \{ recursive: true \}\);` in store\.js:3\)/,
    );
    expect(unsure.stderr).toContain(
      "store.js:3 mkdirSync(): the path (`dir`) is only known at run time; if it is a directory under the app, pass --writable <dir> (repeatable) to say",
    );
    expect(unsure.stdout).not.toContain("VOLUME");
    const told = shipshape(["init", dir, "--yes", "--writable", "exports", "--writable", "./cache/"]);
    expect(told.code, told.stderr).toBe(0);
    expect(told.stderr).not.toContain("--writable");
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(dockerfile).toContain(
      "RUN mkdir -p /app/cache /app/exports \\\n && chown node:node /app/cache /app/exports\n",
    );
    expect(dockerfile).toContain('VOLUME ["/app/cache", "/app/exports"]');
    expect(readFileSync(join(dir, "compose.yaml"), "utf8")).toContain(
      "      - cache:/app/cache\n      - exports:/app/exports\n",
    );
  });

  it("--writable outside the app is a usage error", () => {
    const dir = project(EXPRESS_APP);
    const result = shipshape(["init", dir, "--dry-run", "--writable", "/var/lib/data"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--writable /var/lib/data: give a path inside the app");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("shipshape fix", () => {
  const naiveCopy = () => copyFixture("ai-naive-express");

  it("--dry-run shows mechanical and structural fixes as diffs and writes nothing", () => {
    const dir = naiveCopy();
    const before = readFileSync(join(dir, "Dockerfile"), "utf8");
    const result = shipshape(["fix", dir, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("--- a/Dockerfile");
    expect(result.stdout).toContain("-FROM node:latest");
    expect(result.stdout).toContain("+FROM node:20.20.2-bookworm-slim AS deps");
    expect(result.stdout).toMatch(
      /docker-compose\.yml: mechanical fixes \(.*\); healthcheck on app; healthcheck on db; app waits for db to be healthy/,
    );
    expect(result.stdout).toMatch(/errors (\d+) → (\d+)/);
    const [, from, to] = /errors (\d+) → (\d+)/.exec(result.stdout) ?? [];
    expect(Number(to)).toBeLessThan(Number(from));
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe(before);
  });

  it("writes with --yes, only with consent, and a second run has nothing left to fix", () => {
    const dir = naiveCopy();
    const refused = shipshape(["fix", dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    const fixed = shipshape(["fix", dir, "--yes"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toMatch(/wrote .*Dockerfile/);
    const dockerfile = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(dockerfile).toContain("USER node");
    // The directory the app creates at startup, as init writes it: owned by node, a volume.
    expect(dockerfile).toContain("RUN mkdir -p /app/uploads \\\n && chown node:node /app/uploads\n");
    expect(dockerfile).toContain('VOLUME ["/app/uploads"]\nUSER node\n');
    expect(dockerfile).not.toContain("sk-proj-");
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain("'0.0.0.0'");
    expect(readFileSync(join(dir, "docker-compose.yml"), "utf8")).toContain("condition: service_healthy");
    const again = shipshape(["fix", dir, "--yes"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("nothing to fix");
  });

  it("--format json lists the changes with their diffs and the finding counts before and after", () => {
    const dir = naiveCopy();
    const result = shipshape(["fix", dir, "--dry-run", "--format", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.changes.map((c: { path: string }) => c.path)).toContain("Dockerfile");
    expect(json.after.errors).toBeLessThan(json.before.errors);
  });
});
