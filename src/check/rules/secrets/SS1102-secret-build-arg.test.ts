import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1102-secret-build-arg.js";

describe("SS1102 secret-build-arg", () => {
  it.each([
    [
      "ARG read by npm through .npmrc",
      { Dockerfile: "FROM node:20\nARG NPM_TOKEN\nCOPY .npmrc package.json ./\nRUN npm ci\n" },
      ["Dockerfile:2"],
    ],
    [
      "in a build stage",
      {
        Dockerfile:
          "FROM node:20 AS build\nARG GITHUB_TOKEN\nRUN git clone https://${GITHUB_TOKEN}@github.com/o/r\nFROM node:20\n",
      },
      ["Dockerfile:2"],
    ],
    [
      "global ARG declared again in the stage",
      { Dockerfile: "ARG NPM_TOKEN\nFROM node:20\nARG NPM_TOKEN\nRUN npm ci\n" },
      ["Dockerfile:3"],
    ],
    [
      "copied into ENV",
      { Dockerfile: "FROM node:20\nARG API_KEY\nENV API_KEY=$API_KEY\n" },
      ["Dockerfile:2"],
    ],
    [
      "placeholder default",
      { Dockerfile: "FROM node:20\nARG NPM_TOKEN=changeme\nRUN npm ci\n" },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["not a secret name", { Dockerfile: "FROM node:20\nARG NODE_VERSION\nRUN echo $NODE_VERSION\n" }],
    ["no RUN after it", { Dockerfile: 'FROM node:20\nRUN npm ci\nARG NPM_TOKEN\nCMD ["node", "a.js"]\n' }],
    [
      "a literal secret default is SS1101's",
      { Dockerfile: "FROM node:20\nARG NPM_TOKEN=npm_EXAMPLEexampleEXAMPLEexample01234567\nRUN npm ci\n" },
    ],
    [
      "a global literal default the stage inherits is SS1101's",
      {
        Dockerfile:
          "ARG NPM_TOKEN=npm_EXAMPLEexampleEXAMPLEexample01234567\nFROM node:20\nARG NPM_TOKEN\nRUN npm ci\n",
      },
    ],
    ["global ARG only used by FROM", { Dockerfile: "ARG REGISTRY_TOKEN\nFROM node:20\nRUN npm ci\n" }],
    ["a file reference", { Dockerfile: "FROM node:20\nARG NPM_TOKEN_FILE\nRUN npm ci\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the RUN and the secret mount", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: "FROM node:20\nARG NPM_TOKEN\nCOPY .npmrc package.json ./\nRUN npm ci\n",
    });
    expect(finding?.message).toBe(
      "`ARG NPM_TOKEN` reaches `RUN` at line 4: build arguments are recorded in the image history; use `RUN --mount=type=secret,id=npm_token` instead",
    );
  });
});
