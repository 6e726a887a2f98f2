import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1104-secret-file-in-image.js";

const ENV =
  "DATABASE_URL=postgres://app:s3cr3t-pass@db:5432/app\nPORT=3000\nJWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n";
const DOCKERFILE = "FROM node:20\nWORKDIR /app\nCOPY . .\n";

describe("SS1104 secret-file-in-image", () => {
  it.each([
    ["COPY . . without .dockerignore", { Dockerfile: DOCKERFILE, ".env": ENV }, ["Dockerfile:3"]],
    [
      ".dockerignore that misses .env.production",
      { Dockerfile: DOCKERFILE, ".env.production": ENV, ".dockerignore": ".env\n" },
      ["Dockerfile:3"],
    ],
    [
      "a directory holding a private key",
      {
        Dockerfile: "FROM node:20\nCOPY config ./config\n",
        "config/server.key": KEY,
        "config/app.json": "{}",
      },
      ["Dockerfile:2"],
    ],
    [
      "a build stage",
      {
        Dockerfile: "FROM node:20 AS build\nCOPY . .\nFROM node:20\nCOPY --from=build /dist /dist\n",
        ".env": ENV,
      },
      ["Dockerfile:2"],
    ],
    [
      "compose build context in a subdirectory",
      {
        "compose.yaml": "services:\n  api:\n    build: ./api\n",
        "api/Dockerfile": DOCKERFILE,
        "api/.env": ENV,
      },
      ["api/Dockerfile:3"],
    ],
    [
      "an env file named explicitly",
      { Dockerfile: "FROM node:20\nCOPY .env package.json ./\n", ".env": ENV },
      ["Dockerfile:2"],
    ],
    [
      "a service-account key",
      { Dockerfile: DOCKERFILE, "gcp-service-account.json": '{"type": "service_account"}' },
      ["Dockerfile:3"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["excluded by .dockerignore", { Dockerfile: DOCKERFILE, ".env": ENV, ".dockerignore": ".env\n.env.*\n" }],
    [
      "an example env file",
      { Dockerfile: DOCKERFILE, ".env.example": "JWT_SECRET=\nDATABASE_URL=postgres://u:changeme@db/app\n" },
    ],
    ["an env file without secrets", { Dockerfile: DOCKERFILE, ".env": "PORT=3000\nNODE_ENV=production\n" }],
    ["named files only", { Dockerfile: "FROM node:20\nCOPY package.json server.js ./\n", ".env": ENV }],
    [
      "from another stage",
      { Dockerfile: "FROM node:20 AS b\nRUN true\nFROM node:20\nCOPY --from=b /app .\n", ".env": ENV },
    ],
    [
      "an auth file named explicitly is SS1103's",
      {
        Dockerfile: "FROM node:20\nCOPY .npmrc ./\n",
        ".npmrc": "//registry.npmjs.org/:_authToken=a1b2c3d4e5f6a7b8\n",
      },
    ],
    [
      "a CA certificate",
      { Dockerfile: DOCKERFILE, "ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
    ],
    [
      "an .npmrc reading its token from the environment",
      { Dockerfile: DOCKERFILE, ".npmrc": "//r/:_authToken=${NPM_TOKEN}\n" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("lists the secret names, never values, and points at the file", () => {
    const [finding] = findingsOf(rule, { Dockerfile: DOCKERFILE, ".env": ENV, id_rsa: KEY });
    expect(finding?.message).toBe(
      "`COPY . .` copies `.env` (DATABASE_URL, JWT_SECRET) and `id_rsa` (SSH private key) into the image",
    );
    expect(finding?.related?.map((r) => `${r.file}:${r.line}`)).toEqual([".env:1", "id_rsa:1"]);
    expect(JSON.stringify(finding)).not.toContain("s3cr3t-pass");
  });
});
