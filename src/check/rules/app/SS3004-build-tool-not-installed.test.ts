import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3004-build-tool-not-installed.js";

const NODE = "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\n";
const PYTHON = "FROM python:3.12.7-slim-bookworm\nWORKDIR /app\nCOPY . .\n";
const pkg = (scripts: Record<string, string>, dev: string[] = [], deps: string[] = []) =>
  JSON.stringify(
    {
      scripts,
      dependencies: Object.fromEntries(deps.map((name) => [name, "1.0.0"])),
      devDependencies: Object.fromEntries(dev.map((name) => [name, "1.0.0"])),
    },
    null,
    2,
  );

describe("SS3004 build-tool-not-installed", () => {
  it.each([
    [
      "tsc global on the author's machine",
      {
        Dockerfile: `${NODE}RUN npm ci\nRUN npm run build\n`,
        "package.json": pkg({ build: "tsc" }, ["@types/node"]),
      },
      ["Dockerfile:5"],
    ],
    [
      "physical line of a multi-line RUN",
      {
        Dockerfile: `${NODE}RUN npm ci \\\n && npm run build \\\n && npm prune --omit=dev\n`,
        "package.json": pkg({ build: "tsc -p ." }),
      },
      ["Dockerfile:5"],
    ],
    [
      "tool behind a nested script",
      {
        Dockerfile: `${NODE}RUN npm ci && npm run build\n`,
        "package.json": pkg({ build: "npm run compile", compile: "nest build" }, ["typescript"]),
      },
      ["Dockerfile:4"],
    ],
    [
      "devDependency left out by --omit=dev",
      {
        Dockerfile: `${NODE}RUN npm ci --omit=dev\nRUN npm run build\n`,
        "package.json": pkg({ build: "tsc" }, ["typescript"]),
      },
      ["Dockerfile:5"],
    ],
    [
      "devDependency left out by NODE_ENV=production",
      {
        Dockerfile: `${NODE}ENV NODE_ENV=production\nRUN npm ci\nRUN npm run build\n`,
        "package.json": pkg({ build: "vite build" }, ["vite"]),
      },
      ["Dockerfile:6"],
    ],
    [
      "tsc run directly is not on PATH",
      { Dockerfile: `${NODE}RUN npm ci\nRUN tsc -p .\n`, "package.json": pkg({}, ["typescript"]) },
      ["Dockerfile:5"],
    ],
    [
      "node_modules/.bin/tsc of a devDependency the install left out",
      {
        Dockerfile: `${NODE}RUN npm ci --omit=dev\nRUN node_modules/.bin/tsc\n`,
        "package.json": pkg({ build: "tsc" }, ["typescript"]),
      },
      ["Dockerfile:5"],
    ],
    [
      "node_modules/.bin/tsc of a package that is not a dependency",
      { Dockerfile: `${NODE}RUN npm ci\nRUN node_modules/.bin/tsc\n`, "package.json": pkg({ build: "tsc" }) },
      ["Dockerfile:5"],
    ],
    [
      "pnpm without corepack",
      { Dockerfile: `${NODE}RUN pnpm install --frozen-lockfile\n` },
      ["Dockerfile:4"],
    ],
    [
      "poetry on the python image",
      { Dockerfile: `${PYTHON}RUN poetry install --no-root\n` },
      ["Dockerfile:4"],
    ],
    ["uv on the python image", { Dockerfile: `${PYTHON}RUN uv sync --frozen\n` }, ["Dockerfile:4"]],
    [
      "in a build stage too",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nFROM node:20.20.2-bookworm-slim\nCOPY --from=build /app/dist ./dist\n`,
        "package.json": pkg({ build: "tsc" }),
      },
      ["Dockerfile:4"],
    ],
    [
      "the package.json the stage copies, not the root one",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY web/package*.json ./\nRUN npm ci\nCOPY web ./\nRUN npm run build\n`,
        "package.json": pkg({ build: "tsc" }, ["typescript"]),
        "web/package.json": pkg({ build: "vite build" }, ["typescript"]),
      },
      ["Dockerfile:6"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "typescript is a devDependency",
      {
        Dockerfile: `${NODE}RUN npm ci\nRUN npm run build\n`,
        "package.json": pkg({ build: "tsc" }, ["typescript"]),
      },
    ],
    [
      "installed globally first",
      {
        Dockerfile: `${NODE}RUN npm install -g typescript@5.9.3\nRUN tsc -p . && npm run build\n`,
        "package.json": pkg({ build: "tsc" }),
      },
    ],
    [
      "installed globally in a parent stage",
      {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS base\nRUN npm i -g @nestjs/cli@10.4.9\nFROM base AS build\nWORKDIR /app\nCOPY . .\nRUN npm run build\n",
        "package.json": pkg({ build: "nest build" }),
      },
    ],
    ["corepack enable", { Dockerfile: `${NODE}RUN corepack enable && pnpm install --frozen-lockfile\n` }],
    ["corepack pnpm", { Dockerfile: `${NODE}RUN corepack pnpm install --frozen-lockfile\n` }],
    ["yarn ships with the node image", { Dockerfile: `${NODE}RUN yarn install --frozen-lockfile\n` }],
    [
      "pip install poetry first",
      { Dockerfile: `${PYTHON}RUN pip install poetry==1.8.4 && poetry install\n` },
    ],
    [
      "uv copied from its image",
      {
        Dockerfile: `${PYTHON}COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /uvx /bin/\nRUN uv sync --frozen\n`,
      },
    ],
    [
      "not an official image",
      { Dockerfile: "FROM example.com/builders/node:20\nRUN tsc\nRUN pnpm install\n" },
    ],
    [
      "node_modules/.bin on PATH",
      {
        Dockerfile: `${NODE}ENV PATH=/app/node_modules/.bin:$PATH\nRUN npm ci && tsc\n`,
        "package.json": pkg({}, ["typescript"]),
      },
    ],
    [
      "node_modules/.bin/tsc after the lockfile install of a parent stage (what init writes)",
      {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\nFROM deps AS build\nCOPY . .\nRUN node_modules/.bin/tsc -p tsconfig.build.json\n",
        "package.json": pkg({ build: "tsc -p tsconfig.build.json" }, ["typescript"]),
        "package-lock.json": "{}",
      },
    ],
    [
      "node_modules/.bin/vite of a production dependency after --omit=dev",
      {
        Dockerfile: `${NODE}RUN npm ci --omit=dev\nRUN node_modules/.bin/vite build\n`,
        "package.json": pkg({ build: "vite build" }, [], ["vite"]),
      },
    ],
    ["npx fetches what it runs", { Dockerfile: `${NODE}RUN npx tsc --version\n` }],
    [
      "devDependency with --include=dev",
      {
        Dockerfile: `${NODE}ENV NODE_ENV=production\nRUN npm ci --include=dev && npm run build\n`,
        "package.json": pkg({ build: "tsc" }, ["typescript"]),
      },
    ],
    [
      "node_modules copied from a deps stage",
      {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS deps\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci --omit=dev\nFROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nRUN npm run build\n",
        "package.json": pkg({ build: "next build" }, [], ["next"]),
      },
    ],
    ["unknown script", { Dockerfile: `${NODE}RUN npm run lint\n`, "package.json": pkg({ build: "tsc" }) }],
    [
      "RUN heredoc with a cache mount",
      {
        Dockerfile: `${NODE}RUN --mount=type=cache,target=/root/.npm <<EOF\nnpm ci\nnpm run build\nEOF\n`,
        "package.json": pkg({ build: "tsc" }, ["typescript"]),
      },
    ],
    [
      "a subdirectory package with its tool",
      {
        Dockerfile: `FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY web/package*.json ./\nRUN npm ci\nCOPY web ./\nRUN npm run build\n`,
        "package.json": pkg({ build: "vite build" }),
        "web/package.json": pkg({ build: "vite build" }, ["vite"]),
      },
    ],
    [
      "pnpm copied from a stage into a bin directory",
      {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim AS tools\nRUN npm i -g pnpm@9.15.0\nFROM node:20.20.2-bookworm-slim\nCOPY --from=tools /usr/local/bin/pnpm /usr/local/bin/\nRUN pnpm install\n",
      },
    ],
    [
      "an installer piped to a shell",
      { Dockerfile: `${NODE}RUN curl -fsSL https://example.com/install.sh | bash\nRUN pnpm install\n` },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says a node_modules/.bin tool's devDependency was left out", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${NODE}ENV NODE_ENV=production\nRUN npm ci\nRUN node_modules/.bin/tsc\n`,
      "package.json": pkg({ build: "tsc" }, ["typescript"]),
    });
    expect(finding?.message).toBe(
      "`node_modules/.bin/tsc` comes from `typescript`, a devDependency, and this stage installs without dev dependencies (`--omit=dev` or `NODE_ENV=production`): the build fails with `node_modules/.bin/tsc: not found`",
    );
  });

  it("says which package is missing and relates the script", () => {
    const [finding] = findingsOf(rule, {
      Dockerfile: `${NODE}RUN npm ci\nRUN npm run build\n`,
      "package.json": pkg({ build: "tsc" }, ["@types/node"]),
    });
    expect(finding?.message).toBe(
      "`npm run build` runs `tsc` (script `build`), but `typescript` is neither a dependency nor a devDependency in `package.json` and nothing installs it in this stage: the build fails with `tsc: not found`; add it with `npm install -D typescript`",
    );
    expect(finding?.related).toEqual([
      { file: "package.json", line: 3, column: 1, message: "script `build`" },
    ]);
  });
});
