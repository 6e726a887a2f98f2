import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1004-image-not-digest-pinned.js";

const DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("SS1004 image-not-digest-pinned", () => {
  it.each([
    ["exact tag", { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" }, ["Dockerfile:1"]],
    [
      "every stage",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS build\nFROM node:20.20.2-bookworm-slim@${DIGEST}\n` },
      ["Dockerfile:1"],
    ],
    [
      "compose pulled image",
      { "compose.yaml": "services:\n  db:\n    image: postgres:15.18-bookworm\n" },
      ["compose.yaml:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["digest", { Dockerfile: `FROM node:20.20.2-bookworm-slim@${DIGEST}\n` }],
    ["scratch", { Dockerfile: "FROM scratch\n" }],
    ["stage reference", { Dockerfile: `FROM node:20.20.2-bookworm-slim@${DIGEST} AS base\nFROM base\n` }],
    ["built compose service", { "compose.yaml": "services:\n  api:\n    build: .\n    image: api:local\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("points at shipshape pin", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" })[0]?.message).toBe(
      "`node:20.20.2-bookworm-slim` has no digest, so a re-pushed tag changes what is pulled: `shipshape pin` adds it",
    );
  });
});
