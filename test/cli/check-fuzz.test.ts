/**
 * Fuzzes the pure core of `shipshape check` (treeFromFiles → projectFacts → runRules, plus
 * applying the fixes and checking again) with mutated copies of the fixture apps: byte flips,
 * line deletions/duplications/swaps, truncation, continuations, unterminated heredocs,
 * unbalanced quotes and brackets, tabs/CRLF/BOM, YAML anchors and aliases (an alias bomb
 * included), 100 KB lines, NUL bytes, lone surrogates, deep nesting. Deterministic: a fixed seed
 * per batch, so a failure names a case that reproduces. Whatever the input, the check must not
 * throw, and every finding must point into a file it was given, with fix edits inside the file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { runRules } from "../../src/check/engine.js";
import { projectFacts } from "../../src/check/facts/project.js";
import { treeFromFiles, wantsText } from "../../src/check/facts/tree.js";
import { applyFixes } from "../../src/check/fix.js";
import type { Location } from "../../src/check/types.js";
import { ROOT } from "../support/cli.js";

const SEED = 0xf022_2026;
const BATCHES = 30;
const CASES_PER_BATCH = 100;

type Files = Record<string, string>;

// ---------------------------------------------------------------- seeds: the fixture apps

function readApp(dir: string): Files {
  const files: Files = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
        continue;
      }
      const path = relative(dir, full).split("\\").join("/");
      if (/^(?:README|DEFECTS|TRAP)\.md$/.test(path)) continue;
      // Files the checker does not read only need to exist; their content is irrelevant.
      files[path] = wantsText(path) ? readFileSync(full, "utf8") : "";
    }
  };
  walk(dir);
  return files;
}

function fixtureApps(): Array<{ name: string; files: Files }> {
  const base = join(ROOT, "test/fixtures/apps");
  const apps: Array<{ name: string; files: Files }> = [];
  const visit = (dir: string): void => {
    const names = readdirSync(dir, { withFileTypes: true });
    if (names.some((entry) => entry.isFile() && entry.name === "Dockerfile")) {
      apps.push({ name: relative(base, dir), files: readApp(dir) });
      return;
    }
    for (const entry of names) if (entry.isDirectory()) visit(join(dir, entry.name));
  };
  visit(base);
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}

/** A seed with the syntax the fixtures lack: ARG before FROM, heredocs, mounts, anchors, extends. */
const RICH: Files = {
  Dockerfile: [
    "# syntax=docker/dockerfile:1.7",
    "ARG NODE_VERSION=20.11.1",
    "ARG BASE=node:${NODE_VERSION}-bookworm-slim",
    "FROM --platform=$BUILDPLATFORM ${BASE} AS deps",
    "WORKDIR /app",
    "COPY package.json package-lock.json ./",
    "RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
    "",
    "FROM deps AS build",
    "COPY . .",
    "RUN <<EOF",
    "set -eux",
    "npm run build",
    "npm prune --omit=dev",
    "EOF",
    "COPY <<-EOT /etc/app.json",
    '\t{"port": 3000}',
    "\tEOT",
    "RUN apt-get update \\",
    "    && apt-get install -y --no-install-recommends \\",
    "        curl \\",
    "    # a comment inside the continuation",
    "        ca-certificates \\",
    "    && rm -rf /var/lib/apt/lists/*",
    "ENV API_KEY=not-a-real-key-FAKE0000 OTHER=1",
    "",
    "FROM node:latest",
    "WORKDIR /app",
    "COPY --from=build --chown=node:node /app/dist ./dist",
    "COPY --from=0 /app/node_modules ./node_modules",
    "USER node",
    "EXPOSE 3000/tcp 9229",
    'HEALTHCHECK --interval=10s CMD ["node", "-e", "process.exit(0)"]',
    'ENTRYPOINT ["/usr/bin/tini", "--"]',
    "CMD npm start",
    "",
  ].join("\n"),
  "worker.Dockerfile": [
    "# escape=`",
    "FROM python:3.12-slim",
    "RUN pip install `",
    "    fastapi `",
    "    uvicorn",
    'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]',
    "",
  ].join("\r\n"),
  "compose.yaml": [
    "x-defaults: &defaults",
    "  restart: unless-stopped",
    "  env_file: .env",
    "x-limits: &limits",
    "  mem_limit: 256m",
    "services:",
    "  api:",
    "    <<: [*defaults, *limits]",
    "    build:",
    "      context: .",
    "      dockerfile: Dockerfile",
    "      target: build",
    "    image: ${REGISTRY:-ghcr.io/example}/api:${TAG:-latest}",
    "    ports:",
    '      - "127.0.0.1:${API_PORT:-3000}:3000"',
    "      - target: 9229",
    '        published: "9229"',
    "        protocol: tcp",
    "    environment:",
    "      - DATABASE_URL=postgres://app:${DB_PASSWORD:-changeme}@db:5432/app",
    "      - PASSTHROUGH",
    "    depends_on:",
    "      db:",
    "        condition: service_healthy",
    "    healthcheck:",
    '      test: ["CMD", "curl", "-f", "http://localhost:3000/healthz"]',
    "  worker:",
    "    extends:",
    "      service: api",
    "    build:",
    "      context: .",
    "      dockerfile: worker.Dockerfile",
    "    depends_on: [db]",
    "  db:",
    "    <<: *defaults",
    "    image: postgres:16",
    "    environment:",
    "      POSTGRES_PASSWORD: hunter2-not-real",
    "    networks: [backend]",
    "networks:",
    "  backend:",
    "    internal: true",
    "",
  ].join("\n"),
  "package.json": JSON.stringify(
    {
      name: "rich",
      scripts: { start: "node dist/server.js", build: "tsc" },
      dependencies: { express: "^4.0.0", pg: "^8.0.0" },
      devDependencies: { typescript: "^5.0.0" },
    },
    null,
    2,
  ),
  "package-lock.json": "",
  ".dockerignore": "node_modules\n.git\n**/*.md\n!README.md\n/secrets\n",
  ".env": "DB_PASSWORD=not-real-FAKE\nexport TOKEN='x'\n",
  "src/server.ts": [
    'import express from "express";',
    "const app = express();",
    "const port = Number(process.env.PORT ?? 3000);",
    'if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL");',
    'app.get("/healthz", (_req, res) => res.send("ok"));',
    'const server = app.listen(port, "0.0.0.0");',
    'process.on("SIGTERM", () => server.close());',
    "",
  ].join("\n"),
  "app/main.py":
    'import os\nDB = os.environ["DATABASE_URL"]\nuvicorn.run(app, host="127.0.0.1", port=8000)\n',
  "requirements.txt": "fastapi==0.110.0\nuvicorn\n",
};

