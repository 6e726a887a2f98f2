import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3010-build-time-variable-as-runtime.js";

const VITE = '{ "scripts": { "build": "vite build" }, "devDependencies": { "vite": "^8.3.8" } }\n';
const NEXT = '{ "scripts": { "build": "next build" }, "dependencies": { "next": "16.4.5" } }\n';
const build = (lines: string) =>
  `FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\n${lines}RUN npm run build\nFROM node:20.20.2-bookworm-slim\nCOPY --from=build /app/dist ./dist\n`;

describe("SS3010 build-time-variable-as-runtime", () => {
  it.each([
    [
      "ARG with a default",
      { Dockerfile: build("ARG VITE_API_URL=http://localhost:3000\n"), "package.json": VITE },
      ["Dockerfile:5"],
    ],
    [
      "ARG re-exported as ENV",
      { Dockerfile: build("ARG VITE_API_URL\nENV VITE_API_URL=$VITE_API_URL\n"), "package.json": VITE },
      ["Dockerfile:5"],
    ],
    [
      "NEXT_PUBLIC_ in a Next.js app",
      { Dockerfile: build("ARG NEXT_PUBLIC_SITE_URL=https://staging.example.com\n"), "package.json": NEXT },
      ["Dockerfile:5"],
    ],
    [
      "any name a client file reads",
      {
        Dockerfile: build("ARG API_BASE=http://localhost:8080\n"),
        "package.json": '{ "devDependencies": { "webpack": "5.97.1" } }\n',
        "src/main.ts": "const base = import.meta.env.API_BASE;\n",
      },
      ["Dockerfile:5"],
    ],
    [
      "compose environment of the built service",
      {
        Dockerfile: build(""),
        "package.json": VITE,
        "compose.yaml":
          "services:\n  web:\n    build: .\n    environment:\n      VITE_API_URL: https://api.example.com\n",
      },
      ["compose.yaml:5"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "ARG without a default: a build input",
      { Dockerfile: build("ARG VITE_API_URL\n"), "package.json": VITE },
    ],
    [
      "no bundler that inlines it",
      { Dockerfile: build("ARG VITE_API_URL=http://localhost:3000\n"), "package.json": "{}\n" },
    ],
    ["an ordinary ARG", { Dockerfile: build("ARG NODE_VERSION=20\n"), "package.json": VITE }],
    [
      "compose build args",
      {
        Dockerfile: build("ARG VITE_API_URL\n"),
        "package.json": VITE,
        "compose.yaml":
          "services:\n  web:\n    build:\n      context: .\n      args:\n        VITE_API_URL: https://api.example.com\n",
      },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("explains that the runtime value changes nothing", () => {
    expect(
      findingsOf(rule, {
        Dockerfile: build("ARG VITE_API_URL=http://localhost:3000\n"),
        "package.json": VITE,
      })[0]?.message,
    ).toBe(
      "`VITE_API_URL` is inlined by Vite when the bundle is built: its default is baked into the bundle, and setting `VITE_API_URL` when the container runs changes nothing; build per environment with `--build-arg` (no default) or serve runtime configuration",
    );
  });
});
