import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1007-lockfile-not-in-stage.js";

const NPM = { "package.json": '{ "name": "app" }\n', "package-lock.json": "{}\n" };
const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\n";

describe("SS1007 lockfile-not-in-stage", () => {
  it.each([
    [
      "lockfile excluded by .dockerignore: at the .dockerignore line",
      {
        Dockerfile: `${FROM}COPY package*.json ./\nRUN npm ci --omit=dev\n`,
        ".dockerignore": "# deps\nnode_modules\npackage-lock.json\n",
        ...NPM,
      },
      [".dockerignore:3"],
    ],
    [
      "excluded by a wildcard",
      {
        Dockerfile: `${FROM}COPY . .\nRUN npm install\n`,
        ".dockerignore": "*.json\n!package.json\n",
        ...NPM,
      },
      [".dockerignore:1"],
    ],
    [
      "only package.json copied",
      { Dockerfile: `${FROM}COPY package.json ./\nRUN npm ci\n`, ...NPM },
      ["Dockerfile:4"],
    ],
    [
      "copied in another stage only",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS deps\nCOPY package.json package-lock.json ./\nFROM node:20.20.2-bookworm-slim\nCOPY package.json ./\nRUN npm ci\n`,
        ...NPM,
      },
      ["Dockerfile:5"],
    ],
    [
      "copied after the install",
      { Dockerfile: `${FROM}COPY package.json ./\nRUN npm ci\nCOPY . .\n`, ...NPM },
      ["Dockerfile:4"],
    ],
    [
      "npm ci with no lockfile in the project",
      { Dockerfile: `${FROM}COPY package.json ./\nRUN npm ci\n`, "package.json": "{}\n" },
      ["Dockerfile:4"],
    ],
    [
      "yarn lockfile not copied",
      {
        Dockerfile: `${FROM}COPY package.json ./\nRUN yarn install --frozen-lockfile\n`,
        "package.json": "{}\n",
        "yarn.lock": "\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "multi-line RUN: the install's line",
      { Dockerfile: `${FROM}COPY package.json ./\nRUN set -eux; \\\n  npm ci\n`, ...NPM },
      ["Dockerfile:5"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["explicit copy", { Dockerfile: `${FROM}COPY package.json package-lock.json ./\nRUN npm ci\n`, ...NPM }],
    ["glob", { Dockerfile: `${FROM}COPY package*.json ./\nRUN npm ci\n`, ...NPM }],
    ["COPY . .", { Dockerfile: `${FROM}COPY . .\nRUN npm ci\n`, ...NPM }],
    [
      "a monorepo: workspace manifests copied into their own directories after the root's",
      {
        Dockerfile: `${FROM}COPY package.json package-lock.json ./\nCOPY apps/api/package.json ./apps/api/\nCOPY apps/web/package.json ./apps/web/\nRUN npm ci\n`,
        ...NPM,
        "apps/api/package.json": '{ "name": "api" }\n',
        "apps/web/package.json": '{ "name": "web" }\n',
      },
    ],
    [
      "copied in the parent stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS base\nCOPY package.json package-lock.json ./\nFROM base\nRUN npm ci\n`,
        ...NPM,
      },
    ],
    [
      "bind mount",
      {
        Dockerfile: `${FROM}RUN --mount=type=bind,source=package.json,target=package.json --mount=type=bind,source=package-lock.json,target=package-lock.json npm ci\n`,
        ...NPM,
      },
    ],
    [
      "from another stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS deps\nCOPY package.json package-lock.json ./\nFROM node:20.20.2-bookworm-slim\nCOPY --from=deps /app/package.json /app/package-lock.json ./\nRUN npm ci\n`,
        ...NPM,
      },
    ],
    [
      "subdirectory package",
      {
        Dockerfile: `${FROM}COPY web/package.json web/package-lock.json ./\nRUN npm ci\n`,
        "web/package.json": "{}\n",
        "web/package-lock.json": "{}\n",
      },
    ],
    [
      "npm install without any lockfile (SS1006's)",
      { Dockerfile: `${FROM}COPY package.json ./\nRUN npm install\n`, "package.json": "{}\n" },
    ],
    [
      "negated .dockerignore keeps it",
      { Dockerfile: `${FROM}COPY . .\nRUN npm ci\n`, ".dockerignore": "*.json\n!package*.json\n", ...NPM },
    ],
    ["global install", { Dockerfile: `${FROM}RUN npm install -g serve@14.2.4\n`, ...NPM }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the install in the .dockerignore message", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${FROM}COPY package*.json ./\nRUN npm ci --omit=dev\n`,
      ".dockerignore": "node_modules\npackage-lock.json\n",
      ...NPM,
    });
    expect(finding?.message).toBe(
      "This line keeps `package-lock.json` out of the build context, so `npm ci --omit=dev` at Dockerfile:4 runs without it, which fails the build: remove the line",
    );
    expect(finding?.related?.[0]).toMatchObject({ file: "Dockerfile", line: 4 });
  });

  it("explains npm ci without any lockfile", () => {
    expect(
      findingsOf(rule, { Dockerfile: `${FROM}COPY package.json ./\nRUN npm ci\n`, "package.json": "{}\n" })[0]
        ?.message,
    ).toBe(
      "`npm ci` needs `package-lock.json`, and there is none beside `package.json`: run `npm install` and commit the lockfile",
    );
  });
});
