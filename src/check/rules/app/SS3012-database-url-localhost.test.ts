import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3012-database-url-localhost.js";

const COPY_ALL = 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';
const DOTENV = "DATABASE_URL=postgresql://postgres:password123@localhost:5432/notes\n";

describe("SS3012 database-url-localhost", () => {
  it.each([
    [".env copied into the image", { Dockerfile: COPY_ALL, ".env": DOTENV }, [".env:1"]],
    [
      "compose environment",
      {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    environment:\n      REDIS_URL: redis://127.0.0.1:6379/0\n",
      },
      ["compose.yaml:5"],
    ],
    [
      "compose host variable, list syntax",
      {
        "compose.yaml": "services:\n  api:\n    image: api:1\n    environment:\n      - DB_HOST=localhost\n",
      },
      ["compose.yaml:5"],
    ],
    [
      "Dockerfile ENV",
      {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nENV MONGODB_URI=mongodb://localhost:27017/app\nCMD ["node", "server.js"]\n',
      },
      ["Dockerfile:2"],
    ],
    [
      ".env a compose env_file names",
      {
        "compose.yaml": "services:\n  api:\n    build: .\n    env_file: .env\n",
        ".env": DOTENV,
        ".dockerignore": ".env\n",
      },
      [".env:1"],
    ],
    [
      ".env interpolated by compose",
      {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: ${DATABASE_URL}\n",
        ".env": DOTENV,
        ".dockerignore": ".env\n",
      },
      [".env:1", "compose.yaml:5"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["example files", { Dockerfile: COPY_ALL, ".env.example": DOTENV }],
    ["a .env that stays on the host", { Dockerfile: COPY_ALL, ".env": DOTENV, ".dockerignore": ".env\n" }],
    ["a local-development env file", { Dockerfile: COPY_ALL, ".env.local": DOTENV }],
    ["no container at all", { ".env": DOTENV }],
    [
      "the compose service name",
      {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app:${PW}@db:5432/app\n",
      },
    ],
    [
      "host network",
      {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    network_mode: host\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\n",
      },
    ],
    [
      "the database's own container",
      {
        "compose.yaml":
          "services:\n  db:\n    image: postgres:16.4-bookworm\n    environment:\n      PGHOST: localhost\n",
      },
    ],
    [
      "not a database",
      {
        "compose.yaml":
          "services:\n  api:\n    build: .\n    environment:\n      API_URL: http://localhost:3000\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("never prints the password", () => {
    const [finding] = findingsOf(rule, { Dockerfile: COPY_ALL, ".env": DOTENV });
    expect(finding?.message).toBe(
      "`DATABASE_URL` points at `localhost:5432` in `.env`, which reaches the container: inside a container `localhost` is the container itself, so the connection is refused (`ECONNREFUSED 127.0.0.1:5432`); use the database's service name (`db`) or its real host",
    );
    expect(finding?.message).not.toContain("password123");
  });
});
