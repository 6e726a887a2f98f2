import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1209-node-env-not-production.js";

describe("SS1209 node-env-not-production", () => {
  it.each([
    [
      "node base",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\n' },
      ["Dockerfile:1"],
    ],
    [
      "set only in the build stage",
      {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS b\nENV NODE_ENV=production\nFROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\n',
      },
      ["Dockerfile:3"],
    ],
    [
      "development",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nENV NODE_ENV=development\nCMD ["node", "s.js"]\n' },
      ["Dockerfile:2"],
    ],
    [
      "other base, node command and package.json",
      { Dockerfile: 'FROM debian:12.12-slim\nCMD ["node", "s.js"]\n', "package.json": "{}" },
      ["Dockerfile:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "set",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nENV NODE_ENV=production\nCMD ["node", "s.js"]\n' },
    ],
    [
      "inherited",
      { Dockerfile: "FROM node:20.20.2-bookworm-slim AS base\nENV NODE_ENV=production\nFROM base\n" },
    ],
    [
      "from an ARG",
      { Dockerfile: "FROM node:20.20.2-bookworm-slim\nARG NODE_ENV=production\nENV NODE_ENV=$NODE_ENV\n" },
    ],
    ["not a node image", { Dockerfile: 'FROM nginx:1.28.0-bookworm\nCMD ["nginx", "-g", "daemon off;"]\n' }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("inserts ENV before CMD, after the installs", () => {
    const files = {
      Dockerfile:
        'FROM node:20.20.2-bookworm-slim\nCOPY . .\nRUN npm ci && npm run build\nUSER node\nCMD ["node", "s.js"]\n',
    };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(
      'FROM node:20.20.2-bookworm-slim\nCOPY . .\nRUN npm ci && npm run build\nUSER node\nENV NODE_ENV=production\nCMD ["node", "s.js"]\n',
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "The image does not set `NODE_ENV=production`, so under a plain `docker run` Node libraries run in development mode: add `ENV NODE_ENV=production` before `CMD`",
    );
  });

  it("appends when there is no CMD, overriding a development value", () => {
    const files = { Dockerfile: "FROM node:20.20.2-bookworm-slim\nENV NODE_ENV=development" };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(
      "FROM node:20.20.2-bookworm-slim\nENV NODE_ENV=development\nENV NODE_ENV=production\n",
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });
});
