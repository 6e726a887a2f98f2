import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3006-copy-source-missing.js";

const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\n";

describe("SS3006 copy-source-missing", () => {
  it.each([
    [
      "missing file",
      { Dockerfile: `${FROM}COPY package.json package-lock.json ./\n`, "package.json": "{}\n" },
      ["Dockerfile:3"],
    ],
    [
      "excluded by .dockerignore",
      {
        Dockerfile: `${FROM}COPY dist ./dist\n`,
        ".dockerignore": "node_modules\ndist/\n",
        "dist/server.js": "\n",
      },
      ["Dockerfile:3"],
    ],
    ["a glob that matches nothing", { Dockerfile: `${FROM}COPY *.lock ./\n` }, ["Dockerfile:3"]],
    ["exec form", { Dockerfile: `${FROM}COPY ["config/app.json", "./config/"]\n` }, ["Dockerfile:3"]],
    [
      "in a stage the final stage copies from",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS build\nCOPY tsconfig.json ./\nFROM node:20.20.2-bookworm-slim\nCOPY --from=build /dist ./dist\n`,
      },
      ["Dockerfile:2"],
    ],
    [
      "two missing sources in one COPY",
      { Dockerfile: `${FROM}COPY a.js b.js ./\n` },
      ["Dockerfile:3", "Dockerfile:3"],
    ],
    [
      "a .dockerignore that applies to a subdirectory context",
      {
        "compose.yaml": "services:\n  web:\n    build: ./web\n",
        "web/Dockerfile": `${FROM}COPY .env.production ./\n`,
        "web/.dockerignore": ".env*\n",
        "web/.env.production": "API=1\n",
      },
      ["web/Dockerfile:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "present files",
      {
        Dockerfile: `${FROM}COPY package.json ./\nCOPY src ./src\n`,
        "package.json": "{}\n",
        "src/a.js": "\n",
      },
    ],
    [
      "a glob with one file excluded and one sent",
      {
        Dockerfile: `${FROM}COPY package*.json ./\n`,
        ".dockerignore": "package-lock.json\n",
        "package.json": "{}\n",
        "package-lock.json": "{}\n",
      },
    ],
    [
      "a glob beside a present file",
      { Dockerfile: `${FROM}COPY package.json yarn.lock* ./\n`, "package.json": "{}\n" },
    ],
    ["everything", { Dockerfile: `${FROM}COPY . .\n` }],
    ["from a stage", { Dockerfile: `${FROM}COPY --from=build /app/dist ./dist\n` }],
    ["heredoc", { Dockerfile: `${FROM}COPY <<EOF /app/config.json\n{}\nEOF\n` }],
    ["a variable", { Dockerfile: `${FROM}ARG CONFIG=app.json\nCOPY \${CONFIG} ./\n` }],
    ["ADD from a URL", { Dockerfile: `${FROM}ADD https://example.com/tool.tgz /tmp/\n` }],
    [
      "a stage the final stage does not use",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS test\nCOPY test ./test\nFROM node:20.20.2-bookworm-slim\nCMD ["node"]\n`,
      },
    ],
    [
      "an excluded directory with an exception inside",
      {
        Dockerfile: `${FROM}COPY config ./config\n`,
        ".dockerignore": "config\n!config/app.json\n",
        "config/app.json": "{}\n",
        "config/secret.json": "{}\n",
      },
    ],
    [
      "inside node_modules, not walked",
      { Dockerfile: `${FROM}COPY node_modules/.prisma ./prisma\n`, "node_modules/": "" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the .dockerignore line", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${FROM}COPY dist ./dist\n`,
      ".dockerignore": "node_modules\ndist/\n",
      "dist/server.js": "\n",
    });
    expect(finding?.message).toBe(
      '`COPY dist`: `dist` is excluded from the build context by `.dockerignore:2` (`dist`), so the build fails with `"/dist": not found`',
    );
    expect(finding?.related).toEqual([{ file: ".dockerignore", line: 2, column: 1, message: "excludes it" }]);
  });

  it("says a missing file does not exist", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}COPY package-lock.json ./\n` })[0]?.message).toBe(
      '`COPY package-lock.json`: `package-lock.json` does not exist in the build context, so the build fails with `"/package-lock.json": not found`',
    );
  });
});
