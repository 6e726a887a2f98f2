import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1008-dependencies-after-source.js";

const NPM = { "package.json": '{ "name": "app" }\n', "package-lock.json": "{}\n" };
const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\n";
const PY = "FROM python:3.11.14-slim-bookworm\nWORKDIR /app\n";

describe("SS1008 dependencies-after-source", () => {
  it.each([
    [
      "COPY . . before npm install",
      { Dockerfile: `${FROM}COPY . .\nRUN npm install\n`, ...NPM },
      ["Dockerfile:3"],
    ],
    ["COPY . /app", { Dockerfile: `${FROM}COPY . /app\nRUN npm ci\n`, ...NPM }, ["Dockerfile:3"]],
    [
      "COPY src before the install",
      { Dockerfile: `${FROM}COPY package.json package-lock.json ./\nCOPY src ./src\nRUN npm ci\n`, ...NPM },
      ["Dockerfile:4"],
    ],
    [
      "a code file",
      { Dockerfile: `${FROM}COPY package.json server.js ./\nRUN npm ci\n`, ...NPM },
      ["Dockerfile:3"],
    ],
    [
      "pip -r",
      {
        Dockerfile: `${PY}COPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n`,
        "requirements.txt": "flask==3.1.0\n",
      },
      ["Dockerfile:3"],
    ],
    ["poetry", { Dockerfile: `${PY}COPY . .\nRUN poetry install --no-root\n` }, ["Dockerfile:3"]],
    ["uv sync", { Dockerfile: `${PY}COPY . .\nRUN uv sync --locked\n` }, ["Dockerfile:3"]],
    [
      "build stage too, one finding per stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS build\nCOPY . .\nCOPY src ./src\nRUN npm ci\nFROM node:20.20.2-bookworm-slim\n`,
        ...NPM,
      },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "manifests first",
      { Dockerfile: `${FROM}COPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n`, ...NPM },
    ],
    ["glob of manifests", { Dockerfile: `${FROM}COPY package*.json ./\nRUN npm ci\nCOPY . .\n`, ...NPM }],
    [
      "prisma schema for postinstall",
      { Dockerfile: `${FROM}COPY package*.json ./\nCOPY prisma ./prisma\nRUN npm ci\n`, ...NPM },
    ],
    [
      "copy from another stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS build\nCOPY package*.json ./\nRUN npm ci\nFROM node:20.20.2-bookworm-slim\nCOPY --from=build /app .\nRUN npm ci --omit=dev\n`,
        ...NPM,
      },
    ],
    ["no install", { Dockerfile: `${FROM}COPY . .\nRUN npm run build\n`, ...NPM }],
    [
      "pip install of a named package is not a manifest install",
      { Dockerfile: `${PY}COPY . .\nRUN pip install gunicorn==23.0.0\n` },
    ],
    ["pip install . needs the source", { Dockerfile: `${PY}COPY . .\nRUN pip install --no-cache-dir .\n` }],
    ["global tool", { Dockerfile: `${FROM}COPY . .\nRUN npm install -g serve@14.2.4\n`, ...NPM }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says what to copy first", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}COPY . .\nRUN npm install\n`, ...NPM })[0]?.message).toBe(
      "`COPY . .` comes before `npm install` (line 4), so every source change reinstalls all dependencies: copy `package.json package-lock.json` first, install, then copy the source",
    );
  });
});
