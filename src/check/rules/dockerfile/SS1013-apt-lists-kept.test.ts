import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1013-apt-lists-kept.js";

const FROM = "FROM debian:12.12-slim\n";

describe("SS1013 apt-lists-kept", () => {
  it.each([
    [
      "no cleanup",
      { Dockerfile: `${FROM}RUN apt-get update && apt-get install -y --no-install-recommends curl\n` },
      ["Dockerfile:2"],
    ],
    [
      "cleanup in a later RUN does not shrink the layer",
      {
        Dockerfile: `${FROM}RUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n`,
      },
      ["Dockerfile:2"],
    ],
    [
      "apt-get clean is not enough",
      { Dockerfile: `${FROM}RUN apt-get update \\\n && apt-get install -y curl \\\n && apt-get clean\n` },
      ["Dockerfile:3"],
    ],
    [
      "one per RUN",
      { Dockerfile: `${FROM}RUN apt-get update && apt-get install -y curl && apt-get install -y tini\n` },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "rm -rf lists",
      { Dockerfile: `${FROM}RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n` },
    ],
    [
      "rm the directory",
      { Dockerfile: `${FROM}RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists\n` },
    ],
    [
      "cache mount",
      {
        Dockerfile: `${FROM}RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n`,
      },
    ],
    [
      "build stage",
      {
        Dockerfile: `FROM debian:12.12-slim AS build\nRUN apt-get update && apt-get install -y gcc\n${FROM}`,
      },
    ],
    [
      "heredoc with cleanup",
      {
        Dockerfile: `${FROM}RUN <<EOF\napt-get update\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n`,
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says how to clean up", () => {
    expect(
      findingsOf(rule, { Dockerfile: `${FROM}RUN apt-get update && apt-get install -y curl\n` })[0]?.message,
    ).toBe(
      "This RUN installs with `apt-get install` but keeps `/var/lib/apt/lists` in the layer: end it with `&& rm -rf /var/lib/apt/lists/*`",
    );
  });
});
