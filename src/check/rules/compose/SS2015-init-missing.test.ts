import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS2015-init-missing.js";

const NODE = 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n';
const project = (compose: string, dockerfile = NODE) => ({ "compose.yaml": compose, Dockerfile: dockerfile });

describe("SS2015 init-missing", () => {
  it.each([
    ["node as PID 1", project("services:\n  app:\n    build: .\n"), ["compose.yaml:2"]],
    [
      "npm start",
      project("services:\n  app:\n    build: .\n", 'FROM node:20.20.2-bookworm-slim\nCMD ["npm", "start"]\n'),
      ["compose.yaml:2"],
    ],
    ["init: false", project("services:\n  app:\n    build: .\n    init: false\n"), ["compose.yaml:2"]],
    [
      "compose entrypoint replaces the image's tini",
      project(
        "services:\n  app:\n    build: .\n    entrypoint: [node, server.js]\n",
        'FROM node:20.20.2-bookworm-slim\nENTRYPOINT ["tini", "--"]\nCMD ["node", "server.js"]\n',
      ),
      ["compose.yaml:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["init: true", project("services:\n  app:\n    build: .\n    init: true\n")],
    [
      "tini entrypoint",
      project(
        "services:\n  app:\n    build: .\n",
        'FROM node:20.20.2-bookworm-slim\nENTRYPOINT ["/sbin/tini", "--"]\nCMD ["node", "s.js"]\n',
      ),
    ],
    [
      "dumb-init in shell form",
      project(
        "services:\n  app:\n    build: .\n",
        "FROM python:3.12.8-slim\nENTRYPOINT dumb-init -- python app.py\n",
      ),
    ],
    [
      "compose command with tini",
      project('services:\n  app:\n    build: .\n    command: ["tini", "--", "node", "s.js"]\n'),
    ],
    ["third-party image", project("services:\n  proxy:\n    image: nginx:1.27.3\n")],
    ["Dockerfile not in the project", { "compose.yaml": "services:\n  app:\n    build: ../other\n" }],
    [
      "init in the override file",
      {
        ...project("services:\n  app:\n    build: .\n"),
        "compose.override.yaml": "services:\n  app:\n    init: true\n",
      },
    ],
    [
      "a one-off job",
      project(
        'services:\n  migrate:\n    build: .\n    restart: "no"\n  app:\n    build: .\n    init: true\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n',
      ),
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("adds `init: true` after the service's last key", () => {
    const files = project(
      "services:\n  app:\n    build: .\n    ports:\n      - 127.0.0.1:3000:3000\n\n  db:\n    image: postgres:16.4\n",
    );
    const fixed = fixedBy(rule, files);
    expect(fixed["compose.yaml"]).toBe(
      "services:\n  app:\n    build: .\n    ports:\n      - 127.0.0.1:3000:3000\n    init: true\n\n  db:\n    image: postgres:16.4\n",
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("names PID 1", () => {
    const files = project(
      "services:\n  app:\n    build: .\n",
      'FROM node:20.20.2-bookworm-slim\nCMD ["npm", "start"]\n',
    );
    expect(findingsOf(rule, files)[0]?.message).toBe(
      "`app` has no init: `npm` runs as PID 1, which reaps no zombies and may not stop on SIGTERM; add `init: true`",
    );
  });
});
