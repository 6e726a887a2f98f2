import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { treeFromFiles } from "../check/facts/tree.js";
import { loadTree } from "../check/load.js";
import { detectApp } from "./detect.js";
import type { DetectOptions } from "./types.js";

const pkg = (json: object) => `${JSON.stringify(json, null, 2)}\n`;
const detect = (files: Record<string, string>, options?: DetectOptions) =>
  detectApp(treeFromFiles(files), options);
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
const express = (extra: object = {}) =>
  pkg({ name: "api", scripts: { start: "node server.js" }, dependencies: { express: "^4", ...extra } });
const fixture = (name: string) =>
  detectApp(loadTree(fileURLToPath(new URL(`../../test/fixtures/apps/${name}`, import.meta.url))));

describe("port", () => {
  it.each([
    [
      "a literal",
      'const app = require("express")();\napp.listen(8080);\n',
      { value: 8080, line: 2, text: "app.listen(8080);", how: "the literal port" },
      undefined,
    ],
    [
      "process.env.PORT || 3000 through a constant",
      "const PORT = process.env.PORT || 3000;\napp.listen(PORT, () => console.log(PORT));\n",
      {
        value: 3000,
        line: 2,
        text: "app.listen(PORT, () => console.log(PORT));",
        how: "the default of PORT",
      },
      "PORT",
    ],
    [
      "an inline env default",
      "app.listen(process.env.APP_PORT ?? 4000);\n",
      {
        value: 4000,
        line: 1,
        text: "app.listen(process.env.APP_PORT ?? 4000);",
        how: "the default of APP_PORT",
      },
      "APP_PORT",
    ],
  ])("%s", (_name, code, port, portEnv) => {
    const profile = detect({ "package.json": express(), "server.js": code });
    expect(profile.port).toEqual({
      value: port.value,
      evidence: [{ file: "server.js", line: port.line, text: port.text }],
      sure: true,
      how: port.how,
    });
    expect(profile.portEnv).toBe(portEnv);
  });

  it('Number(env.PORT ?? "3000") in a config module that is given the env', () => {
    const config =
      'export function loadConfig(env = process.env) {\n  const port = Number(env.PORT ?? "3000");\n  return { port };\n}\n';
    const profile = detect({
      "package.json": express(),
      "src/config.js": config,
      "server.js": 'import { loadConfig } from "./src/config.js";\napp.listen(loadConfig().port);\n',
    });
    expect(profile.port).toEqual({
      value: 3000,
      evidence: [{ file: "src/config.js", line: 2, text: 'const port = Number(env.PORT ?? "3000");' }],
      sure: true,
      how: "the default of PORT",
    });
    expect(profile.portEnv).toBe("PORT");
  });

  it.each([
    ["astro", 4321],
    ["@nestjs/core", 3000],
  ])("the %s default when the code does not say", (dependency, port) => {
    const profile = detect({
      "package.json": pkg({
        name: "x",
        scripts: { start: "node dist/main.js" },
        dependencies: { [dependency]: "1" },
      }),
    });
    expect(profile.port).toMatchObject({ value: port, evidence: [], sure: true });
    expect(profile.port.how).toMatch(/ default$/);
    expect(profile.unsure.map((u) => u.flag)).not.toContain("--port");
  });

  it("nothing found: 3000, not sure, and --port is asked for", () => {
    const profile = detect({ "package.json": express(), "server.js": "app.listen(config.port);\n" });
    expect(profile.port).toEqual({
      value: 3000,
      evidence: [],
      sure: false,
      how: "no port found in the code: 3000 assumed",
    });
    expect(profile.unsure).toContainEqual({ flag: "--port", why: "no port found in the code: 3000 assumed" });
  });

  it("--port overrides the code", () => {
    const profile = detect({ "package.json": express(), "server.js": "app.listen(8080);\n" }, { port: 9090 });
    expect(profile.port).toEqual({ value: 9090, evidence: [], sure: true, how: "--port" });
  });
});

