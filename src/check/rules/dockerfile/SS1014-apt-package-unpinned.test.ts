import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1014-apt-package-unpinned.js";

const FROM = "FROM debian:12.12-slim\n";

describe("SS1014 apt-package-unpinned", () => {
  it("is off by default", () => {
    expect(rule.meta.disabledByDefault).toBe(true);
  });

  it.each([
    [
      "unpinned",
      { Dockerfile: `${FROM}RUN apt-get install -y --no-install-recommends curl\n` },
      ["Dockerfile:2"],
    ],
    [
      "one of two",
      { Dockerfile: `${FROM}RUN apt-get install -y curl=7.88.1-10+deb12u12 tini\n` },
      ["Dockerfile:2"],
    ],
    [
      "build stage too",
      { Dockerfile: `FROM debian:12.12-slim AS b\nRUN apt-get install -y gcc\n${FROM}` },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["pinned", { Dockerfile: `${FROM}RUN apt-get install -y curl=7.88.1-10+deb12u12\n` }],
    [
      "-o value and -t release are not packages",
      {
        Dockerfile: `${FROM}RUN apt-get install -y -o Dpkg::Options::=--force-confnew -t bookworm-backports curl=8.1\n`,
      },
    ],
    ["local .deb", { Dockerfile: `${FROM}RUN apt-get install -y /tmp/app.deb\n` }],
    ["variable", { Dockerfile: `${FROM}ARG PKGS\nRUN apt-get install -y $PKGS\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("lists the packages", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}RUN apt-get install -y a b c d e\n` })[0]?.message).toBe(
      "`a`, `b`, `c`, `d` and 1 more installed without a version: pin `a=<version>`",
    );
  });
});
