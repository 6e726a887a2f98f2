import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS2014-host-node-modules-mounted.js";

const PACKAGE = '{ "name": "app" }\n';
const withVolumes = (...volumes: string[]) => ({
  "compose.yaml": `services:\n  app:\n    build: .\n    volumes:\n${volumes.map((v) => `      ${v}\n`).join("")}`,
  "package.json": PACKAGE,
});

describe("SS2014 host-node-modules-mounted", () => {
  it.each([
    ["project over /app", withVolumes("- .:/app"), ["compose.yaml:5"]],
    ["./ with options", withVolumes('- "./:/usr/src/app:cached"'), ["compose.yaml:5"]],
    ["long syntax", withVolumes("- type: bind", "  source: .", "  target: /app"), ["compose.yaml:5"]],
    [
      "a bind of the host's node_modules does not count",
      withVolumes("- .:/app", "- ./node_modules:/app/node_modules"),
      ["compose.yaml:5"],
    ],
    [
      "a subdirectory package",
      {
        "compose.yaml": "services:\n  web:\n    build: ./web\n    volumes:\n      - ./web:/app\n",
        "web/package.json": PACKAGE,
      },
      ["compose.yaml:5"],
    ],
    [
      "compose file in a subdirectory",
      {
        "deploy/compose.yaml": "services:\n  app:\n    build: ..\n    volumes:\n      - ..:/app\n",
        "package.json": PACKAGE,
      },
      ["deploy/compose.yaml:5"],
    ],
    [
      "in the override file",
      {
        "compose.yaml": "services:\n  app:\n    build: .\n",
        "compose.override.yaml": "services:\n  app:\n    volumes:\n      - .:/app\n",
        "package.json": PACKAGE,
      },
      ["compose.override.yaml:4"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["anonymous volume for node_modules", withVolumes("- .:/app", "- /app/node_modules")],
    ["named volume for node_modules", withVolumes("- .:/app/", "- modules:/app/node_modules")],
    ["long-syntax volume", withVolumes("- .:/app", "- type: volume", "  target: /app/node_modules")],
    [
      "node_modules volume in the base file",
      {
        "compose.yaml": "services:\n  app:\n    build: .\n    volumes:\n      - /app/node_modules\n",
        "compose.override.yaml": "services:\n  app:\n    volumes:\n      - .:/app\n",
        "package.json": PACKAGE,
      },
    ],
    ["a source subdirectory", withVolumes("- ./src:/app/src")],
    [
      "no package.json",
      { "compose.yaml": "services:\n  app:\n    build: .\n    volumes:\n      - .:/app\n" },
    ],
    ["an absolute host path", withVolumes("- /srv/app:/app")],
    ["a named volume", withVolumes("- data:/app")],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says which volume to add", () => {
    expect(findingsOf(rule, withVolumes("- .:/app"))[0]?.message).toBe(
      "`.:/app` mounts `package.json`'s directory over `/app` with no volume for `/app/node_modules`: `app` runs the host's `node_modules` (native modules built for the host OS, or none); add `- /app/node_modules`",
    );
  });
});
