import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1103-secret-written-by-run.js";

const NPM = "npm_EXAMPLEexampleEXAMPLEexample01234567";
const GITHUB = "ghp_EXAMPLEexampleEXAMPLEexampleEXAMPLE0";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n";

describe("SS1103 secret-written-by-run", () => {
  it.each([
    [
      "token echoed into .npmrc in a multi-line RUN: the line with it",
      {
        Dockerfile:
          'FROM node:20\nRUN apt-get update \\\n && echo "//registry.npmjs.org/:_authToken=a1b2c3d4e5f6a7b8" > .npmrc \\\n && npm ci \\\n && rm .npmrc\n',
      },
      ["Dockerfile:3"],
    ],
    [
      "npm config set with a literal token",
      {
        Dockerfile:
          "FROM node:20\nRUN npm config set //registry.npmjs.org/:_authToken a1b2c3d4e5f6a7b8 && npm ci\n",
      },
      ["Dockerfile:2"],
    ],
    [
      "provider key in a build stage",
      {
        Dockerfile: `FROM node:20 AS build\nRUN git clone https://x:${GITHUB}@github.com/o/r\nFROM node:20\n`,
      },
      ["Dockerfile:2"],
    ],
    [
      "heredoc body",
      { Dockerfile: `FROM node:20\nRUN <<EOF\nset -e\necho "${NPM}" > /root/.token\nEOF\n` },
      ["Dockerfile:4"],
    ],
    [
      "exec form",
      { Dockerfile: `FROM node:20\nRUN ["sh", "-c", "echo //r/:_authToken=a1b2c3d4e5f6a7b8 > .npmrc"]\n` },
      ["Dockerfile:2"],
    ],
    [
      "COPY of an SSH key (not in the tree)",
      { Dockerfile: "FROM node:20\nCOPY id_rsa /root/.ssh/id_rsa\n" },
      ["Dockerfile:2"],
    ],
    [
      "COPY of an .npmrc holding a token",
      {
        Dockerfile: "FROM node:20\nCOPY package.json .npmrc ./\nRUN npm ci && rm .npmrc\n",
        ".npmrc": "//registry.npmjs.org/:_authToken=a1b2c3d4e5f6a7b8\n",
      },
      ["Dockerfile:2"],
    ],
    [
      "COPY --from another stage of a key",
      {
        Dockerfile:
          "FROM node:20 AS keys\nRUN true\nFROM node:20\nCOPY --from=keys /root/.ssh/id_ed25519 /root/.ssh/\n",
      },
      ["Dockerfile:4"],
    ],
    [
      "COPY of a private key into a build stage",
      {
        Dockerfile: "FROM node:20 AS build\nCOPY certs/server.key /certs/\nFROM node:20\n",
        "certs/server.key": KEY,
      },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "token from a build secret",
      {
        Dockerfile:
          'FROM node:20\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN echo "//r/:_authToken=${NPM_TOKEN}" > .npmrc\n',
      },
    ],
    [
      "an .npmrc that reads the token from the environment",
      {
        Dockerfile: "FROM node:20\nCOPY .npmrc ./\n",
        ".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
      },
    ],
    [
      "a CA certificate",
      {
        Dockerfile: "FROM node:20\nCOPY corp-ca.pem /usr/local/share/ca-certificates/corp-ca.crt\n",
        "corp-ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      },
    ],
    ["a public key", { Dockerfile: "FROM node:20\nCOPY id_rsa.pub /root/.ssh/authorized_keys\n" }],
    [
      "git clone with an interpolated token",
      { Dockerfile: "FROM node:20\nARG T\nRUN git clone https://x:${T}@github.com/o/r\n" },
    ],
    ["SSH mount", { Dockerfile: "FROM node:20\nRUN --mount=type=ssh git clone git@github.com:o/r.git\n" }],
    [
      "a word that ends in _auth",
      { Dockerfile: "FROM node:20\nRUN ./configure --with_auth enabled-by-default\n" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("redacts the token and says how to mount it", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile:
        "FROM node:20\nRUN npm config set //registry.npmjs.org/:_authToken a1b2c3d4e5f6a7b8 && npm ci\n",
    });
    expect(finding?.message).toBe(
      "`RUN` contains an npm auth token (`a1b2…(16 chars)`): the command is recorded in the image history and what it writes stays in the layer even if a later step deletes it; use `RUN --mount=type=secret`",
    );
    const [copy] = findingsOf(rule, {
      Dockerfile: "FROM node:20\nCOPY .npmrc ./\n",
      ".npmrc": "//registry.npmjs.org/:_authToken=a1b2c3d4e5f6a7b8\n",
    });
    expect(copy?.message).toBe(
      "`COPY .npmrc` puts an npm auth token file into the image: deleting it later does not remove it from the layer; mount it for the step that needs it: `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc`",
    );
  });
});
