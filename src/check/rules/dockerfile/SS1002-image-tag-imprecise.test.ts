import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1002-image-tag-imprecise.js";

describe("SS1002 image-tag-imprecise", () => {
  it.each([
    ["major only", { Dockerfile: "FROM node:22\n" }, ["Dockerfile:1"]],
    ["major.minor with variant", { Dockerfile: "FROM python:3.12-slim\n" }, ["Dockerfile:1"]],
    ["major with OS variant", { Dockerfile: "FROM postgres:15-bookworm\n" }, ["Dockerfile:1"]],
    [
      "build stage too",
      { Dockerfile: "FROM node:22 AS build\nFROM node:20.20.2-bookworm-slim\n" },
      ["Dockerfile:1"],
    ],
    ["ARG default resolved", { Dockerfile: "ARG NODE=22\nFROM node:${NODE}-alpine\n" }, ["Dockerfile:2"]],
    [
      "compose image",
      { "compose.yaml": "services:\n  db:\n    image: postgres:15-bookworm\n" },
      ["compose.yaml:3"],
    ],
    ["postgres 9 needs three numbers", { Dockerfile: "FROM postgres:9.6\n" }, ["Dockerfile:1"]],
    ["CRLF", { Dockerfile: "FROM node:22\r\nCMD node x\r\n" }, ["Dockerfile:1"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["exact", { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" }],
    ["postgres two-number release", { Dockerfile: "FROM postgres:15.18-bookworm\n" }],
    ["debian point release", { Dockerfile: "FROM debian:12.12-slim\n" }],
    [
      "digest",
      {
        Dockerfile: "FROM node:22@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
      },
    ],
    ["latest is SS1001's", { Dockerfile: "FROM node:latest\n" }],
    ["stage reference", { Dockerfile: "FROM node:20.20.2-bookworm-slim AS base\nFROM base\n" }],
    [
      "compose service that builds",
      { "compose.yaml": "services:\n  api:\n    build: .\n    image: api:1\n" },
    ],
    ["unknown ARG", { Dockerfile: "ARG TAG\nFROM node:${TAG}\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("suggests an exact tag in the same line", () => {
    expect(
      findingsOf(rule, { "compose.yaml": "services:\n  db:\n    image: postgres:15-bookworm\n" })[0]?.message,
    ).toBe(
      "`postgres:15-bookworm` names only major version 15, so it moves to every new 15.x release: pin `postgres:15.18-bookworm`",
    );
    // 3.12 must not be "pinned" to a 3.11 release.
    expect(findingsOf(rule, { Dockerfile: "FROM python:3.12-slim\n" })[0]?.message).toBe(
      "`python:3.12-slim` names no patch version, so it moves to every new 3.12.x release: pin the exact version",
    );
  });
});
