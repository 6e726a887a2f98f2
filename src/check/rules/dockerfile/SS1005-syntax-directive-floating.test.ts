import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1005-syntax-directive-floating.js";

const FROM = "FROM node:20.20.2-bookworm-slim\n";

describe("SS1005 syntax-directive-floating", () => {
  it.each([
    ["latest", { Dockerfile: `# syntax=docker/dockerfile:latest\n${FROM}` }, ["Dockerfile:1"]],
    ["no tag", { Dockerfile: `# syntax=docker/dockerfile\n${FROM}` }, ["Dockerfile:1"]],
    ["branch-like", { Dockerfile: `# syntax=docker/dockerfile:labs\n${FROM}` }, ["Dockerfile:1"]],
    ["master", { Dockerfile: `#syntax=docker/dockerfile:master\n${FROM}` }, ["Dockerfile:1"]],
    [
      "after escape directive",
      { Dockerfile: `# escape=\\\n# syntax=docker/dockerfile\n${FROM}` },
      ["Dockerfile:2"],
    ],
    ["CRLF", { Dockerfile: `# syntax=docker/dockerfile:latest\r\n${FROM}` }, ["Dockerfile:1"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["channel 1", { Dockerfile: `# syntax=docker/dockerfile:1\n${FROM}` }],
    ["1.7", { Dockerfile: `# syntax=docker/dockerfile:1.7\n${FROM}` }],
    ["1.7-labs", { Dockerfile: `# syntax=docker/dockerfile:1.7-labs\n${FROM}` }],
    ["registry and exact", { Dockerfile: `# syntax=docker.io/docker/dockerfile:1.7.0\n${FROM}` }],
    [
      "digest",
      {
        Dockerfile: `# syntax=docker/dockerfile@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n${FROM}`,
      },
    ],
    ["no directive", { Dockerfile: FROM }],
    ["a comment after FROM is not a directive", { Dockerfile: `${FROM}# syntax=docker/dockerfile:latest\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says what to use", () => {
    expect(findingsOf(rule, { Dockerfile: `# syntax=docker/dockerfile:latest\n${FROM}` })[0]?.message).toBe(
      "The BuildKit frontend `docker/dockerfile:latest` is `latest`: use `docker/dockerfile:1`",
    );
  });
});
