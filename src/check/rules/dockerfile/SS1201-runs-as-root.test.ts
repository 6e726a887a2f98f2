import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1201-runs-as-root.js";

describe("SS1201 runs-as-root", () => {
  it.each([
    ["no USER", { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\n' }, ["Dockerfile:1"]],
    [
      "USER root last",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nRUN id\nUSER root\nCMD ["node", "s.js"]\n' },
      ["Dockerfile:4"],
    ],
    [
      "USER 0:0",
      { Dockerfile: 'FROM python:3.11.14-slim-bookworm\nUSER 0:0\nCMD ["python", "s.py"]\n' },
      ["Dockerfile:2"],
    ],
    [
      "USER only in a build stage",
      {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS build\nUSER node\nFROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\n',
      },
      ["Dockerfile:3"],
    ],
    [
      "inherited USER root from the parent stage",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim AS base\nUSER root\nFROM base\nCMD ["node", "s.js"]\n' },
      ["Dockerfile:2"],
    ],
    [
      "ARG base with a default",
      { Dockerfile: "ARG BASE=node:20.20.2-bookworm-slim\nFROM ${BASE}\n" },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["USER node", { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "s.js"]\n' }],
    [
      "inherited from the parent stage",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim AS base\nUSER node\nFROM base\nCMD ["node", "s.js"]\n' },
    ],
    ["numeric uid", { Dockerfile: 'FROM debian:12.12-slim\nUSER 10001:10001\nCMD ["app"]\n' }],
    [
      "distroless nonroot tag",
      { Dockerfile: 'FROM gcr.io/distroless/nodejs20-debian12:nonroot\nCMD ["s.js"]\n' },
    ],
    ["unknown base (it may set its own USER)", { Dockerfile: 'ARG BASE\nFROM ${BASE}\nCMD ["app"]\n' }],
    ["chainguard", { Dockerfile: 'FROM cgr.dev/chainguard/node:latest\nCMD ["s.js"]\n' }],
    [
      "root only in the build stage",
      {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS b\nUSER root\nFROM node:20.20.2-bookworm-slim\nUSER node\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("node: USER node before CMD (and its comments)", () => {
    const files = {
      Dockerfile: 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\n# start\nCMD ["node", "s.js"]\n',
    };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(
      'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER node\n# start\nCMD ["node", "s.js"]\n',
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("after an explicit USER root", () => {
    const files = {
      Dockerfile: 'FROM node:20.20.2-bookworm-slim\nUSER root\nRUN id\nCMD ["node", "s.js"]\n',
    };
    expect(fixedBy(rule, files).Dockerfile).toBe(
      'FROM node:20.20.2-bookworm-slim\nUSER root\nRUN id\nUSER node\nCMD ["node", "s.js"]\n',
    );
  });

  it("Debian-based: creates a user; end of file without CMD", () => {
    const files = { Dockerfile: "FROM python:3.11.14-slim-bookworm\r\nCOPY app.py /app/\r\n" };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(
      "FROM python:3.11.14-slim-bookworm\r\nCOPY app.py /app/\r\nRUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app\r\nUSER app\r\n",
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("alpine and distroless", () => {
    expect(fixedBy(rule, { Dockerfile: 'FROM python:3.12.8-alpine3.21\nCMD ["python"]\n' }).Dockerfile).toBe(
      'FROM python:3.12.8-alpine3.21\nRUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app\nUSER app\nCMD ["python"]\n',
    );
    expect(
      fixedBy(rule, { Dockerfile: 'FROM gcr.io/distroless/nodejs20-debian12\nCMD ["s.js"]\n' }).Dockerfile,
    ).toBe('FROM gcr.io/distroless/nodejs20-debian12\nUSER nonroot\nCMD ["s.js"]\n');
  });

  it("no fix for an unknown base; CMD followed by RUN inserts at the end", () => {
    expect(
      findingsOf(rule, { Dockerfile: 'FROM nginx:1.28.0-bookworm\nCMD ["nginx"]\n' })[0]?.fix,
    ).toBeUndefined();
    expect(
      fixedBy(rule, { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\nRUN id' })
        .Dockerfile,
    ).toBe('FROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\nRUN id\nUSER node\n');
  });

  it("message", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM node:latest\n" })[0]?.message).toBe(
      "No `USER` in the final stage (`node:latest`), so the app runs as root: add an unprivileged `USER` before `CMD`",
    );
  });
});
