import { describe, expect, it } from "vitest";
import { findingsOf } from "../testing.js";
import { rule } from "./SS1018-image-from-untrusted-registry.js";

const config = { trustedRegistries: ["docker.io/library", "ghcr.io/acme"] };
const lines = (files: Record<string, string>) =>
  findingsOf(rule, files, config).map((finding) => `${finding.location.file}:${finding.location.line}`);

describe("SS1018 image-from-untrusted-registry", () => {
  it.each([
    ["another registry", { Dockerfile: "FROM quay.io/someone/node:20.20.2\n" }, ["Dockerfile:1"]],
    ["a Docker Hub user image", { Dockerfile: "FROM someone/node:20.20.2\n" }, ["Dockerfile:1"]],
    ["another org on a trusted host", { Dockerfile: "FROM ghcr.io/other/api:1.2.3\n" }, ["Dockerfile:1"]],
    [
      "a compose image",
      { "compose.yaml": "services:\n  cache:\n    image: bitnami/redis:7.4.1\n" },
      ["compose.yaml:3"],
    ],
    [
      "a build stage too",
      { Dockerfile: "FROM quay.io/x/builder:1.0.0 AS build\nFROM node:20.20.2-bookworm-slim\n" },
      ["Dockerfile:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(lines(files)).toEqual(expected);
  });

  it.each([
    ["an official image", { Dockerfile: "FROM node:20.20.2-bookworm-slim\n" }],
    ["an explicit docker.io official image", { Dockerfile: "FROM docker.io/library/python:3.12.3-slim\n" }],
    ["the trusted org", { Dockerfile: "FROM ghcr.io/acme/base:1.0.0\n" }],
    [
      "a stage reference and scratch",
      { Dockerfile: "FROM node:20.20.2-bookworm-slim AS b\nFROM b\nFROM scratch\n" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(lines(files)).toEqual([]);
  });

  it("does nothing when no registries are listed", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM quay.io/someone/node:20.20.2\n" })).toEqual([]);
  });

  it("names the registry and the list in the message", () => {
    expect(findingsOf(rule, { Dockerfile: "FROM quay.io/someone/node:20.20.2\n" }, config)[0]?.message).toBe(
      "`quay.io/someone/node:20.20.2` comes from `quay.io/someone`, which `trustedRegistries` does not list (`docker.io/library`, `ghcr.io/acme`)",
    );
  });
});
