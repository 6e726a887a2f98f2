import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1001-image-tag-floating.js";

describe("SS1001 image-tag-floating", () => {
  it.each([
    ["latest", { Dockerfile: "FROM node:latest\n" }, ["Dockerfile:1"]],
    ["no tag", { Dockerfile: "FROM python\n" }, ["Dockerfile:1"]],
    ["word tag", { Dockerfile: "FROM node:lts-alpine\n" }, ["Dockerfile:1"]],
    ["ARG default resolved", { Dockerfile: "ARG BASE=node:latest\nFROM ${BASE}\n" }, ["Dockerfile:2"]],
    [
      "build stage too",
      { Dockerfile: "FROM node AS build\nFROM node:20.20.2-bookworm-slim\n" },
      ["Dockerfile:1"],
    ],
    ["compose image", { "compose.yaml": "services:\n  db:\n    image: postgres\n" }, ["compose.yaml:3"]],
    [
      "comment line inside a continued FROM",
      { Dockerfile: "FROM --platform=linux/amd64 \\\n  # the base\n  node:latest AS app\n" },
      ["Dockerfile:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["exact tag", { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" }],
    [
      "digest",
      { Dockerfile: "FROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" },
    ],
    ["stage reference", { Dockerfile: "FROM node:20.20.2-bookworm-slim AS base\nFROM base\n" }],
    ["scratch", { Dockerfile: "FROM scratch\n" }],
    [
      "comment line inside a continued FROM of an exact tag",
      { Dockerfile: "FROM \\\n# pinned below\n  node:20.20.2-bookworm-slim\n" },
    ],
    ["unknown ARG", { Dockerfile: "ARG BASE\nFROM ${BASE}\n" }],
    ["compose service that builds", { "compose.yaml": "services:\n  api:\n    build: .\n    image: api\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("suggests an exact tag in the message", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM node:latest\n" })[0]?.message).toBe(
      "`node:latest` moves with every release: pin `node:20.20.2-bookworm-slim`",
    );
  });
});
