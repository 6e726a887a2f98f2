import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1213-healthcheck-tool-missing.js";

const CURL = "HEALTHCHECK CMD curl -f http://127.0.0.1:3000/health || exit 1\n";

describe("SS1213 healthcheck-tool-missing", () => {
  it.each([
    ["curl on slim", { Dockerfile: `FROM node:20.20.2-bookworm-slim\n${CURL}` }, ["Dockerfile:2"]],
    ["curl on alpine", { Dockerfile: `FROM node:20.20.2-alpine3.21\n${CURL}` }, ["Dockerfile:2"]],
    [
      "wget exec form on slim",
      {
        Dockerfile:
          'FROM python:3.11.14-slim-bookworm\nHEALTHCHECK CMD ["wget", "-qO-", "http://127.0.0.1:8000/health"]\n',
      },
      ["Dockerfile:2"],
    ],
    [
      "distroless",
      {
        Dockerfile: 'FROM gcr.io/distroless/nodejs20-debian12\nHEALTHCHECK CMD ["curl", "-f", "http://x/"]\n',
      },
      ["Dockerfile:2"],
    ],
    [
      "multi-line HEALTHCHECK",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim\nHEALTHCHECK --interval=10s \\\n  CMD curl -f http://127.0.0.1:3000/ || exit 1\n`,
      },
      ["Dockerfile:2"],
    ],
    [
      "curl installed only in a build stage",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\nRUN apt-get install -y curl\nFROM node:20.20.2-bookworm-slim\n${CURL}`,
      },
      ["Dockerfile:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["full image has curl", { Dockerfile: `FROM node:20.20.2-bookworm\n${CURL}` }],
    [
      "curl installed",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n${CURL}`,
      },
    ],
    ["apk curl", { Dockerfile: `FROM node:20.20.2-alpine3.21\nRUN apk add --no-cache curl\n${CURL}` }],
    [
      "busybox wget on alpine",
      {
        Dockerfile:
          "FROM node:20.20.2-alpine3.21\nHEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/ || exit 1\n",
      },
    ],
    [
      "node probe",
      {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nHEALTHCHECK CMD ["node", "-e", "fetch(\'http://x\')"]\n',
      },
    ],
    ["HEALTHCHECK NONE", { Dockerfile: "FROM node:20.20.2-bookworm-slim\nHEALTHCHECK NONE\n" }],
    [
      "only in a build stage",
      { Dockerfile: `FROM node:20.20.2-bookworm-slim AS b\n${CURL}FROM node:20.20.2-bookworm-slim\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("suggests the node one-liner with the same URL", () => {
    expect(findingsOf(rule, { Dockerfile: `FROM node:20.20.2-bookworm-slim\n${CURL}` })[0]?.message).toBe(
      'The `HEALTHCHECK` runs `curl`, which `node:20.20.2-bookworm-slim` does not have, so the check always fails and the container stays unhealthy: probe with node instead, `HEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:3000/health\').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]`',
    );
  });

  it("suggests the python one-liner", () => {
    expect(
      findingsOf(rule, {
        Dockerfile:
          "FROM python:3.11.14-slim-bookworm\nHEALTHCHECK CMD curl -f http://127.0.0.1:8000/health\n",
      })[0]?.message,
    ).toContain(
      '`HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\', timeout=2)"]`',
    );
  });
});
