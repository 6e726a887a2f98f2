import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3001-listens-on-localhost.js";

const NODE_DOCKERFILE =
  'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';
const PY_DOCKERFILE = (cmd: string) => `FROM python:3.12.7-slim-bookworm\nWORKDIR /app\nCOPY . .\n${cmd}\n`;
const node = (code: string, extra: Record<string, string> = {}) => ({
  Dockerfile: NODE_DOCKERFILE,
  "server.js": code,
  ...extra,
});
const withScript = (script: string) => ({
  Dockerfile: 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n',
  "package.json": `{\n  "scripts": {\n    "start": "${script}"\n  }\n}\n`,
});

describe("SS3001 listens-on-localhost", () => {
  it.each([
    [
      "literal localhost",
      node('const app = require("express")();\napp.listen(3000, "localhost");\n'),
      ["server.js:2"],
    ],
    [
      "host constant",
      node('const HOST = "127.0.0.1";\nconst PORT = 3000;\napp.listen(PORT, HOST, () => {});\n'),
      ["server.js:3"],
    ],
    [
      "env default that is never set",
      node('app.listen(3000, process.env.HOST || "localhost");\n'),
      ["server.js:1"],
    ],
    ["object form", node('server.listen({ port: 3000, host: "::1" });\n'), ["server.js:1"]],
    [
      "Fastify's default host",
      node('const fastify = require("fastify")();\nfastify.listen({ port: 3000 });\n'),
      ["server.js:2"],
    ],
    [
      "file in a subdirectory context",
      {
        "api/Dockerfile": NODE_DOCKERFILE,
        "api/server.js": 'app.listen(3000, "127.0.0.1");\n',
      },
      ["api/server.js:1"],
    ],
    [
      "uvicorn without --host",
      { Dockerfile: PY_DOCKERFILE('CMD ["uvicorn", "app.main:app"]') },
      ["Dockerfile:4"],
    ],
    [
      "uvicorn --host 127.0.0.1",
      {
        Dockerfile: PY_DOCKERFILE('CMD ["uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", "8000"]'),
      },
      ["Dockerfile:4"],
    ],
    [
      "flask run default",
      { Dockerfile: PY_DOCKERFILE('CMD ["python", "-m", "flask", "run"]') },
      ["Dockerfile:4"],
    ],
    [
      "gunicorn bound to loopback, shell form",
      { Dockerfile: PY_DOCKERFILE("CMD gunicorn -b 127.0.0.1:8000 app:app") },
      ["Dockerfile:4"],
    ],
    [
      "manage.py runserver with a port only",
      { Dockerfile: PY_DOCKERFILE('CMD ["python", "manage.py", "runserver", "8000"]') },
      ["Dockerfile:4"],
    ],
    ["next start -H localhost through npm start", withScript("next start -H localhost"), ["Dockerfile:4"]],
    ["vite preview without --host", withScript("vite preview --port 8080"), ["Dockerfile:4"]],
    [
      "python app.run when the image runs the file",
      {
        Dockerfile: PY_DOCKERFILE('CMD ["python", "app.py"]'),
        "app.py": 'from flask import Flask\napp = Flask(__name__)\napp.run(host="127.0.0.1", port=5000)\n',
      },
      ["app.py:3"],
    ],
    [
      "Flask's app.run() default",
      {
        Dockerfile: PY_DOCKERFILE('CMD ["python", "app.py"]'),
        "app.py":
          'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(port=5000)\n',
      },
      ["app.py:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["0.0.0.0", node('app.listen(3000, "0.0.0.0");\n')],
    ["no host (all interfaces)", node("app.listen(3000);\n")],
    ["no Dockerfile", { "server.js": 'app.listen(3000, "localhost");\n' }],
    [
      "HOST set for the container",
      {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nENV HOST=0.0.0.0\nCOPY . .\nCMD ["node", "server.js"]\n',
        "server.js": 'const HOST = process.env.HOST ?? "localhost";\napp.listen(3000, HOST);\n',
      },
    ],
    [
      "HOST set by compose",
      {
        Dockerfile: NODE_DOCKERFILE,
        "compose.yaml": "services:\n  api:\n    build: .\n    environment:\n      HOST: 0.0.0.0\n",
        "server.js": 'app.listen(3000, process.env.HOST || "127.0.0.1");\n',
      },
    ],
    [
      "file left out by .dockerignore",
      node("app.listen(3000);\n", {
        "scripts/dev.js": 'app.listen(3000, "localhost");\n',
        ".dockerignore": "scripts\n",
      }),
    ],
    [
      "Fastify with a host",
      node('const fastify = require("fastify")();\nfastify.listen({ port: 3000, host: "0.0.0.0" });\n'),
    ],
    [
      "uvicorn --host 0.0.0.0",
      { Dockerfile: PY_DOCKERFILE('CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]') },
    ],
    [
      "uvicorn host from UVICORN_HOST",
      { Dockerfile: PY_DOCKERFILE('ENV UVICORN_HOST=0.0.0.0\nCMD ["uvicorn", "app.main:app"]') },
    ],
    ["gunicorn default bind", { Dockerfile: PY_DOCKERFILE('CMD ["gunicorn", "app:app"]') }],
    [
      "app.run under __main__ while gunicorn serves",
      {
        Dockerfile: PY_DOCKERFILE('CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]'),
        "app.py": 'if __name__ == "__main__":\n    app.run(host="127.0.0.1")\n',
      },
    ],
    ["vite preview --host", withScript("vite preview --host --port 8080")],
    [
      "vite config sets the host",
      { ...withScript("vite preview"), "vite.config.ts": "export default { preview: { host: true } };\n" },
    ],
    ["next start", withScript("next start -p 3000")],
    [
      "Flask app.run(host=...) from a variable",
      {
        Dockerfile: PY_DOCKERFILE('CMD ["python", "app.py"]'),
        "app.py": "from flask import Flask\napp = Flask(__name__)\napp.run(host=HOST, port=5000)\n",
      },
    ],
    [
      "app.run() in a file the image does not start",
      {
        Dockerfile: PY_DOCKERFILE('CMD ["python", "main.py"]'),
        "dev.py": 'from flask import Flask\napp = Flask(__name__)\napp.run(host="127.0.0.1")\n',
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the host and the fix", () => {
    expect(findingsOf(rule, node('app.listen(3000, "localhost");\n'))[0]?.message).toBe(
      "The server listens on `localhost`: inside the container that is its own loopback, so requests to the published port fail with `Connection reset by peer`; listen on `0.0.0.0`",
    );
  });

  it("points at the package script a CMD runs", () => {
    const [finding] = findingsOf(rule, withScript("next start -H 127.0.0.1"));
    expect(finding?.message).toContain("`next start -H 127.0.0.1` (script `start` in `package.json`)");
    expect(finding?.related).toEqual([
      { file: "package.json", line: 3, column: 1, message: "script `start`" },
    ]);
  });
});
