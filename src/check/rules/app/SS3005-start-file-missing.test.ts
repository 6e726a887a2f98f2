import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3005-start-file-missing.js";

const BUILD =
  "FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n";
const RUNTIME = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\n";
const TS_APP = {
  "package.json": '{\n  "scripts": {\n    "build": "tsc",\n    "start": "node dist/index.js"\n  }\n}\n',
  "src/index.ts": "export {};\n",
};

describe("SS3005 start-file-missing", () => {
  it.each([
    [
      "dist built in another stage, never copied",
      {
        ...TS_APP,
        Dockerfile: `${BUILD}${RUNTIME}COPY --from=build /app/node_modules ./node_modules\nCMD ["node", "dist/index.js"]\n`,
      },
      ["Dockerfile:9"],
    ],
    [
      "through npm start",
      {
        ...TS_APP,
        Dockerfile: `${BUILD}${RUNTIME}COPY --from=build /app/package.json ./\nCMD ["npm", "start"]\n`,
      },
      ["Dockerfile:9"],
    ],
    [
      "a file that is not in the context",
      { Dockerfile: `${RUNTIME}COPY . .\nCMD ["node", "server.js"]\n`, "index.js": "\n" },
      ["Dockerfile:4"],
    ],
    [
      "excluded by .dockerignore",
      {
        Dockerfile: `${RUNTIME}COPY . .\nCMD ["node", "dist/server.js"]\n`,
        ".dockerignore": "node_modules\ndist\n",
        "dist/server.js": "\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "python file not copied",
      {
        Dockerfile:
          'FROM python:3.12.7-slim-bookworm\nWORKDIR /srv\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
        "requirements.txt": "flask==3.1.0\n",
        "app.py": "\n",
      },
      ["Dockerfile:5"],
    ],
    [
      "uvicorn module not copied",
      {
        Dockerfile:
          'FROM python:3.12.7-slim-bookworm\nWORKDIR /srv\nCOPY requirements.txt ./\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n',
        "requirements.txt": "fastapi==0.115.6\n",
        "app/main.py": "\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "an entrypoint script that is not copied",
      {
        Dockerfile: `${RUNTIME}COPY server.js ./\nENTRYPOINT ["./start.sh"]\n`,
        "server.js": "\n",
        "start.sh": "\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "a shell-form CMD that cds first",
      {
        Dockerfile: `${RUNTIME}COPY server.js ./\nCMD cd api && node server.js\n`,
        "server.js": "\n",
      },
      ["Dockerfile:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "dist copied from the build stage",
      {
        ...TS_APP,
        Dockerfile: `${BUILD}${RUNTIME}COPY --from=build /app/dist ./dist\nCMD ["node", "dist/index.js"]\n`,
      },
    ],
    [
      "built in the same stage",
      { ...TS_APP, Dockerfile: `${RUNTIME}COPY . .\nRUN npm ci && npm run build\nCMD ["npm", "start"]\n` },
    ],
    [
      "Next.js standalone output",
      {
        "package.json": '{ "scripts": { "build": "next build" }, "dependencies": { "next": "16.4.5" } }\n',
        Dockerfile: `${BUILD}${RUNTIME}COPY --from=build /app/.next/standalone ./\nCMD ["node", "server.js"]\n`,
      },
    ],
    [
      "copied file",
      { Dockerfile: `${RUNTIME}COPY server.mjs ./\nCMD ["node", "server.mjs"]\n`, "server.mjs": "\n" },
    ],
    [
      "copied directory",
      { Dockerfile: `${RUNTIME}COPY src ./src\nCMD ["node", "src/server.js"]\n`, "src/server.js": "\n" },
    ],
    [
      "node resolves the extension",
      { Dockerfile: `${RUNTIME}COPY . .\nCMD ["node", "server"]\n`, "server.js": "\n" },
    ],
    ["directory index", { Dockerfile: `${RUNTIME}COPY . .\nCMD ["node", "lib"]\n`, "lib/index.js": "\n" }],
    [
      "a RUN whose output is unknown",
      {
        Dockerfile: `${RUNTIME}RUN curl -fsSL https://example.com/app.tgz | tar -xz\nCMD ["node", "server.js"]\n`,
      },
    ],
    [
      "no WORKDIR: the base image may have it",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "/opt/app/server.js"]\n' },
    ],
    [
      "copied from an image",
      { Dockerfile: `${RUNTIME}COPY --from=example.com/app:1.0 /app ./\nCMD ["node", "server.js"]\n` },
    ],
    [
      "ENTRYPOINT script and CMD arguments",
      {
        Dockerfile: `${RUNTIME}COPY . .\nENTRYPOINT ["./entrypoint.sh"]\nCMD ["node", "server.js"]\n`,
        "entrypoint.sh": "\n",
        "server.js": "\n",
      },
    ],
    [
      "tini in front",
      {
        Dockerfile: `${RUNTIME}COPY server.py ./\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["python", "server.py"]\n`,
        "server.py": "\n",
      },
    ],
    [
      "module installed as a package",
      {
        Dockerfile:
          'FROM python:3.12.7-slim-bookworm\nWORKDIR /srv\nCOPY pyproject.toml src ./\nRUN pip install .\nCMD ["uvicorn", "app.main:app"]\n',
        "pyproject.toml": '[project]\nname = "app"\n',
      },
    ],
    [
      "a development Dockerfile",
      {
        "Dockerfile.dev": `${RUNTIME}COPY package.json ./\nCMD ["node", "server.js"]\n`,
        "package.json": "{}\n",
      },
    ],
    [
      "code bind-mounted by compose",
      {
        Dockerfile: `${RUNTIME}COPY package.json ./\nRUN npm ci\nCMD ["node", "src/server.js"]\n`,
        "package.json": "{}\n",
        "compose.yaml": "services:\n  api:\n    build: .\n    volumes:\n      - ./:/app\n",
      },
    ],
    [
      "a file the install puts in node_modules",
      {
        Dockerfile: `${RUNTIME}COPY package.json ./\nRUN npm ci --omit=dev\nCMD ["node", "node_modules/.bin/next", "start"]\n`,
        "package.json": "{}\n",
        ".dockerignore": "node_modules\n",
      },
    ],
    ["python -m", { Dockerfile: `${RUNTIME}CMD ["python", "-m", "http.server"]\n` }],
    [
      "heredoc COPY",
      { Dockerfile: `${RUNTIME}COPY <<EOF ./server.js\nconsole.log(1)\nEOF\nCMD ["node", "server.js"]\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the stage that builds the file and the COPY that is missing", () => {
    const [finding] = findingsOf(rule, {
      ...TS_APP,
      Dockerfile: `${BUILD}${RUNTIME}COPY --from=build /app/node_modules ./node_modules\nCMD ["node", "dist/index.js"]\n`,
    });
    expect(finding?.message).toBe(
      "`CMD` runs `dist/index.js`, but no instruction of the shipped stages puts `/app/dist/index.js` in the image: the container exits with `Cannot find module '/app/dist/index.js'`; stage `build` builds it: `COPY --from=build /app/dist ./dist`",
    );
  });

  it("names the .dockerignore line that excludes it", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${RUNTIME}COPY . .\nCMD ["node", "dist/server.js"]\n`,
      ".dockerignore": "node_modules\ndist\n",
      "dist/server.js": "\n",
    });
    expect(finding?.message).toContain("; `dist` is excluded by `.dockerignore:2`");
  });
});
