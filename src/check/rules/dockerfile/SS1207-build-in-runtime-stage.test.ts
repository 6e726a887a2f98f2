import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1207-build-in-runtime-stage.js";

const FROM = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\n";

describe("SS1207 build-in-runtime-stage", () => {
  it.each([
    ["npm run build", { Dockerfile: `${FROM}RUN npm run build\n` }, ["Dockerfile:4"]],
    ["yarn build", { Dockerfile: `${FROM}RUN yarn build\n` }, ["Dockerfile:4"]],
    ["pnpm run build:prod", { Dockerfile: `${FROM}RUN pnpm run build:prod\n` }, ["Dockerfile:4"]],
    ["tsc", { Dockerfile: `${FROM}RUN npx tsc -p .\n` }, ["Dockerfile:4"]],
    ["vite build", { Dockerfile: `${FROM}RUN npx vite build\n` }, ["Dockerfile:4"]],
    ["next build", { Dockerfile: `${FROM}RUN next build\n` }, ["Dockerfile:4"]],
    ["node_modules/.bin/tsc", { Dockerfile: `${FROM}RUN node_modules/.bin/tsc\n` }, ["Dockerfile:4"]],
    [
      "node_modules/.bin/vite build",
      { Dockerfile: `${FROM}RUN node_modules/.bin/vite build --outDir www\n` },
      ["Dockerfile:4"],
    ],
    ["webpack", { Dockerfile: `${FROM}RUN webpack --mode production\n` }, ["Dockerfile:4"]],
    [
      "physical line",
      { Dockerfile: `${FROM}RUN npm ci \\\n && npm run build \\\n && npm prune --omit=dev\n` },
      ["Dockerfile:5"],
    ],
    [
      "in the shipped parent stage",
      { Dockerfile: `${FROM.replace("slim", "slim AS base")}RUN npm run build\nFROM base\n` },
      ["Dockerfile:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "build stage",
      {
        Dockerfile: `${FROM.replace("slim", "slim AS build")}RUN npm run build\nFROM node:20.20.2-bookworm-slim\n`,
      },
    ],
    ["other scripts", { Dockerfile: `${FROM}RUN npm run lint && npm test\n` }],
    [
      "node_modules/.bin/tsc in a build stage (what init writes)",
      {
        Dockerfile: `${FROM.replace("slim", "slim AS build")}RUN node_modules/.bin/tsc\nFROM node:20.20.2-bookworm-slim\nCOPY --from=build /app/dist ./dist\n`,
      },
    ],
    ["npm ci", { Dockerfile: `${FROM}RUN npm ci --omit=dev\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("message", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}RUN npm run build\n` })[0]?.message).toBe(
      "`npm run build` runs in the stage that ships, so the sources, compiler and dev dependencies stay in the image: build in a separate stage and copy only the output",
    );
  });
});
