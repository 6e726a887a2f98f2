import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1011-pipe-to-shell.js";

const FROM = "FROM debian:12.12-slim\n";

describe("SS1011 pipe-to-shell", () => {
  it.each([
    ["curl | sh", { Dockerfile: `${FROM}RUN curl -fsSL https://get.example.com | sh\n` }, ["Dockerfile:2"]],
    [
      "wget -O- | bash",
      { Dockerfile: `${FROM}RUN wget -qO- https://x.example.com/i.sh | bash -s -- --yes\n` },
      ["Dockerfile:2"],
    ],
    [
      "| sudo -E bash -",
      { Dockerfile: `${FROM}RUN curl -sL https://deb.nodesource.com/setup_20.x | sudo -E bash -\n` },
      ["Dockerfile:2"],
    ],
    [
      "| python3",
      { Dockerfile: `${FROM}RUN curl -sSL https://install.python-poetry.org | python3 -\n` },
      ["Dockerfile:2"],
    ],
    [
      "multi-line: the curl's line",
      { Dockerfile: `${FROM}RUN apt-get update \\\n && curl -fsSL https://get.example.com \\\n    | sh\n` },
      ["Dockerfile:3"],
    ],
    [
      "build stage too",
      { Dockerfile: `FROM debian:12.12-slim AS tools\nRUN curl -fsSL https://get.example.com | sh\n${FROM}` },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "download then run",
      { Dockerfile: `${FROM}RUN curl -fsSLo /tmp/i.sh https://get.example.com && sh /tmp/i.sh\n` },
    ],
    ["pipe to tar", { Dockerfile: `${FROM}RUN curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt\n` }],
    ["checksum check", { Dockerfile: `${FROM}RUN echo "abc  x" | sha256sum -c -\n` }],
    [
      "sh -c with its own script",
      { Dockerfile: `${FROM}RUN curl -fsSL https://example.com/v | sh -c 'cat > /v'\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the URL", () => {
    expect(
      findingsOf(rule, { Dockerfile: `${FROM}RUN curl -fsSL https://get.example.com | sh\n` })[0]?.message,
    ).toBe(
      "`curl https://get.example.com | sh` runs whatever the server sends at build time: download to a file, verify its SHA-256, then run it",
    );
  });
});
