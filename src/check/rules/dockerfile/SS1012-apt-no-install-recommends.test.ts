import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1012-apt-no-install-recommends.js";

const FROM = "FROM debian:12.12-slim\n";

describe("SS1012 apt-no-install-recommends", () => {
  it.each([
    [
      "apt-get install",
      { Dockerfile: `${FROM}RUN apt-get update && apt-get install -y curl\n` },
      ["Dockerfile:2"],
    ],
    ["apt install", { Dockerfile: `${FROM}RUN apt update && apt install -y curl\n` }, ["Dockerfile:2"]],
    [
      "multi-line",
      {
        Dockerfile: `${FROM}RUN apt-get update \\\n && apt-get -y install \\\n    curl \\\n && rm -rf /var/lib/apt/lists/*\n`,
      },
      ["Dockerfile:3"],
    ],
    [
      "shipped parent stage",
      { Dockerfile: `${FROM.replace("slim", "slim AS base")}RUN apt-get install -y curl\nFROM base\n` },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["flag given", { Dockerfile: `${FROM}RUN apt-get install -y --no-install-recommends curl\n` }],
    ["-o option", { Dockerfile: `${FROM}RUN apt-get install -y -o APT::Install-Recommends=false curl\n` }],
    [
      "apt configured in an earlier RUN",
      {
        Dockerfile: `${FROM}RUN echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/norecs\nRUN apt-get install -y curl\n`,
      },
    ],
    ["build stage", { Dockerfile: `FROM debian:12.12-slim AS build\nRUN apt-get install -y gcc\n${FROM}` }],
    ["apt-get update alone", { Dockerfile: `${FROM}RUN apt-get update\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("inserts the flag after install", () => {
    const files = { Dockerfile: `${FROM}RUN apt-get update \\\n && apt-get -y install \\\n    curl\n` };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(
      `${FROM}RUN apt-get update \\\n && apt-get -y install --no-install-recommends \\\n    curl\n`,
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`apt-get -y install` also installs every recommended package: add `--no-install-recommends`",
    );
  });
});