const SEEDS = [...fixtureApps(), { name: "rich (inline)", files: RICH }];

// ---------------------------------------------------------------- randomness (mulberry32)

interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (list) => list[Math.floor(next() * list.length)]!,
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------- mutations

const NASTY = [
  "\\",
  "`",
  '"',
  "'",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  "$",
  "${",
  "$(",
  "<<",
  "<<EOF",
  ":",
  ": ",
  "- ",
  "#",
  "&",
  "*",
  "|",
  ">",
  "=",
  ",",
  "@",
  "\t",
  "\r",
  "\n",
  "\r\n",
  "\u0000",
  "\ufeff",
  "\ud800",
  "\udfff",
  "\u2028",
  "\u00e9",
  "😀",
  " ",
  "--",
  "--mount=",
  "--from=",
  "!",
  "?",
  "%",
  "0",
  "-1",
  "99999999999",
  "NaN",
];

const DOCKERFILE_LINES = [
  "FROM",
  "FROM ",
  "FROM scratch",
  "FROM $UNSET AS",
  "FROM ${A:-${B}} AS x y z",
  "FROM node:latest AS deps",
  "FROM deps",
  "FROM 0",
  "ARG",
  "ARG =",
  "ARG X=",
  "ARG A=${A}",
  "ENV",
  "ENV =",
  "ENV A",
  'ENV A="unterminated',
  "ENV PASSWORD=hunter2-FAKE SECRET_KEY sk-proj-FAKEFAKEFAKEFAKEFAKEFAKE",
  "LABEL",
  "USER",
  "USER :",
  "USER root",
  "WORKDIR",
  "WORKDIR ../../..",
  "COPY",
  "COPY --from=",
  "COPY --from=99 / /",
  "COPY --from=deps",
  "COPY [",
  'COPY ["a",',
  "COPY <<EOF",
  "COPY <<EOF <<EOF2 /x",
  "ADD http:// /",
  "RUN",
  "RUN <<EOF",
  "RUN <<'EOF' python3",
  "RUN <<-",
  "RUN [",
  "RUN []",
  'RUN ["npm"',
  "RUN --mount",
  "RUN --mount=type=cache,,==,target",
  "RUN --mount=type=secret,id=x npm install",
  "RUN npm install && npm ci || yarn; pnpm i | sh",
  "RUN curl -fsSL https://example.invalid | sh",
  "RUN apt-get install -y \\",
  "RUN (((((",
  "RUN if then fi done",
  "EXPOSE",
  "EXPOSE -1 99999999 a/b 80-",
  "HEALTHCHECK",
  "HEALTHCHECK CMD",
  "HEALTHCHECK NONE",
  "HEALTHCHECK --interval= CMD [",
  "CMD",
  "CMD []",
  "CMD [1, 2]",
  'CMD ["a"',
  "ENTRYPOINT",
  "ONBUILD",
  "ONBUILD ONBUILD FROM",
  "SHELL",
  "SHELL []",
  "STOPSIGNAL",
  "VOLUME",
  "MAINTAINER",
  "BOGUS instruction",
  "# escape=`",
  "# escape=\\",
  "# syntax=",
  "# shipshape-ignore SS",
  "# hadolint ignore=",
  "\\",
  "`",
];

