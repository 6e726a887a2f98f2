import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1204-shell-form-cmd.js";

const FROM = "FROM node:20.20.2-bookworm-slim\nUSER node\n";

describe("SS1204 shell-form-cmd", () => {
  it.each([
    ["CMD", { Dockerfile: `${FROM}CMD node server.js\n` }, ["Dockerfile:3"]],
    [
      "ENTRYPOINT and CMD",
      { Dockerfile: `${FROM}ENTRYPOINT node server.js\nCMD --port 3000\n` },
      ["Dockerfile:3", "Dockerfile:4"],
    ],
    ["needs a shell", { Dockerfile: `${FROM}CMD node server.js --port $PORT\n` }, ["Dockerfile:3"]],
    [
      "inherited from the parent stage",
      { Dockerfile: "FROM node:20.20.2-bookworm-slim AS base\nCMD node s.js\nFROM base\n" },
      ["Dockerfile:2"],
    ],
    ["invalid JSON is shell form", { Dockerfile: `${FROM}CMD ['node', 's.js']\n` }, ["Dockerfile:3"]],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["exec form", { Dockerfile: `${FROM}CMD ["node", "server.js"]\n` }],
    [
      "shell form in a build stage",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nCMD node x.js\n${FROM}CMD ["node", "s.js"]\n` },
    ],
    ["overridden by a later exec-form CMD", { Dockerfile: `${FROM}CMD node a.js\nCMD ["node", "s.js"]\n` }],
    ["no CMD", { Dockerfile: FROM }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("rewrites a plain command as JSON", () => {
    const files = { Dockerfile: `${FROM}CMD node --enable-source-maps dist/server.js\r\n` };
    const fixed = fixedBy(rule, files);
    expect(fixed.Dockerfile).toBe(`${FROM}CMD ["node", "--enable-source-maps", "dist/server.js"]\r\n`);
    expect(findingsOf(rule, fixed)).toEqual([]);
    expect(findingsOf(rule, files)[0]?.message).toBe(
      '`CMD node --enable-source-maps dist/server.js` runs under `/bin/sh -c`, so the shell gets the stop signal instead of `node`: write `CMD ["node", "--enable-source-maps", "dist/server.js"]`',
    );
  });

  it.each([
    ["variable", "node s.js --port $PORT"],
    ["operator", "npm run migrate && node s.js"],
    ["quotes", "node -e 'console.log(1)'"],
    ["env prefix", "NODE_ENV=production node s.js"],
    ["exec builtin", "exec node s.js"],
  ])("no fix: %s", (_name, command) => {
    const [finding] = findingsOf(rule, { Dockerfile: `${FROM}CMD ${command}\n` });
    expect(finding).toBeDefined();
    expect(finding?.fix).toBeUndefined();
  });

  it("multi-line shell form", () => {
    const files = { Dockerfile: `${FROM}CMD node \\\n  server.js\n` };
    expect(fixedBy(rule, files).Dockerfile).toBe(`${FROM}CMD ["node", "server.js"]\n`);
  });
});
