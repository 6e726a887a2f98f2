import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2006-writable-root-filesystem.js";

const compose = (...lines: string[]) => ({ "compose.yaml": `${lines.join("\n")}\n` });

describe("SS2006 writable-root-filesystem", () => {
  it.each([
    ["built app", compose("services:", "  app:", "    build: ."), ["compose.yaml:2"]],
    [
      "read_only: false",
      compose("services:", "  app:", "    build: .", "    read_only: false"),
      ["compose.yaml:2"],
    ],
    [
      "each built service",
      compose("services:", "  api:", "    build: ./api", "  worker:", "    build: ./worker"),
      ["compose.yaml:2", "compose.yaml:4"],
    ],
    [
      "override turns it off",
      {
        ...compose("services:", "  app:", "    build: .", "    read_only: true"),
        "compose.override.yaml": "services:\n  app:\n    read_only: false\n",
      },
      ["compose.yaml:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["read_only: true", compose("services:", "  app:", "    build: .", "    read_only: true")],
    ["third-party image", compose("services:", "  db:", "    image: postgres:16.4-bookworm")],
    [
      "from an anchor",
      compose("x-hard: &hard", "  read_only: true", "services:", "  app:", "    <<: *hard", "    build: ."),
    ],
    [
      "from extends",
      compose(
        "services:",
        "  base:",
        "    image: app:1.0.0",
        "    read_only: true",
        "  app:",
        "    extends: base",
        "    build: .",
      ),
    ],
    [
      "from the override file",
      {
        ...compose("services:", "  app:", "    build: ."),
        "compose.override.yaml": "services:\n  app:\n    read_only: true\n",
      },
    ],
    [
      "a database built from its image",
      {
        ...compose("services:", "  db:", "    build: ./db"),
        "db/Dockerfile": "FROM postgres:16.4-bookworm\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("has no fix (what the app writes is not known)", () => {
    const [finding] = findingsOf(rule, compose("services:", "  app:", "    build: ."));
    expect(finding?.fix).toBeUndefined();
    expect(finding?.message).toBe(
      "`app` runs with a writable root file system: set `read_only: true` with a `tmpfs` for `/tmp` (and volumes for what it writes)",
    );
  });
});
