import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2004-depends-on-without-condition.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });
const DB = ["  db:", "    image: postgres:16.4-bookworm"];
const HEALTHY_DB = [...DB, "    healthcheck:", '      test: ["CMD", "pg_isready"]'];

describe("SS2004 depends-on-without-condition", () => {
  it.each([
    [
      "list form on a database",
      compose("services:", "  app:", "    build: .", "    depends_on:", "      - db", ...DB),
      ["compose.yaml:4"],
    ],
    [
      "flow list",
      compose("services:", "  app:", "    build: .", "    depends_on: [db]", ...DB),
      ["compose.yaml:4"],
    ],
    [
      "map entry without condition",
      compose(
        "services:",
        "  app:",
        "    build: .",
        "    depends_on:",
        "      db:",
        "        restart: true",
        ...HEALTHY_DB,
      ),
      ["compose.yaml:5"],
    ],
    [
      "service_started",
      compose(
        "services:",
        "  app:",
        "    build: .",
        "    depends_on:",
        "      cache:",
        "        condition: service_started",
        "      db:",
        "        condition: service_healthy",
        "  cache:",
        "    image: redis:7.4.1",
        ...HEALTHY_DB,
      ),
      ["compose.yaml:5"],
    ],
    [
      "a service whose Dockerfile has a HEALTHCHECK",
      {
        ...compose(
          "services:",
          "  web:",
          "    image: nginx:1.27.3",
          "    depends_on: [api]",
          "  api:",
          "    build: ./api",
        ),
        "api/Dockerfile":
          'FROM node:20.20.2-bookworm-slim\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "server.js"]\n',
      },
      ["compose.yaml:4"],
    ],
    [
      "a service with a compose healthcheck",
      compose(
        "services:",
        "  web:",
        "    build: .",
        "    depends_on: [api]",
        "  api:",
        "    image: api:1.0.0",
        "    healthcheck:",
        "      test: [CMD, /health]",
      ),
      ["compose.yaml:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "service_healthy",
      compose(
        "services:",
        "  app:",
        "    build: .",
        "    depends_on:",
        "      db:",
        "        condition: service_healthy",
        ...HEALTHY_DB,
      ),
    ],
    [
      "completed one-off",
      compose(
        "services:",
        "  app:",
        "    build: .",
        "    depends_on:",
        "      migrate:",
        "        condition: service_completed_successfully",
        "  migrate:",
        "    build: .",
        '    restart: "no"',
      ),
    ],
    [
      "a dependency without health (nothing to wait on)",
      compose(
        "services:",
        "  web:",
        "    image: nginx:1.27.3",
        "    depends_on: [app]",
        "  app:",
        "    build: .",
      ),
    ],
    ["an unknown dependency", compose("services:", "  app:", "    build: .", "    depends_on: [elsewhere]")],
    [
      "a disabled healthcheck",
      compose(
        "services:",
        "  web:",
        "    build: .",
        "    depends_on: [api]",
        "  api:",
        "    image: api:1.0.0",
        "    healthcheck:",
        "      disable: true",
      ),
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("looks up dependencies declared in an override file", () => {
    const files = {
      ...compose("services:", "  app:", "    build: .", ...DB),
      "compose.override.yaml": "services:\n  app:\n    depends_on:\n      - db\n",
    };
    expect(linesOf(rule, files)).toEqual(["compose.override.yaml:3"]);
  });

  it("names the dependencies and says what to add", () => {
    const files = compose(
      "services:",
      "  app:",
      "    build: .",
      "    depends_on:",
      "      - db",
      "      - cache",
      ...DB,
      "  cache:",
      "    image: redis:7.4.1",
    );
    expect(findingsOf(rule, files).map((f) => f.message)).toEqual([
      "`depends_on: [db, cache]` only waits for `db`, `cache` to start, not to be ready: use the long form with `condition: service_healthy` and give them a `healthcheck`",
    ]);
    const map = compose(
      "services:",
      "  app:",
      "    build: .",
      "    depends_on:",
      "      db: {}",
      ...HEALTHY_DB,
    );
    expect(findingsOf(rule, map)[0]?.message).toBe(
      "`app` depends on `db` without `condition`, which only waits for it to start, not to be ready: use `condition: service_healthy`",
    );
  });
});
