import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2005-service-without-healthcheck.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });
const PLAIN_DOCKERFILE = 'FROM node:20.20.2-bookworm-slim\nUSER node\nCMD ["node", "server.js"]\n';
const HEALTHY_DOCKERFILE =
  'FROM node:20.20.2-bookworm-slim\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "server.js"]\n';

describe("SS2005 service-without-healthcheck", () => {
  it.each([
    ["database", compose("services:", "  db:", "    image: postgres:16.4-bookworm"), ["compose.yaml:2"]],
    [
      "built app whose Dockerfile has no HEALTHCHECK",
      { ...compose("services:", "  app:", "    build: ."), Dockerfile: PLAIN_DOCKERFILE },
      ["compose.yaml:2"],
    ],
    [
      "HEALTHCHECK NONE in the Dockerfile",
      {
        ...compose("services:", "  app:", "    build: ."),
        Dockerfile: 'FROM node:20.20.2-bookworm-slim\nHEALTHCHECK NONE\nCMD ["node", "s.js"]\n',
      },
      ["compose.yaml:2"],
    ],
    [
      "disabled in compose",
      {
        ...compose("services:", "  app:", "    build: .", "    healthcheck:", "      disable: true"),
        Dockerfile: HEALTHY_DOCKERFILE,
      },
      ["compose.yaml:2"],
    ],
    [
      "test NONE",
      compose("services:", "  db:", "    image: redis:7.4.1", "    healthcheck:", '      test: ["NONE"]'),
      ["compose.yaml:2"],
    ],
    [
      "a restart-no service nobody waits on",
      compose("services:", "  db:", "    image: mysql:8.4.3", '    restart: "no"'),
      ["compose.yaml:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "compose healthcheck",
      compose(
        "services:",
        "  db:",
        "    image: postgres:16.4",
        "    healthcheck:",
        '      test: ["CMD", "pg_isready"]',
      ),
    ],
    [
      "Dockerfile HEALTHCHECK",
      { ...compose("services:", "  app:", "    build: ."), Dockerfile: HEALTHY_DOCKERFILE },
    ],
    [
      "HEALTHCHECK in the stage the final one builds on",
      {
        ...compose("services:", "  app:", "    build: ."),
        Dockerfile: `${HEALTHY_DOCKERFILE}FROM node:20.20.2-bookworm-slim AS base\nHEALTHCHECK CMD ["true"]\nFROM base\n`,
      },
    ],
    [
      "a third-party image (its own HEALTHCHECK is unknown)",
      compose("services:", "  proxy:", "    image: nginx:1.27.3"),
    ],
    [
      "a build whose Dockerfile is not in the project",
      compose("services:", "  app:", "    build: ../elsewhere"),
    ],
    [
      "a one-off job",
      {
        ...compose(
          "services:",
          "  migrate:",
          "    build: .",
          '    restart: "no"',
          "  app:",
          "    build: .",
          "    depends_on:",
          "      migrate:",
          "        condition: service_completed_successfully",
          "    healthcheck:",
          '      test: ["CMD", "true"]',
        ),
        Dockerfile: PLAIN_DOCKERFILE,
      },
    ],
    [
      "a healthcheck in the override file",
      {
        ...compose("services:", "  db:", "    image: postgres:16.4"),
        "compose.override.yaml": 'services:\n  db:\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n',
      },
    ],
    ["an override file alone", { "compose.override.yaml": "services:\n  db:\n    image: postgres:16.4\n" }],
    ["a fragment without image or build", compose("services:", "  db:", "    environment:", "      A: b")],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the Dockerfile or the image", () => {
    const app = findingsOf(rule, {
      ...compose("services:", "  app:", "    build: ./api"),
      "api/Dockerfile": PLAIN_DOCKERFILE,
    });
    expect(app[0]?.message).toBe(
      "`app` has no `healthcheck` and `api/Dockerfile` has no `HEALTHCHECK`: nothing can wait for it to be ready, and a wedged process stays `Up`",
    );
    const db = findingsOf(rule, compose("services:", "  db:", "    image: postgres:16.4-bookworm"));
    expect(db[0]?.message).toBe(
      "`db` (postgres) has no `healthcheck`: nothing can wait for it to accept connections",
    );
  });
});