const YAML_LINES = [
  "services:",
  "services: []",
  "services: ~",
  "services: 1",
  "  x:",
  "  x: ~",
  "  x: []",
  "  x: &x",
  "    <<: *x",
  "    <<: [*x, *y]",
  "    <<: 1",
  "    extends: x",
  "    extends:",
  "      service: x",
  "      file: ../../etc/passwd",
  "    build:",
  "    build: ~",
  "    build: [1]",
  "      context: ../..",
  "      dockerfile: /abs/Dockerfile",
  "      dockerfile: ../Dockerfile",
  "    image:",
  "    image: ${",
  "    image: ${X:?}",
  "    image: :@",
  "    ports: [':::', '-1:99999999', 'a:b/c', '1-:2', '${P}']",
  "    ports:",
  "      - target:",
  "      - target: x",
  "        published: [1]",
  "      - 0",
  "    environment:",
  "    environment: [A, =, '=x', 'B=${C:-${D}}']",
  "    environment: {A: {B: C}}",
  "      - A",
  "      A:",
  "    depends_on:",
  "    depends_on: x",
  "    depends_on: {x: ~, y: {condition: []}}",
  "    depends_on: [x, [y]]",
  "    healthcheck: {test: []}",
  "    healthcheck: {test: 1, disable: maybe}",
  "    healthcheck:",
  "      test: [CMD-SHELL]",
  "    command: [[]]",
  "    volumes: [':', '::::', {type: bind}]",
  "    networks: {a: ~}",
  "    read_only: maybe",
  "    cap_drop: ALL",
  "    deploy: {resources: {limits: {memory: []}}}",
  "networks: [a]",
  "networks:",
  "  a: {internal: [true]}",
  "version: [3]",
  "x-a: &a {<<: *a}",
  "x-b: &b [*b]",
  "? [complex, key]",
  ": value",
  "---",
  "...",
  "%YAML 1.1",
  "!!binary aGVsbG8=",
  "key: !custom tag",
  "key: |",
  "key: >-",
  "- item",
  "*undefined_alias",
  "&dangling",
  "'unterminated",
  '"unterminated',
  "{unbalanced: [",
  "]",
];

/** A line of about 100 KB: `unit` repeated. */
function kb100(unit: string): string {
  return unit.repeat(Math.ceil((100 * 1024) / unit.length));
}

function lines(text: string): string[] {
  return text.split("\n");
}

