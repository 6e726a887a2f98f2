import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1208-dev-dependencies-shipped.js";

const PKG = {
  "package.json": JSON.stringify({ name: "app", devDependencies: { typescript: "^5.7.2" } }),
  "package-lock.json": "{}\n",
};
const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package*.json ./\n";

describe("SS1208 dev-dependencies-shipped", () => {
  it.each([
    ["npm ci", { Dockerfile: `${FROM}RUN npm ci\n`, ...PKG }, ["Dockerfile:4"]],
    ["npm install", { Dockerfile: `${FROM}RUN npm install\n`, ...PKG }, ["Dockerfile:4"]],
    [
      "NODE_ENV set after the install",
      { Dockerfile: `${FROM}RUN npm ci\nENV NODE_ENV=production\n`, ...PKG },
      ["Dockerfile:4"],
    ],
    ["yarn", { Dockerfile: `${FROM}RUN yarn install --frozen-lockfile\n`, ...PKG }, ["Dockerfile:4"]],
    ["pnpm", { Dockerfile: `${FROM}RUN pnpm install --frozen-lockfile\n`, ...PKG }, ["Dockerfile:4"]],
    ["multi-line", { Dockerfile: `${FROM}RUN set -eux; \\\n  npm ci\n`, ...PKG }, ["Dockerfile:5"]],
    [
      "pruned only in a build stage that is not shipped",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nRUN npm prune --omit=dev\n${FROM}RUN npm ci\n`,
        ...PKG,
      },
      ["Dockerfile:6"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["--omit=dev", { Dockerfile: `${FROM}RUN npm ci --omit=dev\n`, ...PKG }],
    ["--production", { Dockerfile: `${FROM}RUN npm install --production\n`, ...PKG }],
    [
      "ENV NODE_ENV before",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim\nENV NODE_ENV=production\nRUN npm ci\n`, ...PKG },
    ],
    ["inline NODE_ENV", { Dockerfile: `${FROM}RUN NODE_ENV=production npm ci\n`, ...PKG }],
    ["pruned later", { Dockerfile: `${FROM}RUN npm ci && npm run build && npm prune --omit=dev\n`, ...PKG }],
    ["yarn --production", { Dockerfile: `${FROM}RUN yarn install --frozen-lockfile --production\n`, ...PKG }],
    ["pnpm --prod", { Dockerfile: `${FROM}RUN pnpm install --frozen-lockfile --prod\n`, ...PKG }],
    [
      "build stage",
      {
        Dockerfile: `${FROM.replace("slim", "slim AS build")}RUN npm ci\nFROM node:20.20.2-bookworm-slim\n`,
        ...PKG,
      },
    ],
    ["no devDependencies", { Dockerfile: `${FROM}RUN npm ci\n`, "package.json": '{ "name": "app" }' }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the dev dependencies", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}RUN npm ci\n`, ...PKG })[0]?.message).toBe(
      "`npm ci` in the stage that ships also installs devDependencies (`typescript`): use `--omit=dev` here, or install them in a build stage and `npm prune --omit=dev` there",
    );
  });
});