describe("listening on loopback", () => {
  it.each([
    ["single quotes", "app.listen(3000, 'localhost', () => {});\n", "'localhost'", "'0.0.0.0'"],
    ["double quotes", 'server.listen(PORT, "127.0.0.1");\n', '"127.0.0.1"', '"0.0.0.0"'],
    ["backticks", "server.listen(PORT, `localhost`);\n", "`localhost`", "`0.0.0.0`"],
  ])("%s: a listen-loopback defect with an edit that keeps the quote style", (_name, code, from, to) => {
    const profile = detect({ "package.json": express(), "server.js": `const PORT = 3000;\n${code}` });
    expect(profile.defects).toHaveLength(1);
    expect(profile.defects[0]).toMatchObject({
      id: "listen-loopback",
      evidence: { file: "server.js", line: 2, text: code.trim() },
      edit: { file: "server.js", line: 2, from, to },
    });
  });

  it("a Python app.run(host=...) on loopback", () => {
    const profile = detect({
      "requirements.txt": "flask==3.0.3\ngunicorn==23.0.0\n",
      "app.py":
        'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(host="127.0.0.1", port=5000)\n',
    });
    expect(profile.defects).toContainEqual(
      expect.objectContaining({
        id: "listen-loopback",
        edit: { file: "app.py", line: 4, from: '"127.0.0.1"', to: '"0.0.0.0"' },
      }),
    );
  });

  it("a host read from HOST with a loopback default is not edited", () => {
    const profile = detect({
      "package.json": express(),
      "server.js": 'app.listen(3000, process.env.HOST ?? "localhost");\n',
    });
    expect(profile.defects.filter((d) => d.edit)).toEqual([]);
    expect(profile.defects.map((d) => d.id)).not.toContain("listen-loopback");
  });

  it("0.0.0.0 is no defect", () => {
    const profile = detect({ "package.json": express(), "server.js": 'app.listen(3000, "0.0.0.0");\n' });
    expect(profile.defects).toEqual([]);
  });
});

describe("health path", () => {
  it.each([
    [
      "an Express route",
      { "package.json": express(), "server.js": "app.get('/healthz', (req, res) => res.send('ok'));\n" },
      { value: "/healthz", file: "server.js", line: 1, how: "a health route in the code" },
    ],
    [
      "a hand-written router",
      {
        "package.json": pkg({ name: "x", main: "server.mjs" }),
        "server.mjs":
          'import http from "node:http";\nhttp.createServer((req, res) => {\n  const { pathname } = new URL(req.url, "http://x");\n  if (pathname === "/health") return res.end("ok");\n}).listen(8080);\n',
      },
      { value: "/health", file: "server.mjs", line: 4, how: "a path the code's router answers" },
    ],
    [
      "a Python BaseHTTPRequestHandler",
      {
        "server.py":
          'from http.server import BaseHTTPRequestHandler\nclass H(BaseHTTPRequestHandler):\n    def do_GET(self):\n        if self.path == "/health":\n            self.send_response(200)\n',
      },
      { value: "/health", file: "server.py", line: 4, how: "a path the code's router answers" },
    ],
  ])("%s", (_name, files, health) => {
    const profile = detect(files);
    const text = (files as Record<string, string>)[health.file]!.split("\n")[health.line - 1]!.trim();
    expect(profile.health).toEqual({
      value: health.value,
      evidence: [{ file: health.file, line: health.line, text }],
      sure: true,
      how: health.how,
    });
  });

  const next = pkg({ name: "web", scripts: { build: "next build" }, dependencies: { next: "15" } });

  it.each([
    ["app/api/health/route.ts", "/api/health", "route handler", "a Next.js route handler"],
    ["src/app/healthz/route.js", "/healthz", "route handler", "a Next.js route handler"],
    ["pages/api/health.ts", "/api/health", "API route", "a Next.js API route"],
  ])("Next.js %s → %s", (file, value, text, how) => {
    const profile = detect({ "package.json": next, [file]: "export function GET() {}\n" });
    expect(profile.health).toEqual({ value, evidence: [{ file, text }], sure: true, how });
  });

  it("none: undefined, and --health-path is asked for", () => {
    const profile = detect({ "package.json": express(), "server.js": "app.listen(3000);\n" });
    expect(profile.health).toBeUndefined();
    expect(profile.unsure.map((u) => u.flag)).toEqual(["--health-path"]);
  });

  it("--health-path overrides", () => {
    const profile = detect(
      { "package.json": express(), "server.js": "app.listen(3000);\n" },
      { healthPath: "/ready" },
    );
    expect(profile.health).toEqual({ value: "/ready", evidence: [], sure: true, how: "--health-path" });
    expect(profile.unsure).toEqual([]);
  });
});

