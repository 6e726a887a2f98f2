import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS3007-env-undeclared.js";

const session = 'const key = Buffer.from(process.env.SESSION_SECRET, "utf8");\n';

describe("SS3007 env-undeclared", () => {
  it.each([
    [
      "read directly, not declared",
      { "src/session.js": session, ".env.example": "PORT=3000\n" },
      ["src/session.js:1"],
    ],
    [
      "a fallback does not declare it",
      { "src/log.js": 'const level = process.env.LOG_LEVEL || "info";\n', ".env.sample": "PORT=3000\n" },
      ["src/log.js:1"],
    ],
    [
      "first read of each variable",
      {
        "src/a.js": "const a = process.env.API_URL;\nconst b = process.env.API_URL;\n",
        "src/b.py": 'import os\ntoken = os.environ["API_TOKEN"]\n',
        ".env.template": "PORT=\n",
      },
      ["src/a.js:1", "src/b.py:2"],
    ],
    [
      "the committed .env is not a declaration",
      { "src/session.js": session, ".env": "SESSION_SECRET=abc\n", ".env.example": "PORT=3000\n" },
      ["src/session.js:1"],
    ],
    [
      "PORT without a default counts",
      { "server.js": "app.listen(process.env.PORT);\n", ".env.example": "HOST=0.0.0.0\n" },
      ["server.js:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["declared in .env.example", { "src/session.js": session, ".env.example": "SESSION_SECRET=\n" }],
    [
      "declared by the Dockerfile",
      {
        "src/session.js": session,
        ".env.example": "PORT=3000\n",
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nENV SESSION_SECRET_FILE=/run/secrets/s SESSION_SECRET=\nCOPY . .\nCMD ["node", "src/session.js"]\n',
      },
    ],
    [
      "declared by compose",
      {
        "src/session.js": session,
        ".env.example": "PORT=3000\n",
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "src/session.js"]\n',
        "compose.yaml": "services:\n  api:\n    build: .\n    environment:\n      - SESSION_SECRET\n",
      },
    ],
    [
      "declared in a committed env_file",
      {
        "src/session.js": session,
        ".env.example": "PORT=3000\n",
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "src/session.js"]\n',
        "compose.yaml": "services:\n  api:\n    build: .\n    env_file: config/.env.docker\n",
        "config/.env.docker": "SESSION_SECRET=dev-only\n",
      },
    ],
    ["no example file: SS3008 reports", { "src/session.js": session }],
    [
      "PORT with a default",
      { "server.js": "const port = Number(process.env.PORT) || 3000;\n", ".env.example": "HOST=\n" },
    ],
    [
      "NODE_ENV",
      { "server.js": 'const prod = process.env.NODE_ENV === "production";\n', ".env.example": "HOST=\n" },
    ],
    [
      "variables the platform sets",
      {
        "src/a.js": "const region = process.env.AWS_REGION;\nconst url = process.env.VERCEL_URL;\n",
        ".env.example": "HOST=\n",
      },
    ],
    [
      "client code",
      { "src/main.ts": "const url = import.meta.env.VITE_API_URL;\n", ".env.example": "HOST=\n" },
    ],
    [
      "code outside the build context",
      {
        "api/Dockerfile": 'FROM node:20.20.2-bookworm-slim\nCOPY . .\nCMD ["node", "server.js"]\n',
        "api/server.js": "app.listen(3000);\n",
        "tools/seed.js": "const url = process.env.SEED_URL;\n",
        ".env.example": "HOST=\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("adapts the message to how the variable is read", () => {
    const messages = findingsOf(rule, {
      "src/a.js": `${session}const level = process.env.LOG_LEVEL || "info";\nif (!process.env.API_KEY) process.exit(1);\nconst k = process.env.API_KEY;\n`,
      ".env.example": "PORT=3000\n",
    }).map((finding) => finding.message);
    expect(messages).toEqual([
      "`SESSION_SECRET` is read without a fallback and used directly, and nothing declares it (`.env.example`, the Dockerfile and compose): a fresh deployment starts without it and fails far from the cause; add it to `.env.example`",
      "`LOG_LEVEL` is not declared (`.env.example`, the Dockerfile and compose): deployments silently run with the code's default; add it to `.env.example`",
      "`API_KEY` is required but nothing declares it (`.env.example`, the Dockerfile and compose): a fresh deployment stops at startup; add it to `.env.example`",
    ]);
  });

  it("fixes by adding the variables to the example file", () => {
    const files = {
      "src/a.js": `${session}const level = process.env.LOG_LEVEL || "info";\n`,
      ".env.example": "# Copy to .env\r\nPORT=3000",
    };
    const fixed = fixedBy(rule, files);
    expect(fixed[".env.example"]).toBe("# Copy to .env\r\nPORT=3000\r\nSESSION_SECRET=\r\nLOG_LEVEL=\r\n");
    expect(findingsOf(rule, fixed)).toEqual([]);
  });
});
