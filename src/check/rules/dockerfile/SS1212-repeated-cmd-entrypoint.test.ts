import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1212-repeated-cmd-entrypoint.js";

const FROM = "FROM node:20.20.2-bookworm-slim\n";

describe("SS1212 repeated-cmd-entrypoint", () => {
  it.each([
    ["two CMD", { Dockerfile: `${FROM}CMD ["node", "a.js"]\nCMD ["node", "b.js"]\n` }, ["Dockerfile:2"]],
    [
      "three ENTRYPOINT",
      { Dockerfile: `${FROM}ENTRYPOINT ["a"]\nENTRYPOINT ["b"]\nENTRYPOINT ["c"]\n` },
      ["Dockerfile:2", "Dockerfile:3"],
    ],
    [
      "in a build stage too",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nCMD a\nCMD b\n${FROM}` },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["one of each", { Dockerfile: `${FROM}ENTRYPOINT ["tini", "--"]\nCMD ["node", "a.js"]\n` }],
    [
      "one per stage",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS base\nCMD ["a"]\nFROM base\nCMD ["b"]\n` },
    ],
    [
      "HEALTHCHECK CMD is not a CMD",
      { Dockerfile: `${FROM}HEALTHCHECK CMD ["true"]\nCMD ["node", "a.js"]\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the one that wins", () => {
    expect(
      findingsOf(rule, { Dockerfile: `${FROM}CMD ["node", "a.js"]\nCMD ["node", "b.js"]\n` })[0]?.message,
    ).toBe(
      "This `CMD` is ignored: the `CMD` at line 3 replaces it, and only the last one in a stage takes effect",
    );
  });
});