describe("backing services", () => {
  it.each([
    ["pg", "postgres", "DATABASE_URL"],
    ["postgres", "postgres", "POSTGRES_URL"],
    ["mysql2", "mysql", "DATABASE_URL"],
    ["ioredis", "redis", "REDIS_URL"],
    ["redis", "redis", "REDIS_URL"],
    ["mongoose", "mongodb", "MONGODB_URI"],
  ])("%s → %s through %s", (dependency, kind, urlEnv) => {
    const profile = detect({
      "package.json": express({ [dependency]: "1" }),
      "server.js": `const url = process.env.${urlEnv};\napp.listen(3000);\n`,
    });
    expect(profile.services).toEqual([
      { kind, urlEnv, evidence: [{ file: "package.json", text: `dependency ${dependency}` }] },
    ]);
  });

  it("a service without a URL variable has no urlEnv", () => {
    const profile = detect({ "package.json": express({ pg: "8" }), "server.js": "new Pool();\n" });
    expect(profile.services).toEqual([
      { kind: "postgres", evidence: [{ file: "package.json", text: "dependency pg" }] },
    ]);
  });

  it("the provider of prisma/schema.prisma", () => {
    const schema =
      'generator client {\n  provider = "prisma-client-js"\n}\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
    const profile = detect({
      "package.json": express({ "@prisma/client": "5" }),
      "server.js": "app.listen(3000);\n",
      "prisma/schema.prisma": schema,
    });
    expect(profile.services).toEqual([
      { kind: "postgres", evidence: [{ file: "prisma/schema.prisma", text: 'provider = "postgresql"' }] },
    ]);
  });

  it("several services, in a stable order", () => {
    const profile = detect({
      "package.json": express({ ioredis: "5", pg: "8" }),
      "server.js": "process.env.DATABASE_URL; process.env.REDIS_URL;\n",
    });
    expect(profile.services.map((s) => [s.kind, s.urlEnv])).toEqual([
      ["postgres", "DATABASE_URL"],
      ["redis", "REDIS_URL"],
    ]);
  });
});

describe("migrations", () => {
  it("prisma", () => {
    const profile = detect({
      "package.json": pkg({
        name: "x",
        scripts: { start: "node server.js" },
        dependencies: { "@prisma/client": "5" },
        devDependencies: { prisma: "5" },
      }),
      "server.js": "",
      "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n',
    });
    expect(profile.migrations).toEqual({
      tool: "prisma",
      command: ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"],
      files: ["prisma"],
      evidence: [{ file: "prisma/schema.prisma", text: "schema.prisma" }],
    });
  });

  it("a migrate script that runs node", () => {
    const json = pkg({
      name: "x",
      scripts: { build: "tsc", start: "node dist/server.js", migrate: "node dist/migrate.js" },
      dependencies: { pg: "8" },
    });
    const profile = detect({
      "package.json": json,
      "tsconfig.json": '{"compilerOptions":{"outDir":"dist"}}',
    });
    expect(profile.migrations).toEqual({
      tool: "script",
      command: ["node", "dist/migrate.js"],
      files: [],
      evidence: [
        { file: "package.json", line: lineOf(json, '"migrate"'), text: '"migrate": "node dist/migrate.js"' },
      ],
    });
  });

  it("knex", () => {
    const json = pkg({
      name: "x",
      scripts: { start: "node server.js", "db:migrate": "knex migrate:latest" },
      dependencies: { knex: "3", pg: "8" },
    });
    const profile = detect({ "package.json": json, "server.js": "" });
    expect(profile.migrations).toEqual({
      tool: "knex",
      command: ["node", "node_modules/knex/bin/cli.js", "migrate:latest"],
      files: ["knexfile.js", "migrations"],
      evidence: [
        {
          file: "package.json",
          line: lineOf(json, '"db:migrate"'),
          text: '"db:migrate": "knex migrate:latest"',
        },
      ],
    });
  });

  it("none", () => {
    expect(detect({ "package.json": express({ pg: "8" }), "server.js": "" }).migrations).toBeUndefined();
  });
});

