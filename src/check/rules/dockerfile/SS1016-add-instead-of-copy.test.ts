import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1016-add-instead-of-copy.js";

const FROM = "FROM node:20.20.2-bookworm-slim\n";

describe("SS1016 add-instead-of-copy", () => {
  it.each([
    ["local file", { Dockerfile: `${FROM}ADD server.js /app/\n` }, ["Dockerfile:2"]],
    ["directory with chown", { Dockerfile: `${FROM}ADD --chown=node:node . /app\n` }, ["Dockerfile:2"]],
    ["URL", { Dockerfile: `${FROM}ADD https://example.com/tool /usr/local/bin/tool\n` }, ["Dockerfile:2"]],
    [
      "build stage too",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nADD a.txt /a\n${FROM}` },
      ["Dockerfile:2"],
    ],
    ["JSON form", { Dockerfile: `${FROM}ADD ["server.js", "/app/"]\n` }, ["Dockerfile:2"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["COPY", { Dockerfile: `${FROM}COPY server.js /app/\n` }],
    ["local archive (ADD unpacks it)", { Dockerfile: `${FROM}ADD rootfs.tar.gz /\n` }],
    [
      "URL with checksum",
      {
        Dockerfile: `${FROM}ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef https://example.com/t /t\n`,
      },
    ],
    ["git source", { Dockerfile: `${FROM}ADD https://github.com/moby/buildkit.git#v0.14.1 /src\n` }],
    ["variable", { Dockerfile: `${FROM}ARG SRC\nADD $SRC /app/\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("replaces ADD with COPY for local files", () => {
    const files = { Dockerfile: `${FROM}ADD --chown=node:node . /app\nadd x.js /app/\n` };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(`${FROM}COPY --chown=node:node . /app\ncopy x.js /app/\n`);
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("asks for a checksum on URLs, without a fix", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${FROM}ADD https://example.com/tool /usr/local/bin/tool\n`,
    });
    expect(finding?.fix).toBeUndefined();
    expect(finding?.message).toBe(
      "`ADD https://example.com/tool` downloads without checking what arrives: add `--checksum=sha256:<hash>`, or fetch with `curl` and verify with `sha256sum -c`",
    );
  });
});