/** An alias bomb: each level references the previous one nine times (9^depth nodes when expanded). */
function aliasBomb(depth: number, intoService: boolean): string {
  const out = ['x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  let previous = "a";
  for (let i = 0; i < depth; i++) {
    const name = `b${i}`;
    out.push(`x-${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    previous = name;
  }
  if (intoService) {
    out.push(
      `x-m: &m {command: *${previous}, environment: *${previous}, ports: *${previous}, volumes: *${previous}}`,
      "services:",
      "  app:",
      "    <<: *m",
      "    build: .",
      `    depends_on: *${previous}`,
      `    cap_drop: *${previous}`,
      "  other:",
      "    <<: [*m, *m, *m]",
      "    extends: {service: app}",
    );
  }
  return out.join("\n");
}

function deepNesting(r: Rng, kind: "json" | "yaml" | "flow"): string {
  const depth = r.pick([50, 200, 1000]);
  if (kind === "json") return `{"scripts": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
  if (kind === "flow") return `services: ${"[".repeat(depth)}${"]".repeat(depth)}`;
  let out = "services:\n";
  for (let i = 0; i < Math.min(depth, 400); i++) out += `${" ".repeat(2 * (i + 1))}k${i}:\n`;
  return out;
}

const LONG_UNITS: Record<string, string[]> = {
  Dockerfile: [
    "RUN echo a && ",
    "x",
    "${A:-",
    "$(",
    "\\ ",
    '"',
    "npm install && ",
    "--mount=type=cache ",
    "a=b ",
  ],
  compose: ["a", "- ", "[", "{a: ", "*a, ", "${X:-", "'", " "],
  other: ["a", "process.env.X ", "listen(", "// ", '"', "\\", "=", "sk-proj-FAKEFAKE ", "*", "**/", "("],
};

/** A long line of a repeated unit: `size` characters. */
function longLine(r: Rng, kind: string, size: number): string {
  const unit = r.pick(LONG_UNITS[kind] ?? LONG_UNITS.other!);
  const prefix = kind === "Dockerfile" ? r.pick(["RUN ", "ENV A=", "COPY ", "FROM ", "# ", ""]) : "";
  return prefix + unit.repeat(Math.ceil(size / unit.length));
}

type Mutation = (text: string, r: Rng, kind: string) => string;

const at = (text: string, r: Rng): number => r.int(0, text.length);

const MUTATIONS: Array<[number, string, Mutation]> = [
  [
    6,
    "flip",
    (t, r) => {
      if (t.length === 0) return r.pick(NASTY);
      const i = r.int(0, t.length - 1);
      return t.slice(0, i) + r.pick(NASTY) + t.slice(i + 1);
    },
  ],
  [
    3,
    "byte",
    (t, r) => {
      const i = at(t, r);
      return t.slice(0, i) + String.fromCharCode(r.int(0, 0xffff)) + t.slice(i);
    },
  ],
  [
    4,
    "delete-line",
    (t, r) => {
      const ls = lines(t);
      ls.splice(r.int(0, ls.length - 1), 1);
      return ls.join("\n");
    },
  ],
  [
    3,
    "duplicate-line",
    (t, r) => {
      const ls = lines(t);
      const i = r.int(0, ls.length - 1);
      ls.splice(i, 0, ...Array(r.pick([1, 1, 2, 20])).fill(ls[i] ?? ""));
      return ls.join("\n");
    },
  ],
  [
    3,
    "swap-lines",
    (t, r) => {
      const ls = lines(t);
      const i = r.int(0, ls.length - 1);
      const j = r.int(0, ls.length - 1);
      [ls[i], ls[j]] = [ls[j] ?? "", ls[i] ?? ""];
      return ls.join("\n");
    },
  ],
  [3, "truncate", (t, r) => t.slice(0, at(t, r))],
  [
    3,
    "continuation",
    (t, r) => {
      const ls = lines(t);
      const i = r.int(0, ls.length - 1);
      ls[i] = `${ls[i] ?? ""}${r.pick([" \\", "\\", " `", " \\ ", "\\\t"])}`;
      return ls.join("\n");
    },
  ],
  [
    3,
    "heredoc",
    (t, r) => {
      const ls = lines(t);
      const head = r.pick([
        "RUN <<EOF",
        "RUN <<-EOT bash",
        "COPY <<EOF /x",
        "RUN <<A <<B",
        "RUN cat <<'X' > /f",
      ]);
      ls.splice(r.int(0, ls.length), 0, head, ...(r.chance(0.5) ? ["echo body", "\tEOF"] : []));
      return ls.join("\n");
    },
  ],
  [
    4,
    "insert-line",
    (t, r, kind) => {
      const ls = lines(t);
      const pool = kind === "Dockerfile" ? DOCKERFILE_LINES : kind === "compose" ? YAML_LINES : NASTY;
      ls.splice(r.int(0, ls.length), 0, r.pick(pool));
      return ls.join("\n");
    },
  ],
  [
    3,
    "unbalanced",
    (t, r) => {
      const i = at(t, r);
      return (
        t.slice(0, i) +
        r.pick(['"', "'", "[", "{", "(", "${", "$(", "]", "}", "`", '["', "[[[["]) +
        t.slice(i)
      );
    },
  ],
  [
    2,
    "whitespace",
    (t, r) =>
      r.pick([
        () => t.replace(/^ +/gm, "\t"),
        () => t.replace(/\n/g, "\r\n"),
        () => t.replace(/\n/g, "\r"),
        () => `\ufeff${t}`,
        () => `\ufeff\ufeff${t}`,
        () => t.replace(/ /g, "\u00a0"),
        () => t.replace(/\n/g, "\n\n"),
        () => `${t}\n\n\n   \t`,
      ])(),
  ],
  [
    3,
    "yaml-alias",
    (t, r) => {
      const ls = lines(t);
      const name = r.pick(["a", "x", "defaults", "b0"]);
      const i = r.int(0, ls.length - 1);
      ls[i] = r.pick([
        `${ls[i] ?? ""} &${name}`,
        `${ls[i] ?? ""} *${name}`,
        `${(ls[i] ?? "").replace(/:\s.*$/, ":")} *${name}`,
        `${(ls[i] ?? "").match(/^\s*/)?.[0] ?? ""}<<: *${name}`,
        `${(ls[i] ?? "").match(/^\s*/)?.[0] ?? ""}<<: [*${name}, *${name}]`,
      ]);
      return ls.join("\n");
    },
  ],
  [1, "alias-bomb", (t, r) => (r.chance(0.5) ? `${aliasBomb(r.int(3, 9), true)}\n${t}` : aliasBomb(9, true))],
  [
    2,
    // Long, not 100 KB: the 100 KB lines are the edge cases below (each costs about a second).
    "long-line",
    (t, r, kind) => {
      const ls = lines(t);
      ls.splice(r.int(0, ls.length), 0, longLine(r, kind, r.pick([256, 1024, 4096])));
      return ls.join("\n");
    },
  ],
  [
    2,
    "nul",
    (t, r) => {
      const i = at(t, r);
      return `${t.slice(0, i)}${"\u0000".repeat(r.pick([1, 8, 4096]))}${t.slice(i)}`;
    },
  ],
  [
    2,
    "lone-surrogate",
    (t, r) => {
      const i = at(t, r);
      return t.slice(0, i) + r.pick(["\ud800", "\udc00", "\udbff", "\ud83d"]) + t.slice(i);
    },
  ],
  [1, "empty", () => ""],
  [
    1,
    "deep",
    (_t, r, kind) => deepNesting(r, kind === "package.json" ? "json" : r.chance(0.5) ? "flow" : "yaml"),
  ],
  [
    1,
    "garbage",
    (_t, r) => {
      let out = "";
      const n = r.int(1, 400);
      for (let i = 0; i < n; i++)
        out += r.chance(0.5) ? r.pick(NASTY) : String.fromCharCode(r.int(0, 0x2fff));
      return out;
    },
  ],
];

const TOTAL_WEIGHT = MUTATIONS.reduce((sum, [weight]) => sum + weight, 0);

function pickMutation(r: Rng): [string, Mutation] {
  let x = r.next() * TOTAL_WEIGHT;
  for (const [weight, name, mutate] of MUTATIONS) {
    x -= weight;
    if (x < 0) return [name, mutate];
  }
  const last = MUTATIONS.at(-1)!;
  return [last[1], last[2]];
}

function kindOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (/Dockerfile|Containerfile/.test(name) && !name.endsWith(".dockerignore")) return "Dockerfile";
  if (/compose.*\.ya?ml$/.test(name)) return "compose";
  if (name === "package.json") return "package.json";
  if (name.endsWith(".dockerignore")) return ".dockerignore";
  if (name.startsWith(".env")) return ".env";
  return "code";
}

const KIND_WEIGHT: Record<string, number> = {
  Dockerfile: 5,
  compose: 4,
  "package.json": 2,
  ".dockerignore": 1.5,
  ".env": 1,
  code: 1,
};

interface Case {
  id: string;
  seed: string;
  files: Files;
  /** What was done, for the failure message. */
  steps: string[];
}

function makeCase(r: Rng, id: string): Case {
  const seed = r.pick(SEEDS);
  const files: Files = { ...seed.files };
  const steps: string[] = [];
  // Sometimes give the app a file it lacks, so compose/.dockerignore/.env mutations happen everywhere.
  if (r.chance(0.2)) {
    const extra = r.pick([
      "compose.yaml",
      ".dockerignore",
      ".env",
      "Dockerfile.dev",
      "docker-compose.override.yml",
    ]);
    if (files[extra] === undefined) {
      files[extra] =
        RICH[extra] ?? RICH[extra.startsWith("Dockerfile") ? "Dockerfile" : "compose.yaml"] ?? "";
      steps.push(`add ${extra}`);
    }
  }
  const texts = Object.keys(files).filter(wantsText);
  const weighted = texts.map((path) => [KIND_WEIGHT[kindOf(path)] ?? 1, path] as const);
  const total = weighted.reduce((sum, [w]) => sum + w, 0);
  const targets = r.int(1, 3);
  for (let n = 0; n < targets; n++) {
    let x = r.next() * total;
    let path = weighted[0]?.[1] ?? "Dockerfile";
    for (const [w, candidate] of weighted) {
      x -= w;
      if (x < 0) {
        path = candidate;
        break;
      }
    }
    const kind = kindOf(path);
    const count = r.int(1, 4);
    for (let m = 0; m < count; m++) {
      const [name, mutate] = pickMutation(r);
      files[path] = mutate(files[path] ?? "", r, kind);
      steps.push(`${name} ${path}`);
    }
  }
  return { id, seed: seed.name, files, steps };
}

// ---------------------------------------------------------------- the invariants

function checkLocation(
  where: string,
  location: Location,
  files: Files,
  lineCount: (file: string) => number | undefined,
): string[] {
  const errors: string[] = [];
  const file = location.file;
  if (files[file] === undefined) errors.push(`${where}: file ${JSON.stringify(file)} is not in the input`);
  if (!Number.isInteger(location.line) || location.line < 1) errors.push(`${where}: line ${location.line}`);
  if (!Number.isInteger(location.column) || location.column < 1)
    errors.push(`${where}: column ${location.column}`);
  const count = lineCount(file);
  if (count !== undefined && location.line > count)
    errors.push(`${where}: line ${location.line} is past the end of ${file} (${count} lines)`);
  return errors;
}

/**
 * Runs the check (with `recheck`, applies the fixes and checks the result again); returns what
 * broke, never throws.
 */
function runCase(files: Files, recheck = true): string[] {
  const errors: string[] = [];
  let stage = "treeFromFiles";
  try {
    const tree = treeFromFiles(files);
    stage = "projectFacts";
    const facts = projectFacts(tree);
    stage = "runRules";
    const result = runRules(facts);
    stage = "invariants";
    const lineCount = (file: string) => tree.texts.get(file)?.lineCount;
    for (const problem of result.problems) {
      if (problem.line !== undefined && (!Number.isInteger(problem.line) || problem.line < 1))
        errors.push(`problem in ${problem.file}: line ${problem.line}`);
    }
    for (const finding of result.findings) {
      const where = `${finding.ruleId} at ${finding.location.file}:${finding.location.line}`;
      errors.push(...checkLocation(where, finding.location, files, lineCount));
      for (const related of finding.related ?? [])
        errors.push(...checkLocation(`${where} (related)`, related, files, lineCount));
      for (const edit of finding.fix?.edits ?? []) {
        const created = finding.fix?.creates?.includes(edit.file) ?? false;
        const text = tree.texts.get(edit.file)?.text;
        const label = `${where}: fix edit ${edit.file} [${edit.start}, ${edit.end})`;
        if (created) {
          if (files[edit.file] !== undefined) errors.push(`${label} creates a file that exists`);
          if (edit.start !== 0 || edit.end !== 0) errors.push(`${label} creates a file at a non-zero offset`);
        } else if (text === undefined) {
          errors.push(`${label} edits a file that was not read`);
        } else if (
          !Number.isInteger(edit.start) ||
          !Number.isInteger(edit.end) ||
          edit.start < 0 ||
          edit.start > edit.end ||
          edit.end > text.length
        ) {
          errors.push(`${label} is outside the file (length ${text.length})`);
        }
      }
    }
    if (!recheck || errors.length > 0 || !result.findings.some((finding) => finding.fix)) return errors;
    // The fixed project must be checkable too.
    stage = "applyFixes";
    const outcome = applyFixes(result.findings, (file) => tree.texts.get(file)?.text);
    const fixed: Files = { ...files };
    for (const [file, text] of outcome.files) fixed[file] = text;
    stage = "check after fixes";
    runRules(projectFacts(treeFromFiles(fixed)));
  } catch (error) {
    const err = error as Error;
    const frames = (err.stack ?? "")
      .split("\n")
      .slice(1, 5)
      .map((line) => line.trim());
    errors.push(`${stage} threw ${err.name}: ${err.message.slice(0, 300)} ${frames.join(" < ")}`);
  }
  return errors;
}

function describeFailure(c: Case, errors: string[]): string {
  const changed = Object.entries(c.files)
    .filter(([path, text]) => SEEDS.find((s) => s.name === c.seed)?.files[path] !== text)
    .map(([path, text]) => `  ${path} (${text.length} chars): ${JSON.stringify(text.slice(0, 400))}`);
  return [`case ${c.id} (seed app ${c.seed}; ${c.steps.join(", ")})`, ...errors, ...changed].join("\n");
}

// ---------------------------------------------------------------- the tests

describe("check never throws on broken input (fuzz)", () => {
  it("has seeds to mutate", () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(8);
    for (const seed of SEEDS) expect(runCase(seed.files), seed.name).toEqual([]);
  });

  const edgeCases: Array<[string, Files]> = [
    ["alias bomb as the whole compose file", { "compose.yaml": aliasBomb(9, true), Dockerfile: "FROM x\n" }],
    ["self-referencing merge", { "compose.yaml": "x: &a {<<: *a}\nservices:\n  s:\n    <<: *a\n" }],
    ["recursive anchor", { "compose.yaml": "services: &s\n  a:\n    extends: {service: a}\n    x: *s\n" }],
    [
      "extends cycle",
      { "compose.yaml": "services:\n  a: {extends: b, build: .}\n  b: {extends: {service: a}}\n" },
    ],
    [
      "empty files",
      { Dockerfile: "", "compose.yaml": "", "package.json": "", ".dockerignore": "", ".env": "" },
    ],
    ["only a BOM", { Dockerfile: "\ufeff", "compose.yaml": "\ufeff", "package.json": "\ufeff" }],
    ["NUL bytes", { Dockerfile: "FROM node\u0000\nRUN \u0000", "compose.yaml": "services:\u0000\n  a: {}" }],
    [
      "lone surrogates",
      { Dockerfile: "FROM \ud800\nENV A=\udc00", "compose.yaml": "services:\n  \ud800: {image: \udfff}" },
    ],
    ["unterminated heredoc", { Dockerfile: "FROM node\nRUN <<EOF\nnpm install\nCOPY <<X /a\n" }],
    ["heredoc marker only", { Dockerfile: "FROM node\nRUN <<" }],
    ["continuation at the end", { Dockerfile: "FROM node\nRUN npm install \\" }],
    ["backtick escape at the end", { Dockerfile: "# escape=`\nFROM node\nRUN npm install `" }],
    [
      "100 KB RUN line",
      { Dockerfile: `FROM node:20\nRUN ${kb100("echo a && ")}true\n`, "package.json": "{}" },
    ],
    ["100 KB RUN line of installs", { Dockerfile: `FROM node:20\nRUN ${kb100("npm install && ")}true\n` }],
    ["100 KB RUN line of $(", { Dockerfile: `FROM node:20\nRUN ${kb100("$(")}\nCMD ${kb100("$(")}\n` }],
    [
      "100 KB ENV line",
      { Dockerfile: `FROM node:20\nENV ${kb100("A=b ")}\nENV K=${kb100("sk-proj-FAKE")}\n` },
    ],
    [
      "100 KB COPY line",
      { Dockerfile: `FROM node:20\nCOPY ${kb100("a=b ")} /app/\n`, ".dockerignore": "*\n" },
    ],
    ["100 KB FROM line of ${A:-", { Dockerfile: `ARG A=1\nFROM ${kb100("${A:-")}\n` }],
    ["100 KB Dockerfile comment", { Dockerfile: `# ${kb100("x")}\nFROM node:20\n` }],
    ["100 KB compose scalar", { "compose.yaml": `services:\n  a:\n    image: ${kb100("a")}\n` }],
    ["100 KB compose sequence", { "compose.yaml": `services:\n  a:\n    ports: [${kb100("1, ")}1]\n` }],
    [
      "100 KB compose interpolation",
      { "compose.yaml": `services:\n  a:\n    environment:\n      - A=${kb100("${X:-")}\n` },
    ],
    [
      "100 KB .dockerignore lines",
      {
        Dockerfile: "FROM node\nCOPY . .\n",
        ".dockerignore": `${kb100("*")}\n${kb100("**/")}\n${kb100("(")}\n`,
        "a.txt": "",
      },
    ],
    [
      "100 KB .env line",
      { ".env": `A=${kb100("x")}\nB=${kb100("'")}\n`, "compose.yaml": "services:\n  a: {image: x}\n" },
    ],
    [
      "100 KB source line",
      {
        "src/server.js": kb100("process.env.X || listen( "),
        "package.json": '{"dependencies":{"express":"1"}}',
      },
    ],
    [
      "100 KB package.json script",
      {
        "package.json": JSON.stringify({ scripts: { start: kb100("node a && ") } }),
        Dockerfile: "FROM node\nCMD npm start\n",
      },
    ],
    [
      ".dockerignore patterns that are not regular expressions",
      {
        Dockerfile: "FROM node\nCOPY . .\n",
        ".dockerignore":
          "foo(\n[abc\n[z-a]\na+b|c\n{x}\n^y\n**/**/**/**/**/**/**/**/**/**/zzz\n*a*a*a*a*a*a*a*a*a*a*a*z\n\\\n",
        "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/b.txt": "",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.txt": "",
      },
    ],
    ["deep flow nesting", { "compose.yaml": `services: ${"[".repeat(5000)}${"]".repeat(5000)}` }],
    ["deep JSON nesting", { "package.json": `{"scripts": ${"[".repeat(5000)}${"]".repeat(5000)}}` }],
    [
      "package.json of the wrong shape",
      { "package.json": '{"scripts": [1], "dependencies": "x", "name": 3}' },
    ],
    ["package.json array", { "package.json": "[]", Dockerfile: "FROM node\nRUN npm ci\n" }],
    ["compose top level a list", { "compose.yaml": "- a\n- b\n" }],
    ["multi-document compose", { "compose.yaml": "services: {}\n---\nservices: {a: {image: x}}\n" }],
    [
      "Dockerfile in a subdirectory built from ..",
      {
        "svc/Dockerfile": "FROM node\nCOPY ../x /x\n",
        "compose.yaml": "services:\n  a:\n    build: {context: ../.., dockerfile: ../../svc/Dockerfile}\n",
      },
    ],
    [
      "CR-only line endings",
      {
        Dockerfile: "FROM node\rRUN npm install\rUSER root\r",
        "compose.yaml": "services:\r  a:\r    image: x\r",
      },
    ],
  ];
  it.each(edgeCases)("%s", (_name, files) => {
    expect(runCase(files, false)).toEqual([]);
  });

  for (let batch = 0; batch < BATCHES; batch++) {
    const first = batch * CASES_PER_BATCH;
    it(`mutated fixtures, cases ${first}–${first + CASES_PER_BATCH - 1}`, () => {
      const r = rng(SEED + batch);
      const failures: string[] = [];
      for (let i = 0; i < CASES_PER_BATCH; i++) {
        const c = makeCase(r, `${batch}.${i}`);
        // Fixing and checking again doubles the cost: every fourth case.
        const errors = runCase(c.files, i % 4 === 0);
        if (errors.length > 0) failures.push(describeFailure(c, errors));
      }
      expect(failures).toEqual([]);
    });
  }
});