describe("environment variables", () => {
  const server = [
    "const apiUrl = process.env.API_URL;",
    'const level = process.env.LOG_LEVEL || "info";',
    "const stripe = process.env.STRIPE_SECRET_KEY;",
    'const jwt = process.env.JWT_SECRET || "dev-secret";',
    'if (process.env.NODE_ENV === "production") console.log(process.env.HOME);',
    "",
  ].join("\n");
  const example =
    "# Required: the mail relay\nSMTP_HOST=smtp.example.com\n# Optional\nFEATURE_FLAGS=\nAPI_URL=x\n";
  const env = detect({ "package.json": express(), "server.js": server, ".env.example": example }).env;
  const byName = (name: string) => env.find((v) => v.name === name);

  it.each([
    [
      "used only when set (ternary)",
      "const KEY = process.env.OPENAI_API_KEY;\nconsole.log(KEY ? 'on' : 'off');\n",
      false,
    ],
    ["used only when set (if)", "const KEY = process.env.OPENAI_API_KEY;\nif (KEY) enable(KEY);\n", false],
    [
      "checked and fatal when missing",
      "const KEY = process.env.OPENAI_API_KEY;\nif (!KEY) throw new Error('KEY');\nconsole.log(KEY ? 1 : 2);\n",
      true,
    ],
    ["used directly", "const KEY = process.env.OPENAI_API_KEY;\nclient(KEY);\n", true],
  ])("a read into a constant %s: required %s", (_name, code, required) => {
    const variable = detect({ "package.json": express(), "server.js": code }).env.find(
      (v) => v.name === "OPENAI_API_KEY",
    );
    expect(variable?.required).toBe(required);
  });

  it("lists the names sorted, without ambient ones", () => {
    expect(env.map((v) => v.name)).toEqual([
      "API_URL",
      "FEATURE_FLAGS",
      "JWT_SECRET",
      "LOG_LEVEL",
      "SMTP_HOST",
      "STRIPE_SECRET_KEY",
    ]);
  });

  it.each([
    ["API_URL", { required: true, secret: false, buildTime: false, fallback: undefined }, 1],
    ["LOG_LEVEL", { required: false, secret: false, buildTime: false, fallback: "info" }, 2],
    ["STRIPE_SECRET_KEY", { required: true, secret: true, buildTime: false, fallback: undefined }, 3],
    // The fallback is the defect: the secret stays required.
    ["JWT_SECRET", { required: true, secret: true, buildTime: false, fallback: "dev-secret" }, 4],
  ])("%s", (name, expected, line) => {
    const variable = byName(name)!;
    expect({
      required: variable.required,
      secret: variable.secret,
      buildTime: variable.buildTime,
      fallback: variable.fallback,
    }).toEqual(expected);
    expect(variable.declaredOnly).toBeUndefined();
    expect(variable.evidence).toEqual([{ file: "server.js", line, text: server.split("\n")[line - 1] }]);
  });

  it.each([
    ["SMTP_HOST", true, 2],
    ["FEATURE_FLAGS", false, 4],
  ])(".env.example-only %s is declaredOnly (required: %s from the comment above)", (name, required, line) => {
    expect(byName(name)).toEqual({
      name,
      required,
      secret: false,
      buildTime: false,
      declaredOnly: true,
      evidence: [{ file: ".env.example", line, text: example.split("\n")[line - 1] }],
    });
  });

  it("client code: import.meta.env.VITE_X is read at build time", () => {
    const profile = detect({
      "package.json": pkg({ name: "spa", scripts: { build: "vite build" }, devDependencies: { vite: "5" } }),
      "src/main.ts": "fetch(`${import.meta.env.VITE_API_URL}/items`);\n",
    });
    expect(profile.env).toEqual([
      {
        name: "VITE_API_URL",
        required: true,
        secret: false,
        buildTime: true,
        evidence: [{ file: "src/main.ts", line: 1, text: "fetch(`${import.meta.env.VITE_API_URL}/items`);" }],
      },
    ]);
  });

  it("a name passed to a required-env helper is required", () => {
    const profile = detect({
      "server.py":
        'import os\ndef required_env(name):\n    return os.environ[name]\nAPI_TOKEN = required_env("API_TOKEN")\n',
    });
    expect(profile.env).toEqual([
      {
        name: "API_TOKEN",
        required: true,
        secret: true,
        buildTime: false,
        evidence: [{ file: "server.py", line: 4, text: 'API_TOKEN = required_env("API_TOKEN")' }],
      },
    ]);
  });
});

