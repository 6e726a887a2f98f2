import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1202-no-healthcheck.js";

const BASE = 'FROM node:20.20.2-bookworm-slim\nUSER node\nEXPOSE 3000\nCMD ["node", "s.js"]\n';
const PROBE =
  'HEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:3000/health\').then(r=>process.exit(r.ok?0:1))"]\n';

describe("SS1202 no-healthcheck", () => {
  it.each([
    ["none", { Dockerfile: BASE }, ["Dockerfile:1"]],
    ["HEALTHCHECK NONE", { Dockerfile: `${BASE}HEALTHCHECK NONE\n` }, ["Dockerfile:5"]],
    [
      "only the build stage has one",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS build\n${PROBE}${BASE}` },
      ["Dockerfile:3"],
    ],
    [
      "compose service without healthcheck",
      { Dockerfile: BASE, "compose.yaml": "services:\n  app:\n    build: .\n" },
      ["Dockerfile:1"],
    ],
    [
      "compose healthcheck disabled",
      {
        Dockerfile: BASE,
        "compose.yaml": "services:\n  app:\n    build: .\n    healthcheck:\n      disable: true\n",
      },
      ["Dockerfile:1"],
    ],
    [
      "listens, no EXPOSE",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "s.js"]\n', "s.js": "app.listen(3000)\n" },
      ["Dockerfile:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["HEALTHCHECK", { Dockerfile: BASE.replace("USER node\n", `USER node\n${PROBE}`) }],
    [
      "inherited from the parent stage",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS base\n${PROBE}FROM base\nEXPOSE 3000\n` },
    ],
    [
      "compose healthcheck",
      {
        Dockerfile: BASE,
        "compose.yaml":
          'services:\n  app:\n    build: .\n    healthcheck:\n      test: ["CMD", "node", "-e", "1"]\n',
      },
    ],
    [
      "not a server (no port, no listen)",
      { Dockerfile: 'FROM node:20.20.2-bookworm-slim\nCMD ["node", "job.js"]\n' },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the compose services", () => {
    expect(
      findingsOf(rule, { Dockerfile: BASE, "compose.yaml": "services:\n  app:\n    build: .\n" })[0]?.message,
    ).toBe(
      "The image has no `HEALTHCHECK` and no compose service that builds it (`app`) has a `healthcheck`: Docker cannot tell a wedged app from a working one",
    );
  });
});
