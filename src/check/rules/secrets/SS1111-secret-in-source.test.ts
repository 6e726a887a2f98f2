import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1111-secret-in-source.js";

const OPENAI = "sk-proj-EXAMPLEEXAMPLEEXAMPLEEXAMPLE0000";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEvQ\n-----END RSA PRIVATE KEY-----\n";

describe("SS1111 secret-in-source", () => {
  it.each([
    [
      "provider key in code",
      { "src/ai.ts": `import OpenAI from 'openai';\nconst c = new OpenAI({ apiKey: '${OPENAI}' });\n` },
      ["src/ai.ts:2"],
    ],
    [
      "AWS key id in Python",
      { "app/s3.py": 'import boto3\nKEY_ID = "AKIAABCDEFGHIJKLMNOP"\n' },
      ["app/s3.py:2"],
    ],
    [
      "npm token in .npmrc",
      { ".npmrc": "//registry.npmjs.org/:_authToken=npm_EXAMPLEexampleEXAMPLEexample01234567\n" },
      [".npmrc:1"],
    ],
    ["private key file", { "certs/server.key": KEY }, ["certs/server.key:1"]],
    [
      "URL password for a remote host",
      { "src/db.ts": "const url = 'postgres://app:s3cret-pass@prod-db.example.com/app';\n" },
      ["src/db.ts:1"],
    ],
    [
      "provider key as an env fallback",
      { "src/ai.ts": `const k = process.env.OPENAI_API_KEY || '${OPENAI}';\n` },
      ["src/ai.ts:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["env file (SS1107's)", { ".env": `OPENAI_API_KEY=${OPENAI}\n` }],
    ["Dockerfile (SS1101's)", { Dockerfile: `FROM node:20\nENV OPENAI_API_KEY=${OPENAI}\n` }],
    [
      "compose file (SS1109's)",
      { "compose.yaml": `services:\n  a:\n    image: x\n    environment:\n      K: ${OPENAI}\n` },
    ],
    [
      "test files",
      {
        "test/fixtures/key.ts": `export const k = '${OPENAI}';\n`,
        "src/ai.test.ts": `const k = '${OPENAI}';\n`,
      },
    ],
    [
      "local database URL",
      {
        "src/db.ts":
          "const url = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@localhost:5432/dev';\n",
      },
    ],
    [
      "Firebase web config",
      {
        "src/firebase.ts":
          "import { initializeApp } from 'firebase/app';\ninitializeApp({ apiKey: 'AIzaSyA-EXAMPLEexampleEXAMPLEexample0123' });\n",
      },
    ],
    [
      "read from the environment",
      { "src/ai.ts": "const c = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("redacts the key", () => {
    const [finding] = findingsOf(rule, { "src/ai.ts": `const k = '${OPENAI}';\n` });
    expect(finding?.message).toBe(
      "An OpenAI API key (`sk-p…(40 chars)`) is committed in `src/ai.ts`: anyone with the repository has it and git history keeps it; read it from the environment and rotate it",
    );
    expect(finding?.location.column).toBe(12);
  });
});
