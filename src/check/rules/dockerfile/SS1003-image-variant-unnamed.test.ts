import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1003-image-variant-unnamed.js";

describe("SS1003 image-variant-unnamed", () => {
  it.each([
    ["node exact, no variant", { Dockerfile: "FROM node:20.11.1\n" }, ["Dockerfile:1"]],
    [
      "python",
      { Dockerfile: "FROM python:3.11.14 AS build\nFROM python:3.11.14-slim-bookworm\n" },
      ["Dockerfile:1"],
    ],
    [
      "postgres in compose",
      { "compose.yaml": "services:\n  db:\n    image: postgres:15.18\n" },
      ["compose.yaml:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["variant named", { Dockerfile: "FROM node:20.11.1-bookworm-slim\n" }],
    ["alpine variant", { Dockerfile: "FROM node:20.11.1-alpine3.19\n" }],
    ["not exact (SS1002's)", { Dockerfile: "FROM node:20\n" }],
    [
      "digest",
      {
        Dockerfile:
          "FROM node:20.11.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
      },
    ],
    ["image without OS variants", { Dockerfile: "FROM alpine:3.20.3\n" }],
    ["other registry", { Dockerfile: "FROM ghcr.io/acme/node:20.11.1\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("suggests the current variant", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM node:20.11.1\n" })[0]?.message).toBe(
      "`node:20.11.1` names no OS variant, so its OS changes when the image's default does: name one, such as `node:20.11.1-bookworm-slim`",
    );
  });
});
