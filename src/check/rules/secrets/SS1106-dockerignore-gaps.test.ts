import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1106-dockerignore-gaps.js";

const ENV = "JWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n";
const COPY_ALL = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";

describe("SS1106 dockerignore-gaps", () => {
  it.each([
    [
      "an env file with COPY . .",
      { Dockerfile: COPY_ALL, ".dockerignore": "node_modules\n", ".env": ENV },
      [".dockerignore:1"],
    ],
    [
      ".git and node_modules with COPY . .",
      { Dockerfile: COPY_ALL, ".dockerignore": "*.log\n", ".git/HEAD": "", "node_modules/x/index.js": "" },
      [".dockerignore:1"],
    ],
    [
      "a secret is a gap even when no COPY takes it",
      {
        Dockerfile: "FROM node:20\nCOPY server.js ./\n",
        ".dockerignore": "node_modules\n",
        "certs/tls.key": KEY,
      },
      [".dockerignore:1"],
    ],
    [
      "a Dockerfile-specific .dockerignore",
      { Dockerfile: COPY_ALL, "Dockerfile.dockerignore": ".git\n", ".env.local": ENV },
      ["Dockerfile.dockerignore:1"],
    ],
    [
      "one finding for a .dockerignore two Dockerfiles share",
      { Dockerfile: COPY_ALL, "Dockerfile.dev": COPY_ALL, ".dockerignore": "node_modules\n", ".env": ENV },
      [".dockerignore:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "everything excluded",
      {
        Dockerfile: COPY_ALL,
        ".dockerignore": ".git\nnode_modules\n.env\n.env.*\n!.env.example\n",
        ".env": ENV,
        ".env.example": "JWT_SECRET=\n",
        ".git/HEAD": "",
        "node_modules/x/index.js": "",
      },
    ],
    [
      ".git and node_modules no COPY takes",
      {
        Dockerfile: "FROM node:20\nCOPY package.json server.js ./\n",
        ".dockerignore": "*.log\n",
        ".git/HEAD": "",
        "node_modules/x/a.js": "",
      },
    ],
    ["no .dockerignore at all (SS1105's)", { Dockerfile: COPY_ALL, ".env": ENV }],
    [
      "an auth file the Dockerfile names (SS1103's)",
      {
        Dockerfile: "FROM node:20\nCOPY .npmrc ./\n",
        ".dockerignore": "node_modules\n",
        ".npmrc": "//r/:_authToken=a1b2c3d4e5f6a7b8\n",
      },
    ],
    [
      "an env file without secrets",
      { Dockerfile: COPY_ALL, ".dockerignore": "node_modules\n", ".env": "PORT=3000\n" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("lists the gaps and the COPY that takes them", () => {
    const files = { Dockerfile: COPY_ALL, ".dockerignore": "*.log\n", ".git/HEAD": "", ".env": ENV };
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`.dockerignore` does not exclude `.git` and `.env` (JWT_SECRET): they are sent to the builder with every build, and `COPY . .` (Dockerfile:3) copies them into the image",
    );
  });

  it("appends the patterns, adding the missing final newline", () => {
    const files = {
      Dockerfile: COPY_ALL,
      ".dockerignore": "# context\n*.log",
      ".git/HEAD": "",
      "node_modules/x/index.js": "",
      "packages/a/node_modules/y/index.js": "",
      ".env": ENV,
      "config/server.key": KEY,
    };
    const fixed = fixedBy(rule, files);
    expect(fixed[".dockerignore"]).toBe(
      "# context\n*.log\n.git\nnode_modules\n**/node_modules\n.env\n**/*.key\n",
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("names one env file exactly when a pattern would also drop the example", () => {
    const files = {
      Dockerfile: COPY_ALL,
      ".dockerignore": "node_modules\n",
      ".env.local": ENV,
      ".env.example": "JWT_SECRET=\n",
    };
    const fixed = fixedBy(rule, files);
    expect(fixed[".dockerignore"]).toBe("node_modules\n.env.local\n");
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("keeps CRLF line endings", () => {
    const files = { Dockerfile: COPY_ALL, ".dockerignore": "node_modules\r\n", ".env": ENV };
    expect(fixedBy(rule, files)[".dockerignore"]).toBe("node_modules\r\n.env\r\n");
  });
});