describe("the fixture apps", () => {
  it("ai-naive-express", () => {
    const profile = fixture("ai-naive-express");
    expect(profile.framework.value).toBe("express");
    expect(profile.node?.manager).toMatchObject({ value: "npm", sure: true });
    expect(profile.node?.lockfile).toBe("package-lock.json");
    expect(profile.start).toMatchObject({ value: ["node", "dist/index.js"], sure: true });
    expect(profile.port).toEqual({
      value: 3000,
      evidence: [{ file: "src/index.ts", line: 45, text: "app.listen(PORT as number, 'localhost', () => {" }],
      sure: true,
      how: "the default of PORT",
    });
    expect(profile.health).toMatchObject({
      value: "/health",
      evidence: [{ file: "src/index.ts", line: 14 }],
    });
    expect(profile.services).toEqual([
      {
        kind: "postgres",
        urlEnv: "DATABASE_URL",
        evidence: [{ file: "package.json", text: "dependency pg" }],
      },
    ]);
    expect(profile.defects).toEqual([
      expect.objectContaining({
        id: "listen-loopback",
        edit: { file: "src/index.ts", line: 45, from: "'localhost'", to: "'0.0.0.0'" },
      }),
    ]);
    expect(profile.env.find((v) => v.name === "JWT_SECRET")).toMatchObject({
      required: true,
      secret: true,
      fallback: "supersecretkey",
    });
    expect(profile.build).toMatchObject({ tool: "tsc", outDir: "dist" });
    expect(profile.unsure).toEqual([]);
  });

  it("hardened-express", () => {
    const profile = fixture("hardened-express");
    expect(profile.start.value).toEqual(["node", "dist/server.js"]);
    expect(profile.migrations).toMatchObject({
      tool: "script",
      command: ["node", "dist/migrate.js"],
      evidence: [{ file: "package.json", line: 13, text: '"migrate": "node dist/migrate.js"' }],
    });
    expect(profile.health).toMatchObject({
      value: "/healthz",
      evidence: [{ file: "src/app.ts", line: 10 }],
    });
    expect(profile.port).toMatchObject({
      value: 3000,
      evidence: [{ file: "src/config.ts", line: 16 }],
      sure: true,
    });
    expect(profile.services.map((s) => [s.kind, s.urlEnv])).toEqual([["postgres", "DATABASE_URL"]]);
    expect(profile.runtimeFiles).toEqual(["package.json", "migrations"]);
    expect(profile.defects).toEqual([]);
  });

  it("vite-spa (with its own server.mjs)", () => {
    const profile = fixture("vite-spa");
    expect(profile.framework.value).toBe("vite-spa");
    expect(profile.kind).toBe("server");
    expect(profile.start).toMatchObject({ value: ["node", "server.mjs"], sure: true });
    expect(profile.port).toMatchObject({ value: 8080, evidence: [{ file: "server.mjs", line: 61 }] });
    expect(profile.health).toMatchObject({ value: "/healthz", evidence: [{ file: "server.mjs", line: 35 }] });
    expect(profile.build).toMatchObject({ tool: "vite", outDir: "dist" });
    expect(profile.runtimeFiles).toEqual(["package.json", "server.mjs"]);
  });

  it("next-app", () => {
    const profile = fixture("next-app");
    expect(profile.kind).toBe("next-standalone");
    expect(profile.start).toMatchObject({
      value: ["node", "server.js"],
      evidence: [{ file: "next.config.ts", line: 4 }],
    });
    expect(profile.health).toEqual({
      value: "/api/health",
      evidence: [{ file: "app/api/health/route.ts", text: "route handler" }],
      sure: true,
      how: "a Next.js route handler",
    });
    expect(profile.runtimeFiles).toEqual(["public"]);
    expect(profile.port.value).toBe(3000);
  });

  it("python-stdlib", () => {
    const profile = fixture("python-stdlib");
    expect(profile.stack).toBe("python");
    expect(profile.framework.value).toBe("python-http");
    expect(profile.start).toEqual({
      value: ["python", "server.py"],
      evidence: [{ file: "server.py", line: 122, text: 'if __name__ == "__main__":' }],
      sure: true,
      how: "the script that starts the server",
    });
    expect(profile.port).toMatchObject({ value: 8000, evidence: [{ file: "server.py", line: 33 }] });
    expect(profile.health).toMatchObject({ value: "/health", evidence: [{ file: "server.py", line: 69 }] });
    expect(profile.env.find((v) => v.name === "API_TOKEN")).toMatchObject({ required: true, secret: true });
    expect(profile.python).toMatchObject({ dependencies: [], pinned: true });
  });

  it("python-fastapi", () => {
    const profile = fixture("python-fastapi");
    expect(profile.framework.value).toBe("fastapi");
    expect(profile.python).toMatchObject({
      manifest: "requirements.txt",
      pinned: true,
      appModule: "app.main:app",
    });
    expect(profile.start).toEqual({
      value: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
      evidence: [{ file: "app/main.py", line: 17, text: "app = FastAPI(title=settings.app_name)" }],
      sure: true,
      how: "uvicorn (a dependency)",
    });
    expect(profile.port).toMatchObject({ value: 8000, sure: true, how: "fastapi default" });
    expect(profile.health).toMatchObject({ value: "/health", evidence: [{ file: "app/main.py", line: 48 }] });
    // Read through the app's own `_required("API_KEY")` helper, not only named by .env.example.
    expect(profile.env.find((v) => v.name === "API_KEY")).toEqual({
      name: "API_KEY",
      required: true,
      secret: true,
      buildTime: false,
      evidence: [{ file: "app/config.py", line: 34, text: 'api_key=_required("API_KEY"),' }],
    });
  });
});

