import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1206-build-tools-in-runtime.js";

describe("SS1206 build-tools-in-runtime", () => {
  it.each([
    ["full node image", { Dockerfile: 'FROM node:20\nCMD ["node", "s.js"]\n' }, ["Dockerfile:1"]],
    ["node:latest", { Dockerfile: "FROM node:latest\n" }, ["Dockerfile:1"]],
    ["python", { Dockerfile: "FROM python:3.12\n" }, ["Dockerfile:1"]],
    [
      "through a parent stage",
      { Dockerfile: "FROM python:3.12.8-bookworm AS base\nFROM base\n" },
      ["Dockerfile:1"],
    ],
    [
      "compilers installed in the shipped stage",
      {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends build-essential \\\n && rm -rf /var/lib/apt/lists/*\n",
      },
      ["Dockerfile:3"],
    ],
    [
      "apk",
      { Dockerfile: "FROM node:20.20.2-alpine3.21\nRUN apk add --no-cache gcc g++ make python3\n" },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["slim", { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" }],
    [
      "full image only for building",
      { Dockerfile: "FROM node:20 AS build\nRUN npm ci\nFROM node:20.20.2-bookworm-slim\n" },
    ],
    [
      "compilers in a build stage",
      { Dockerfile: "FROM debian:12.12-slim AS b\nRUN apt-get install -y gcc\nFROM debian:12.12-slim\n" },
    ],
    [
      "removed in the same RUN",
      {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nRUN apt-get install -y gcc && pip install --no-cache-dir x==1 && apt-get purge -y gcc\n",
      },
    ],
    [
      "apk virtual removed",
      {
        Dockerfile:
          "FROM python:3.12.8-alpine3.21\nRUN apk add --no-cache --virtual .build gcc musl-dev && pip install x==1 && apk del .build\n",
      },
    ],
    ["distroless", { Dockerfile: "FROM gcr.io/distroless/nodejs20-debian12\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("suggests a slim tag", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM node:latest\n" })[0]?.message).toBe(
      "`node:latest` is the full image, so gcc, make, git and headers ship with the app: build in a separate stage and run from `node:20.20.2-bookworm-slim`",
    );
    expect(findingsOf(rule, { Dockerfile: "FROM python:3.12\n" })[0]?.message).toContain(
      "`python:3.12-slim-bookworm`",
    );
    expect(findingsOf(rule, { Dockerfile: "FROM node:20\n" })[0]?.message).toContain(
      "`node:20.20.2-bookworm-slim`",
    );
    expect(findingsOf(rule, { Dockerfile: "FROM node:20.11.1-bookworm\n" })[0]?.message).toContain(
      "`node:20.11.1-bookworm-slim`",
    );
  });
});
