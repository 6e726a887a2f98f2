import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1017-install-from-moving-source.js";

const NODE = "FROM node:20.20.2-bookworm-slim\n";
const PY = "FROM python:3.11.14-slim-bookworm\n";
const GO = "FROM golang:1.23.4-bookworm\n";
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("SS1017 install-from-moving-source", () => {
  it.each([
    [
      "npm git branch",
      { Dockerfile: `${NODE}RUN npm install git+https://github.com/acme/lib.git#main\n` },
      ["Dockerfile:2"],
    ],
    ["npm git without ref", { Dockerfile: `${NODE}RUN npm install github:acme/lib\n` }, ["Dockerfile:2"]],
    ["npm GitHub shorthand", { Dockerfile: `${NODE}RUN npm i -g acme/tool#develop\n` }, ["Dockerfile:2"]],
    ["yarn add", { Dockerfile: `${NODE}RUN yarn add https://github.com/acme/lib\n` }, ["Dockerfile:2"]],
    [
      "pip git+ without sha",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir git+https://github.com/acme/lib.git@main\n` },
      ["Dockerfile:2"],
    ],
    [
      "pip git+ no ref",
      { Dockerfile: `${PY}RUN pip install --no-cache-dir "lib @ git+https://github.com/acme/lib.git"\n` },
      ["Dockerfile:2"],
    ],
    [
      "go install @latest",
      { Dockerfile: `${GO}RUN go install github.com/air-verse/air@latest\n` },
      ["Dockerfile:2"],
    ],
    [
      "go install @master",
      { Dockerfile: `${GO}RUN go install example.com/cmd/tool@master\n` },
      ["Dockerfile:2"],
    ],
    [
      "multi-line",
      { Dockerfile: `${GO}RUN go mod download \\\n && go install github.com/air-verse/air@latest\n` },
      ["Dockerfile:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["npm registry package", { Dockerfile: `${NODE}RUN npm install -g serve@14.2.4 @scope/pkg@1.0.0\n` }],
    ["npm git commit", { Dockerfile: `${NODE}RUN npm install git+https://github.com/acme/lib.git#${SHA}\n` }],
    ["npm git release tag", { Dockerfile: `${NODE}RUN npm install github:acme/lib#v1.2.3\n` }],
    ["npm local tarball", { Dockerfile: `${NODE}RUN npm install ./vendor/lib.tgz\n` }],
    [
      "pip pinned commit",
      {
        Dockerfile: `${PY}RUN pip install --no-cache-dir git+https://github.com/acme/lib.git@${SHA}#egg=lib\n`,
      },
    ],
    ["pip registry", { Dockerfile: `${PY}RUN pip install --no-cache-dir lib==1.0\n` }],
    ["go install version", { Dockerfile: `${GO}RUN go install github.com/air-verse/air@v1.61.5\n` }],
    ["go build", { Dockerfile: `${GO}RUN go build ./...\n` }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the source", () => {
    expect(
      findingsOf(rule, { Dockerfile: `${GO}RUN go install github.com/air-verse/air@latest\n` })[0]?.message,
    ).toBe(
      "`github.com/air-verse/air@latest` installs whatever was pushed last: name a released version (`@v1.2.3`)",
    );
  });
});
