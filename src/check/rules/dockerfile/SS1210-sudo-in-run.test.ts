import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1210-sudo-in-run.js";

const FROM = "FROM debian:12.12-slim\n";

describe("SS1210 sudo-in-run", () => {
  it.each([
    ["sudo", { Dockerfile: `${FROM}RUN sudo apt-get update\n` }, ["Dockerfile:2"]],
    [
      "later in a chain, physical line",
      { Dockerfile: `${FROM}RUN echo hi \\\n && sudo chown app /app\n` },
      ["Dockerfile:3"],
    ],
    ["one finding per RUN", { Dockerfile: `${FROM}RUN sudo a && sudo b\n` }, ["Dockerfile:2"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["no sudo", { Dockerfile: `${FROM}RUN apt-get update\n` }],
    ["installing sudo", { Dockerfile: `${FROM}RUN apt-get install -y sudo\n` }],
    ["build stage", { Dockerfile: `FROM debian:12.12-slim AS b\nRUN sudo make install\n${FROM}` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("message", () => {
    expect(findingsOf(rule, { Dockerfile: `${FROM}RUN sudo apt-get update\n` })[0]?.message).toBe(
      "`sudo apt-get update`: `RUN` already runs as the current `USER`; use `USER root` for privileged steps instead of `sudo`",
    );
  });
});
