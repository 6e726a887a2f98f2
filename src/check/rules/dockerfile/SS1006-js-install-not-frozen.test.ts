import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1006-js-install-not-frozen.js";

const NPM = { "package.json": '{ "name": "app" }\n', "package-lock.json": "{}\n" };
const YARN = { "package.json": '{ "name": "app" }\n', "yarn.lock": "\n" };
const PNPM = { "package.json": '{ "name": "app" }\n', "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" };
const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\n";

describe("SS1006 js-install-not-frozen", () => {
  it.each([
    ["npm install", { Dockerfile: `${FROM}RUN npm install\n`, ...NPM }, ["Dockerfile:4"]],
    [
      "npm i in a build stage",
      {
        Dockerfile: `${FROM.replace("slim", "slim AS build")}RUN npm i\nFROM node:20.20.2-bookworm-slim\n`,
        ...NPM,
      },
      ["Dockerfile:4"],
    ],
    [
      "multi-line RUN: the physical line",
      { Dockerfile: `${FROM}RUN apt-get update \\\n && npm install \\\n && npm run build\n`, ...NPM },
      ["Dockerfile:5"],
    ],
    ["heredoc", { Dockerfile: `${FROM}RUN <<EOF\nset -e\nnpm install\nEOF\n`, ...NPM }, ["Dockerfile:6"]],
    ["exec-form RUN", { Dockerfile: `${FROM}RUN ["npm", "install"]\n`, ...NPM }, ["Dockerfile:4"]],
    ["yarn", { Dockerfile: `${FROM}RUN yarn\n`, ...YARN }, ["Dockerfile:4"]],
    ["yarn install", { Dockerfile: `${FROM}RUN yarn install --production\n`, ...YARN }, ["Dockerfile:4"]],
    ["pnpm install", { Dockerfile: `${FROM}RUN pnpm install\n`, ...PNPM }, ["Dockerfile:4"]],
    [
      "no lockfile at all",
      { Dockerfile: `${FROM}RUN npm install\n`, "package.json": "{}\n" },
      ["Dockerfile:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["npm ci", { Dockerfile: `${FROM}RUN npm ci\n`, ...NPM }],
    ["npm install <pkg>", { Dockerfile: `${FROM}RUN npm install express\n`, ...NPM }],
    ["global tool", { Dockerfile: `${FROM}RUN npm install -g pnpm@9.15.0\n`, ...NPM }],
    ["yarn --frozen-lockfile", { Dockerfile: `${FROM}RUN yarn install --frozen-lockfile\n`, ...YARN }],
    ["yarn --immutable", { Dockerfile: `${FROM}RUN yarn install --immutable\n`, ...YARN }],
    ["yarn add is not an install", { Dockerfile: `${FROM}RUN yarn add express\n`, ...YARN }],
    ["pnpm --frozen-lockfile", { Dockerfile: `${FROM}RUN pnpm install --frozen-lockfile --prod\n`, ...PNPM }],
    ["commented out", { Dockerfile: `${FROM}# RUN npm install\n`, ...NPM }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("fixes npm install to npm ci, --production to --omit=dev", () => {
    const files = {
      Dockerfile: `${FROM}RUN npm install --production \\\n    --no-audit && npm cache clean --force\n`,
      ...NPM,
    };
    expect(fixedBy(rule, files).Dockerfile).toBe(
      `${FROM}RUN npm ci --omit=dev \\\n    --no-audit && npm cache clean --force\n`,
    );
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`npm install` resolves versions again instead of installing `package-lock.json` exactly: use `npm ci --omit=dev`",
    );
  });

  it("fixes npm i on the physical line, CRLF kept", () => {
    const files = {
      Dockerfile: "FROM node:20.20.2-bookworm-slim\r\nRUN apt-get update && \\\r\n  npm i\r\n",
      ...NPM,
    };
    expect(fixedBy(rule, files).Dockerfile).toBe(
      "FROM node:20.20.2-bookworm-slim\r\nRUN apt-get update && \\\r\n  npm ci\r\n",
    );
  });

  it("adds --frozen-lockfile for yarn 1, --immutable with .yarnrc.yml", () => {
    expect(fixedBy(rule, { Dockerfile: `${FROM}RUN yarn\n`, ...YARN }).Dockerfile).toBe(
      `${FROM}RUN yarn --frozen-lockfile\n`,
    );
    expect(
      fixedBy(rule, {
        Dockerfile: `${FROM}RUN yarn install\n`,
        ...YARN,
        ".yarnrc.yml": "nodeLinker: node-modules\n",
      }).Dockerfile,
    ).toBe(`${FROM}RUN yarn install --immutable\n`);
  });

  it("adds --frozen-lockfile for pnpm", () => {
    expect(
      fixedBy(rule, { Dockerfile: `${FROM}RUN corepack enable && pnpm install --prod\n`, ...PNPM })
        .Dockerfile,
    ).toBe(`${FROM}RUN corepack enable && pnpm install --frozen-lockfile --prod\n`);
  });

  it("does not switch to npm ci without a lockfile (it would fail)", () => {
    const files = { Dockerfile: `${FROM}RUN npm install\n`, "package.json": "{}\n" };
    expect(findingsOf(rule, files)[0]?.fix).toBeUndefined();
    expect(findingsOf(rule, files)[0]?.message).toContain("commit a `package-lock.json`");
  });

  it("fixed output is clean", () => {
    const files = { Dockerfile: `${FROM}RUN npm install\n`, ...NPM };
    expect(findingsOf(rule, { ...files, ...fixedBy(rule, files) })).toEqual([]);
  });
});