describe("more ways an app says what it needs", () => {
  it("pydantic settings fields are variables: required without a default", () => {
    const env = detect({
      "requirements.txt": "fastapi==0.115.0\npydantic-settings==2.6.0\nuvicorn==0.32.0\n",
      "app/settings.py":
        'from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    database_url: str\n    log_level: str = "info"\n    api_key: str\n\nsettings = Settings()\n',
      "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    }).env;
    expect(env.map((v) => [v.name, v.required, v.secret, v.fallback])).toEqual([
      ["API_KEY", true, true, undefined],
      ["DATABASE_URL", true, false, undefined],
      ["LOG_LEVEL", false, false, "info"],
    ]);
    expect(env.find((v) => v.name === "DATABASE_URL")?.evidence).toEqual([
      { file: "app/settings.py", line: 4, text: "database_url: str" },
    ]);
  });

  it("a connection string names the service when no known client package does", () => {
    const profile = detect({
      "package.json": express(),
      "server.js":
        'const db = connect(process.env.DATABASE_URL || "postgres://app:secret@localhost:5432/app");\n',
    });
    expect(profile.services).toEqual([
      {
        kind: "postgres",
        urlEnv: "DATABASE_URL",
        evidence: [{ file: "server.js", line: 1, text: "postgres://…@localhost:5432/app" }],
      },
    ]);
  });

  it("a server CLI from a production dependency runs from node_modules/.bin, not through npm", () => {
    const profile = detect({
      "package.json": JSON.stringify({
        name: "remix-app",
        scripts: { build: "remix vite:build", start: "remix-serve ./build/server/index.js" },
        dependencies: { "@remix-run/node": "^2.15.0", "@remix-run/serve": "^2.15.0" },
      }),
      "package-lock.json": "{}\n",
    });
    expect(profile.start.value).toEqual(["node_modules/.bin/remix-serve", "./build/server/index.js"]);
    expect(profile.start.sure).toBe(true);
  });
});
