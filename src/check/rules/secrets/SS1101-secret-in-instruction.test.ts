import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1101-secret-in-instruction.js";

const OPENAI = "sk-proj-EXAMPLEEXAMPLEEXAMPLEEXAMPLE0000";
const GITHUB = "ghp_EXAMPLEexampleEXAMPLEexampleEXAMPLE0";

describe("SS1101 secret-in-instruction", () => {
  it.each([
    [
      "ENV with a provider key",
      { Dockerfile: `FROM node:20\nENV OPENAI_API_KEY=${OPENAI}\n` },
      ["Dockerfile:2"],
    ],
    [
      "ENV continued over lines: the line with the name",
      { Dockerfile: "FROM node:20\nENV NODE_ENV=production \\\n    DB_PASSWORD=hunter2hunter2\n" },
      ["Dockerfile:3"],
    ],
    [
      "legacy `ENV NAME value` form",
      { Dockerfile: "FROM node:20\nENV JWT_SECRET my-jwt-signing-value\n" },
      ["Dockerfile:2"],
    ],
    [
      "ARG default in a build stage",
      { Dockerfile: `FROM node:20 AS build\nARG GITHUB_TOKEN=${GITHUB}\nFROM node:20\n` },
      ["Dockerfile:2"],
    ],
    ["global ARG default", { Dockerfile: `ARG GITHUB_TOKEN=${GITHUB}\nFROM node:20\n` }, ["Dockerfile:1"]],
    ["LABEL", { Dockerfile: `FROM node:20\nLABEL com.example.key="${OPENAI}"\n` }, ["Dockerfile:2"]],
    [
      "password in a URL",
      { Dockerfile: "FROM node:20\nENV DATABASE_URL=postgres://app:s3cret-pass@db:5432/app\n" },
      ["Dockerfile:2"],
    ],
    [
      "an ENV inherited by a later stage is reported once",
      { Dockerfile: `FROM node:20 AS base\nENV OPENAI_API_KEY=${OPENAI}\nFROM base\n` },
      ["Dockerfile:2"],
    ],
    [
      "CRLF line endings",
      { Dockerfile: `FROM node:20\r\nENV OPENAI_API_KEY=${OPENAI}\r\n` },
      ["Dockerfile:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["interpolated", { Dockerfile: "FROM node:20\nARG DB_PASSWORD\nENV DB_PASSWORD=${DB_PASSWORD}\n" }],
    ["ARG without default", { Dockerfile: "FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n" }],
    [
      "path to a secret file",
      { Dockerfile: "FROM node:20\nENV GOOGLE_APPLICATION_CREDENTIALS=/app/key.json\n" },
    ],
    ["flag under a secret-sounding name", { Dockerfile: "FROM node:20\nENV DISABLE_AUTH=true\n" }],
    ["placeholder", { Dockerfile: "FROM node:20\nENV SECRET_KEY=changeme\n" }],
    ["not a secret name", { Dockerfile: "FROM node:20\nENV PASSWORD_MIN_LENGTH=12 NODE_ENV=production\n" }],
    [
      "secret file reference",
      { Dockerfile: "FROM postgres:16\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db\n" },
    ],
    ["heredoc RUN is not ENV", { Dockerfile: "FROM node:20\nRUN <<EOF\necho hello\nEOF\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the variable and kind, and redacts the value", () => {
    const [finding] = findingsOf(rule, { Dockerfile: `FROM node:20\nENV OPENAI_API_KEY=${OPENAI}\n` });
    expect(finding?.message).toBe(
      "`ENV OPENAI_API_KEY` holds an OpenAI API key (`sk-p…(40 chars)`): it is stored in the image config and history",
    );
    expect(finding?.location.column).toBe(5);
    expect(finding?.message).not.toContain(OPENAI);
  });
});
