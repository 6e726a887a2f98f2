import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1015-apk-cache-kept.js";

const FROM = "FROM alpine:3.20.3\n";

describe("SS1015 apk-cache-kept", () => {
  it.each([
    ["apk add", { Dockerfile: `${FROM}RUN apk add tini\n` }, ["Dockerfile:2"]],
    [
      "apk --update add",
      { Dockerfile: `${FROM}RUN apk update && apk add --update curl\n` },
      ["Dockerfile:2"],
    ],
    ["multi-line", { Dockerfile: `${FROM}RUN set -eux; \\\n    apk add \\\n      tini\n` }, ["Dockerfile:3"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["--no-cache", { Dockerfile: `${FROM}RUN apk add --no-cache tini\n` }],
    ["global flag first", { Dockerfile: `${FROM}RUN apk --no-cache add tini\n` }],
    ["cache removed", { Dockerfile: `${FROM}RUN apk add tini && rm -rf /var/cache/apk/*\n` }],
    ["cache mount", { Dockerfile: `${FROM}RUN --mount=type=cache,target=/var/cache/apk apk add tini\n` }],
    ["build stage", { Dockerfile: `FROM alpine:3.20.3 AS build\nRUN apk add build-base\n${FROM}` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("adds --no-cache after add", () => {
    const files = { Dockerfile: `${FROM}RUN apk update && apk add --virtual .deps curl\n` };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(`${FROM}RUN apk update && apk add --no-cache --virtual .deps curl\n`);
    expect(findingsOf(rule, fixed)).toEqual([]);
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`apk add` keeps the package index in `/var/cache/apk`: use `apk add --no-cache`",
    );
  });
});
