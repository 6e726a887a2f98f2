#!/usr/bin/env node
// Writes a synthetic benchmark corpus for `shipshape check`: ~60 app directories with Dockerfiles,
// compose files, manifests, ignore and env files and a little code. Deterministic: a seeded PRNG
// (never Math.random), so every run writes byte-identical files. Everything here is generated;
// nothing is copied from anywhere. Secrets in it are fake by construction (FAKE…notreal).
//
//   node scripts/corpus.mjs [dir]        (default .bench/corpus)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CORPUS_VERSION = 2;
const MARKER = ".shipshape-corpus.json";
const SEED = 0x5eed_c0de;
const APPS = 60;
const MIN_DOCKERFILES = 220;
const MIN_COMPOSE = 55;

// ---------------------------------------------------------------- randomness (mulberry32)

function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    /** Pick with weights: [[weight, value], …]. */
    weighted: (pairs) => {
      const total = pairs.reduce((sum, [w]) => sum + w, 0);
      let x = next() * total;
      for (const [w, value] of pairs) {
        x -= w;
        if (x < 0) return value;
      }
      return pairs.at(-1)[1];
    },
    some: (list, min, max) => {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy.slice(0, Math.min(copy.length, min + Math.floor(next() * (max - min + 1))));
    },
    alnum: (n, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") => {
      let out = "";
      for (let i = 0; i < n; i++) out += alphabet[Math.floor(next() * alphabet.length)];
      return out;
    },
  };
  return r;
}

// ---------------------------------------------------------------- vocabulary

const WORDS = [
  "billing",
  "orders",
  "catalog",
  "search",
  "auth",
  "gateway",
  "notify",
  "ledger",
  "media",
  "report",
  "inbox",
  "ingest",
  "pricing",
  "profile",
  "session",
  "stock",
  "tracker",
  "upload",
  "webhook",
  "quota",
  "survey",
  "recipes",
  "library",
  "tickets",
  "fleet",
  "garden",
  "metrics",
  "forum",
  "courier",
  "atlas",
];
const SUFFIXES = ["api", "web", "worker", "service", "app", "portal", "svc", "bot", "site", "hub"];
const APT_PACKAGES = [
  "ca-certificates",
  "curl",
  "git",
  "build-essential",
  "python3",
  "make",
  "g++",
  "libpq-dev",
  "tini",
  "dumb-init",
  "gnupg",
  "openssl",
  "locales",
  "tzdata",
  "unzip",
  "jq",
  "wget",
  "libssl-dev",
  "pkg-config",
  "libffi-dev",
  "zlib1g-dev",
  "imagemagick",
  "ffmpeg",
  "postgresql-client",
  "netcat-openbsd",
  "less",
  "procps",
  "vim-tiny",
  "xz-utils",
  "file",
  "libvips-dev",
  "graphicsmagick",
  "fonts-liberation",
  "libnss3",
  "chromium",
  "gosu",
  "rsync",
  "zip",
  "bzip2",
  "patch",
];
const NODE_DEPS = [
  "express",
  "fastify",
  "koa",
  "pg",
  "mysql2",
  "ioredis",
  "mongoose",
  "zod",
  "pino",
  "dotenv",
  "axios",
  "bullmq",
  "prisma",
  "@prisma/client",
  "knex",
  "helmet",
  "cors",
  "jsonwebtoken",
  "bcrypt",
  "sharp",
  "undici",
];
const NODE_DEV_DEPS = [
  "typescript",
  "tsx",
  "vitest",
  "@types/node",
  "eslint",
  "nodemon",
  "ts-node",
  "esbuild",
];
const PY_DEPS = [
  "fastapi",
  "uvicorn",
  "gunicorn",
  "flask",
  "django",
  "psycopg2-binary",
  "sqlalchemy",
  "pydantic",
  "redis",
  "celery",
  "requests",
  "httpx",
  "alembic",
  "boto3",
  "pillow",
  "numpy",
  "python-dotenv",
];
const INFRA = [
  [
    "postgres",
    ["postgres:16", "postgres:15-bookworm", "postgres", "postgres:latest", "postgres:16.2-alpine3.19"],
    5432,
  ],
  ["redis", ["redis:7", "redis:alpine", "redis:7.2.4-bookworm", "redis"], 6379],
  ["mysql", ["mysql:8", "mysql:8.0.36", "mysql:latest"], 3306],
  ["mongo", ["mongo:7", "mongo", "mongo:6.0.14"], 27017],
  ["rabbitmq", ["rabbitmq:3-management", "rabbitmq:3.13.1-management-alpine"], 5672],
  ["nginx", ["nginx:alpine", "nginx:1.25", "nginx:1.25.4-alpine", "nginx"], 80],
  ["minio", ["minio/minio", "minio/minio:RELEASE.2024-03-30T09-41-56Z"], 9000],
  ["mailhog", ["mailhog/mailhog:latest", "mailhog/mailhog"], 8025],
  ["elasticsearch", ["docker.elastic.co/elasticsearch/elasticsearch:8.13.0"], 9200],
  ["kibana", ["docker.elastic.co/kibana/kibana:8.13.0"], 5601],
  ["prometheus", ["prom/prometheus:v2.51.1", "prom/prometheus"], 9090],
  ["grafana", ["grafana/grafana:10.4.1", "grafana/grafana:latest"], 3000],
  ["jaeger", ["jaegertracing/all-in-one:1.56"], 16686],
  ["memcached", ["memcached:1.6-alpine", "memcached"], 11211],
  ["zookeeper", ["bitnami/zookeeper:3.9"], 2181],
  ["kafka", ["bitnami/kafka:3.7", "bitnami/kafka:latest"], 9092],
  ["localstack", ["localstack/localstack:3.3"], 4566],
  ["traefik", ["traefik:v3.0", "traefik:latest"], 8080],
  ["adminer", ["adminer", "adminer:4.8.1"], 8080],
  ["nats", ["nats:2.10-alpine"], 4222],
  ["clickhouse", ["clickhouse/clickhouse-server:24.3"], 8123],
  ["keycloak", ["quay.io/keycloak/keycloak:24.0"], 8080],
  ["vault", ["hashicorp/vault:1.16"], 8200],
  ["mariadb", ["mariadb:11", "mariadb:latest"], 3306],
];

// Fake secrets, assembled at run time so the source of this script holds none.
function fakeSecret(r, kind) {
  const body = () => `FAKE${r.alnum(20)}notreal`;
  switch (kind) {
    case "openai":
      return `${["sk", "proj"].join("-")}-${body()}${r.alnum(12)}`;
    case "github":
      return `${"gh"}p_FAKE${r.alnum(32)}`;
    case "aws":
      return `${"AK"}IAFAKE${r.alnum(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`;
    case "stripe":
      return `${"sk"}_live_FAKE${r.alnum(24)}`;
    case "slack":
      return `${"xo"}xb-FAKE-${r.alnum(12, "0123456789")}-${r.alnum(16)}`;
    default:
      return `not-a-real-${r.alnum(10).toLowerCase()}`;
  }
}

// ---------------------------------------------------------------- Dockerfiles

/**
 * One Dockerfile as lines. `ctx`: { lang, framework, port, pm, hasLock, entry, name, source (dir the
 * app code is in, relative to the build context) }.
 */
function dockerfile(r, ctx) {
  const escapeChar = r.chance(0.06) ? "`" : "\\";
  const cont = ` ${escapeChar}`;
  const out = [];
  const push = (...lines) => out.push(...lines);
  if (r.chance(0.45)) push(`# syntax=docker/dockerfile:${r.pick(["1", "1.7", "1.6", "1-labs"])}`);
  if (escapeChar === "`") push("# escape=`");
  if (r.chance(0.5))
    push(`# ${ctx.name}: ${r.pick(["container image", "production build", "dev image", "CI image"])}`);

  const node = ctx.lang === "node";
  const version = node ? r.pick(["18", "20", "20.11.1", "22", "22.4.0"]) : r.pick(["3.11", "3.12", "3.12.3"]);
  const globalArgs = [];
  if (r.chance(0.4)) {
    const argName = node ? "NODE_VERSION" : "PYTHON_VERSION";
    globalArgs.push(argName);
    push(`ARG ${argName}=${version}`);
    if (r.chance(0.3)) {
      push(
        `ARG BASE_IMAGE=${node ? "node" : "python"}:${version}-${r.pick(["bookworm-slim", "alpine", "slim"])}`,
      );
      globalArgs.push("BASE_IMAGE");
    }
    if (r.chance(0.2)) push("ARG REGISTRY=docker.io");
  }
  const baseImage = () => {
    const lang = node ? "node" : "python";
    return r.weighted([
      [3, `${lang}:${version}-bookworm-slim`],
      [2, `${lang}:${version}-alpine`],
      [2, `${lang}:latest`],
      [1, lang],
      [2, `${lang}:${version}`],
      [1, `${lang}:lts`],
      [1, `${lang}:${version}-slim@sha256:${r.alnum(64, "0123456789abcdef")}`],
      [globalArgs.includes("BASE_IMAGE") ? 6 : 0, "${BASE_IMAGE}"],
      [
        globalArgs.includes("NODE_VERSION") || globalArgs.includes("PYTHON_VERSION") ? 6 : 0,
        `${lang}:\${${node ? "NODE" : "PYTHON"}_VERSION}-bookworm-slim`,
      ],
      [1, `${"${REGISTRY:-docker.io}"}/library/${lang}:${version}`],
    ]);
  };

  const stageCount = r.weighted([
    [3, 1],
    [5, 2],
    [4, 3],
    [2, 4],
    [1, 5],
    [1, 6],
  ]);
  const middle = r.some(["build", "test", "lint", "assets", "prune", "docs"], stageCount - 2, stageCount - 2);
  const stages = stageCount === 1 ? ["final"] : ["deps", ...middle, "runtime"];
  const names = [];
  for (let s = 0; s < stages.length; s++) {
    const role = stages[s];
    const last = s === stages.length - 1;
    if (s > 0) push("");
    if (r.chance(0.35)) push(`# --- ${role} stage ---`);
    const inherit = s > 0 && !last && r.chance(0.35) ? names.at(-1) : undefined;
    const runtimeBase =
      last && stageCount > 1 && r.chance(0.2)
        ? r.pick(
            node
              ? ["gcr.io/distroless/nodejs20-debian12", "gcr.io/distroless/nodejs22-debian12:nonroot"]
              : ["gcr.io/distroless/python3-debian12"],
          )
        : undefined;
    const from = inherit ?? runtimeBase ?? baseImage();
    const platform = r.chance(0.1) ? "--platform=$BUILDPLATFORM " : "";
    const named = stageCount > 1 || r.chance(0.3);
    const keyword = r.chance(0.08) ? "from" : "FROM";
    push(`${keyword} ${platform}${from}${named ? ` ${r.chance(0.1) ? "as" : "AS"} ${role}` : ""}`);
    names.push(role);
    if (r.chance(0.15) && globalArgs.length > 0) push(`ARG ${globalArgs[0]}`);
    if (r.chance(0.15)) push(`MAINTAINER ops-${r.int(1, 99)}@example.invalid`);
    if (r.chance(0.3)) {
      push(`LABEL org.opencontainers.image.title="${ctx.name}"${cont}`);
      push(`      org.opencontainers.image.source="https://example.invalid/${ctx.name}"${cont}`);
      push(`      maintainer="team-${r.alnum(4).toLowerCase()}@example.invalid"`);
    }
    if (r.chance(0.1)) push(`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`);
    push(`WORKDIR ${r.pick(["/app", "/usr/src/app", "/srv", "/home/node/app", "/opt/app", "app"])}`);
    if (runtimeBase) {
      push(`COPY --from=${names[s - 1]} /app /app`);
      push(`CMD ["${node ? ctx.entry : "app/main.py"}"]`);
      continue;
    }
    stageBody(r, ctx, role, last, names, push, cont);
  }
  return out;
}

function aptChain(r, cont, min) {
  const lines = [`RUN apt-get update${cont}`];
  lines.push(`    && apt-get install -y ${r.chance(0.6) ? "--no-install-recommends " : ""}${cont.trim()}`);
  const packages = r.some(APT_PACKAGES, min, APT_PACKAGES.length);
  for (const [i, pkg] of packages.entries()) {
    if (i > 0 && i % 9 === 0 && r.chance(0.6))
      lines.push(`    # ${r.pick(["image tools", "fonts", "debugging", "native modules need these"])}`);
    const pinned = r.chance(0.15) ? `=${r.int(1, 9)}.${r.int(0, 20)}-${r.int(1, 5)}` : "";
    lines.push(`        ${pkg}${pinned}${cont}`);
  }
  if (r.chance(0.3)) lines.push(`    && apt-get upgrade -y${cont}`);
  if (r.chance(0.5)) lines.push(`    && apt-get clean${cont}`);
  lines.push(r.chance(0.7) ? "    && rm -rf /var/lib/apt/lists/*" : "    && echo done");
  return lines;
}

function installLines(r, ctx, cont) {
  if (ctx.lang === "python") {
    return r.weighted([
      [3, ["COPY requirements.txt .", "RUN pip install --no-cache-dir -r requirements.txt"]],
      [2, ["COPY requirements.txt .", "RUN pip install -r requirements.txt"]],
      [
        2,
        [
          "COPY requirements.txt ./",
          "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
        ],
      ],
      [
        1,
        [
          "RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \\".replace(
            "\\",
            cont.trim(),
          ),
          "    pip install --requirement /tmp/requirements.txt",
        ],
      ],
      [1, ["COPY . .", "RUN pip install fastapi uvicorn"]],
    ]);
  }
  const manifest = ctx.hasLock
    ? ctx.pm === "npm"
      ? "package.json package-lock.json ./"
      : ctx.pm === "yarn"
        ? "package.json yarn.lock ./"
        : "package.json pnpm-lock.yaml ./"
    : "package*.json ./";
  return r.weighted([
    [4, [`COPY ${manifest}`, "RUN npm ci"]],
    [3, [`COPY ${manifest}`, "RUN npm install"]],
    [2, [`COPY ${manifest}`, "RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev"]],
    [2, [`COPY ${manifest}`, "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci"]],
    [
      1,
      [
        `COPY ${manifest}`,
        "ARG NPM_TOKEN",
        `RUN echo "//registry.npmjs.org/:_authToken=\${NPM_TOKEN}" > .npmrc && npm ci && rm -f .npmrc`,
      ],
    ],
    [1, ["COPY package.json yarn.lock ./", "RUN yarn install --frozen-lockfile"]],
    [1, ["COPY package.json pnpm-lock.yaml ./", "RUN corepack enable && pnpm install --frozen-lockfile"]],
    [1, ["COPY . .", `RUN npm install --production${cont}`, "    && npm cache clean --force"]],
    [1, ["COPY package.json ./", `RUN ["npm", "install", "--omit=dev"]`]],
  ]);
}

function heredocRun(r, ctx) {
  return r.weighted([
    [
      3,
      [
        "RUN <<EOF",
        "set -eux",
        "apt-get update",
        "apt-get install -y --no-install-recommends curl ca-certificates",
        "rm -rf /var/lib/apt/lists/*",
        "EOF",
      ],
    ],
    [
      2,
      [
        "RUN <<-EOT bash",
        "\tset -e",
        `\techo "building ${ctx.name}"`,
        "\tmkdir -p /app/data /app/tmp",
        "\tchown -R 1000:1000 /app/data",
        "\tEOT",
      ],
    ],
    [
      1,
      [
        `RUN python3 <<'PY'`,
        "import json, pathlib",
        `pathlib.Path("/app/build.json").write_text(json.dumps({"name": "${ctx.name}"}))`,
        "PY",
      ],
    ],
    [
      1,
      [
        `RUN --mount=type=cache,target=/var/cache/apt <<EOF`,
        "apt-get update",
        "apt-get install -y git",
        "EOF",
      ],
    ],
    [
      1,
      [
        `RUN node <<JS`,
        "const fs = require('node:fs');",
        "fs.writeFileSync('/tmp/built', String(Date.now()));",
        "JS",
      ],
    ],
  ]);
}

function heredocCopy(r, ctx) {
  return r.weighted([
    [3, ["COPY <<EOF /etc/app/config.json", `{"name": "${ctx.name}", "port": ${ctx.port}}`, "EOF"]],
    [
      1,
      [
        "COPY <<-EOT /usr/local/bin/healthcheck.sh",
        "\t#!/bin/sh",
        `\twget -qO- http://127.0.0.1:${ctx.port}/healthz || exit 1`,
        "\tEOT",
      ],
    ],
    [1, ["COPY <<one.txt <<two.txt /opt/notes/", "first file", "one.txt", "second file", "two.txt"]],
    [1, ["COPY --chmod=0755 <<'SH' /entrypoint.sh", "#!/bin/sh", "set -e", 'exec "$@"', "SH"]],
  ]);
}

function stageBody(r, ctx, role, last, names, push, cont) {
  const node = ctx.lang === "node";
  const secretEnv = () => {
    const kind = r.pick(["openai", "github", "aws", "stripe", "slack", "plain", "plain"]);
    const name = {
      openai: "OPENAI_API_KEY",
      github: "GITHUB_TOKEN",
      aws: "AWS_ACCESS_KEY_ID",
      stripe: "STRIPE_SECRET_KEY",
      slack: "SLACK_BOT_TOKEN",
      plain: r.pick(["DB_PASSWORD", "JWT_SECRET", "SESSION_SECRET", "ADMIN_PASSWORD"]),
    }[kind];
    return r.chance(0.5) ? `ENV ${name}=${fakeSecret(r, kind)}` : `ENV ${name} ${fakeSecret(r, kind)}`;
  };
  if (role === "deps" || role === "final") {
    if (r.chance(0.35)) push(...aptChain(r, cont, role === "final" ? 6 : 26));
    else if (r.chance(0.25)) push(...heredocRun(r, ctx));
    if (r.chance(0.12))
      push(`RUN curl -fsSL https://example.invalid/install.sh | ${r.pick(["sh", "bash", "sudo bash"])}`);
    if (r.chance(0.06)) push("RUN wget -qO- https://example.invalid/setup | sh -");
    push(...installLines(r, ctx, cont));
  }
  if (role === "build" || role === "final") {
    if (r.chance(0.3))
      push(
        `COPY ${r.pick(["tsconfig.json ./", "src ./src", "--chown=node:node src/ ./src/", '["src", "./src"]'])}`,
      );
    push(r.pick(["COPY . .", "COPY . ./", "ADD . /app", "COPY --link . ."]));
    if (node)
      push(
        r.pick([
          "RUN npm run build",
          "RUN npm run build && npm prune --omit=dev",
          `RUN ["npm", "run", "build"]`,
          "RUN npx tsc -p .",
        ]),
      );
    else if (r.chance(0.5)) push("RUN python -m compileall -q app");
  }
  if (role === "test")
    push("COPY . .", node ? r.pick(["RUN npm test", "RUN npx vitest run"]) : "RUN python -m pytest -q");
  if (role === "lint")
    push(
      "COPY . .",
      node ? "RUN npx eslint . --max-warnings=0 || true" : "RUN pip install ruff && ruff check .",
    );
  if (role === "docs") push("RUN mkdir -p /docs && echo docs > /docs/index.html");
  if (role === "prune")
    push(
      `COPY --from=${names[0]} /app/node_modules ./node_modules`,
      node ? "RUN npm prune --omit=dev" : "RUN true",
    );
  if (role === "assets") {
    push(...heredocCopy(r, ctx));
    if (r.chance(0.5)) push("ADD https://example.invalid/assets/logo.tar.gz /tmp/logo.tar.gz");
  }
  if (!last && r.chance(0.25)) push(...heredocRun(r, ctx));
  if (!last && r.chance(0.15)) push(secretEnv());
  if (!last) return;

  // The shipped stage.
  if (r.chance(0.5))
    push(`ENV ${node ? "NODE_ENV=production" : "PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1"}`);
  if (r.chance(0.15)) push(`ENV PORT=${ctx.port} HOST=0.0.0.0${cont}`, `    LOG_LEVEL=info`);
  if (r.chance(0.3)) push(secretEnv());
  if (r.chance(0.12)) push(`ENV DATABASE_URL=postgres://app:${fakeSecret(r, "plain")}@db:5432/app`);
  if (r.chance(0.1)) push("COPY .env .env");
  if (names.length > 1) {
    const from = r.pick(names.slice(0, -1));
    const chown = r.chance(0.5) ? "--chown=node:node " : "";
    push(
      node
        ? `COPY --from=${from} ${chown}/app/node_modules ./node_modules`
        : `COPY --from=${from} /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages`,
    );
    push(
      `COPY --from=${r.pick(names.slice(0, -1))} ${chown}/app/${node ? "dist" : "app"} ./${node ? "dist" : "app"}`,
    );
    if (r.chance(0.3)) push("COPY --from=0 /app/package.json ./");
    if (r.chance(0.2))
      push(
        `COPY --from=${r.pick(["docker.io/library/busybox:1.36", "tianon/gosu:1.17"])} /bin/busybox /bin/busybox`,
      );
  }
  if (r.chance(0.2)) push(...heredocCopy(r, ctx));
  if (r.chance(0.1)) push("RUN chmod -R 777 /app");
  if (r.chance(0.1)) push("VOLUME /app/data");
  if (r.chance(0.1)) push(r.pick(["ONBUILD COPY . /app", "ONBUILD RUN npm ci"]));
  if (r.chance(0.05)) push("RUN useradd -m app", r.chance(0.5) ? "USER app" : "USER 10001:10001");
  else {
    const user = r.weighted([
      [4, node ? "node" : "nobody"],
      [2, undefined],
      [1, "root"],
      [1, "1000"],
      [1, "app:app"],
    ]);
    if (user === "app:app") push("RUN addgroup --system app && adduser --system --ingroup app app");
    if (user) push(`USER ${user}`);
  }
  const exposes = r.weighted([
    [5, [ctx.port]],
    [1, [ctx.port, 9229]],
    [1, []],
    [1, [`${ctx.port}/tcp`, 22]],
  ]);
  if (exposes.length > 0) push(`EXPOSE ${exposes.join(" ")}`);
  const health = r.weighted([
    [3, undefined],
    [
      2,
      `HEALTHCHECK --interval=30s --timeout=3s --retries=3${cont}\n  CMD curl -fsS http://localhost:${ctx.port}/healthz || exit 1`,
    ],
    [
      2,
      `HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:${ctx.port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]`,
    ],
    [1, "HEALTHCHECK NONE"],
    [1, `HEALTHCHECK --start-period=20s CMD wget -qO- http://127.0.0.1:${ctx.port}/ready`],
  ]);
  if (health) push(...health.split("\n"));
  if (r.chance(0.1)) push("STOPSIGNAL SIGTERM");
  if (r.chance(0.2))
    push(
      `ENTRYPOINT ${r.pick(['["/usr/bin/tini", "--"]', '["dumb-init", "--"]', "/entrypoint.sh", '["docker-entrypoint.sh"]'])}`,
    );
  const cmd = node
    ? r.weighted([
        [4, `CMD ["node", "${ctx.entry}"]`],
        [2, `CMD ["npm", "start"]`],
        [2, "CMD npm start"],
        [1, `CMD node ${ctx.entry}`],
        [1, `CMD ["sh", "-c", "node ${ctx.entry}"]`],
        [1, `CMD ["npm", "run", "dev"]`],
      ])
    : r.weighted([
        [3, `CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "${ctx.port}"]`],
        [2, "CMD python app/main.py"],
        [2, `CMD ["gunicorn", "-b", "0.0.0.0:${ctx.port}", "app.main:app"]`],
        [1, `CMD ["python", "-m", "flask", "run"]`],
      ]);
  push(cmd);
  if (r.chance(0.1)) push("# shipshape-ignore SS1001 pinned by the platform team", "# end");
}

/** A very long RUN chain (30+ physical lines), for throughput and continuation handling. */
function longChain(r, cont) {
  const lines = [`RUN set -eux${cont}`];
  const steps = r.int(30, 70);
  for (let i = 0; i < steps; i++) {
    if (r.chance(0.08)) lines.push(`    # step ${i}: ${r.pick(["fetch", "unpack", "configure", "verify"])}`);
    lines.push(
      `    && ${r.pick([
        `mkdir -p /opt/tool-${i}`,
        `echo "step ${i}" >> /tmp/build.log`,
        `curl -fsSL -o /tmp/pkg-${i}.tgz https://example.invalid/pkg-${i}.tgz`,
        `tar -xzf /tmp/pkg-${i}.tgz -C /opt/tool-${i}`,
        `ln -sf /opt/tool-${i}/bin/tool /usr/local/bin/tool-${i}`,
        `test -x /usr/local/bin/tool-${i} || true`,
        `rm -f /tmp/pkg-${i}.tgz`,
        `sed -i 's/^#\\s*\\(en_US.UTF-8\\)/\\1/' /etc/locale.gen`,
        `chmod 0755 /opt/tool-${i}`,
      ])}${cont}`,
    );
  }
  lines.push("    && true");
  return lines;
}

// ---------------------------------------------------------------- compose files

function composeFile(r, app, services, opts) {
  const lines = [];
  const push = (...l) => lines.push(...l);
  if (r.chance(0.4))
    push(
      `# ${app.name}: ${r.pick(["local stack", "the whole platform", "dev environment", "integration stack"])}`,
    );
  if (r.chance(0.3)) push(`version: "${r.pick(["3", "3.8", "3.9", "2.4"])}"`, "");
  if (r.chance(0.15)) push(`name: ${app.name}`, "");
  const anchors = r.chance(0.7);
  if (anchors) {
    push(
      "x-logging: &default-logging",
      "  driver: json-file",
      "  options:",
      `    max-size: "${r.int(5, 50)}m"`,
      `    max-file: "${r.int(2, 5)}"`,
      "",
    );
    push(
      "x-defaults: &defaults",
      `  restart: ${r.pick(["unless-stopped", "always", '"no"', "on-failure"])}`,
      "  logging: *default-logging",
    );
    if (r.chance(0.5)) push("  env_file:", "    - .env");
    if (r.chance(0.5)) push("  networks:", "    - backend");
    push("");
    if (r.chance(0.5))
      push(
        "x-resources: &resources",
        "  deploy:",
        "    resources:",
        "      limits:",
        `        memory: ${r.int(1, 8) * 128}M`,
        `        cpus: "${r.pick(["0.5", "1", "2"])}"`,
        "",
      );
    if (r.chance(0.3)) push("x-env: &common-env", "  TZ: UTC", `  LOG_LEVEL: \${LOG_LEVEL:-info}`, "");
  }
  push("services:");
  const names = services.map((s) => s.name);
  for (const [i, service] of services.entries()) {
    push(`  ${service.name}:`);
    if (anchors && r.chance(0.6))
      push(
        r.chance(0.3) && lines.some((l) => l.startsWith("x-resources"))
          ? "    <<: [*defaults, *resources]"
          : "    <<: *defaults",
      );
    if (service.extendsLocal && i > 0) {
      push("    extends:", `      service: ${names[0]}`);
    } else if (service.extendsFile) {
      push("    extends:", `      file: ${service.extendsFile}`, `      service: ${service.extendsService}`);
    }
    if (service.build !== undefined) {
      if (service.build.dockerfile || service.build.target || r.chance(0.3)) {
        push("    build:", `      context: ${service.build.context}`);
        if (service.build.dockerfile) push(`      dockerfile: ${service.build.dockerfile}`);
        if (service.build.target) push(`      target: ${service.build.target}`);
        if (r.chance(0.4))
          push(
            "      args:",
            `        ${app.lang === "node" ? "NODE_VERSION" : "PYTHON_VERSION"}: "${app.lang === "node" ? "20" : "3.12"}"`,
            `        GIT_SHA: \${GIT_SHA:-dev}`,
          );
        if (r.chance(0.15)) push("      secrets:", "        - npmrc");
      } else {
        push(`    build: ${service.build.context}`);
      }
      if (r.chance(0.4)) push(`    image: \${REGISTRY:-ghcr.io/example}/${service.name}:\${TAG:-latest}`);
    } else {
      push(`    image: ${service.image}`);
    }
    if (service.command) push(`    command: ${service.command}`);
    // ports
    if (service.port && r.chance(0.75)) {
      push("    ports:");
      const style = r.int(0, 5);
      if (style === 0) push(`      - "${service.port}:${service.port}"`);
      else if (style === 1) push(`      - "127.0.0.1:${service.port}:${service.port}"`);
      else if (style === 2)
        push(
          `      - \${${service.name.toUpperCase().replace(/-/g, "_")}_PORT:-${service.port}}:${service.port}`,
        );
      else if (style === 3)
        push(
          `      - target: ${service.port}`,
          `        published: "${service.port + 10000}"`,
          "        protocol: tcp",
          ...(r.chance(0.5) ? ["        host_ip: 127.0.0.1"] : []),
          ...(r.chance(0.3) ? ["        mode: host"] : []),
        );
      else if (style === 4) push(`      - ${service.port}`);
      else push(`      - "${service.port}-${service.port + 2}:${service.port}-${service.port + 2}/udp"`);
      if (r.chance(0.15)) push('      - "9229:9229"');
    } else if (service.port && r.chance(0.3)) push("    expose:", `      - "${service.port}"`);
    // environment
    if (r.chance(0.7)) {
      const listForm = r.chance(0.5);
      push("    environment:");
      if (!listForm && anchors && lines.some((l) => l.startsWith("x-env"))) push("      <<: *common-env");
      const entries = [];
      entries.push(["NODE_ENV", r.pick(["production", "development"])]);
      if (r.chance(0.5))
        entries.push([
          "DATABASE_URL",
          `postgres://app:\${DB_PASSWORD:-${r.pick(["changeme", "postgres", "secret123"])}}@db:5432/app`,
        ]);
      if (r.chance(0.3)) entries.push(["REDIS_URL", "redis://redis:6379/0"]);
      if (r.chance(0.25))
        entries.push([
          r.pick(["API_KEY", "JWT_SECRET", "STRIPE_SECRET_KEY", "OPENAI_API_KEY"]),
          r.chance(0.5) ? fakeSecret(r, r.pick(["openai", "stripe", "plain"])) : `\${API_KEY:?set API_KEY}`,
        ]);
      if (r.chance(0.3)) entries.push(["PASSWORD", fakeSecret(r, "plain")]);
      if (r.chance(0.2)) entries.push(["PASSTHROUGH", undefined]);
      if (r.chance(0.2)) entries.push(["PORT", String(service.port ?? 8080)]);
      for (const [name, value] of entries) {
        if (listForm) push(value === undefined ? `      - ${name}` : `      - ${name}=${value}`);
        else
          push(
            value === undefined
              ? `      ${name}:`
              : `      ${name}: ${/^[\d]+$/.test(value) ? `"${value}"` : value}`,
          );
      }
    }
    if (r.chance(0.15)) push("    env_file: .env");
    // depends_on
    const earlier = names.slice(0, i).filter((n) => n !== service.name);
    if (earlier.length > 0 && r.chance(0.6)) {
      const deps = r.some(earlier, 1, Math.min(4, earlier.length));
      if (r.chance(0.5)) {
        push("    depends_on:");
        for (const dep of deps) push(`      - ${dep}`);
      } else {
        push("    depends_on:");
        for (const dep of deps) {
          push(
            `      ${dep}:`,
            `        condition: ${r.pick(["service_started", "service_healthy", "service_completed_successfully"])}`,
          );
          if (r.chance(0.2)) push("        restart: true");
        }
      }
    }
    // healthcheck
    const health = r.int(0, 6);
    if (health === 1)
      push(
        "    healthcheck:",
        `      test: ["CMD", "curl", "-f", "http://localhost:${service.port ?? 80}/health"]`,
        "      interval: 10s",
        "      timeout: 5s",
        "      retries: 5",
      );
    else if (health === 2)
      push(
        "    healthcheck:",
        `      test: ["CMD-SHELL", "pg_isready -U \${POSTGRES_USER:-postgres} || exit 1"]`,
        "      interval: 5s",
        "      start_period: 30s",
      );
    else if (health === 3)
      push("    healthcheck:", `      test: wget -qO- http://127.0.0.1:${service.port ?? 80}/ || exit 1`);
    else if (health === 4) push("    healthcheck:", "      disable: true");
    else if (health === 5)
      push("    healthcheck:", "      test:", "        - CMD", "        - redis-cli", "        - ping");
    // volumes
    if (r.chance(0.4)) {
      push("    volumes:");
      if (r.chance(0.5)) push(`      - ${service.name}-data:/var/lib/${service.name}`);
      if (r.chance(0.4)) push("      - ./config:/etc/app:ro");
      if (r.chance(0.2)) push("      - /var/run/docker.sock:/var/run/docker.sock");
      if (r.chance(0.3))
        push(
          "      - type: bind",
          "        source: ./data",
          "        target: /data",
          "        read_only: true",
        );
      if (!lines.at(-1).startsWith("      ") && !lines.at(-1).startsWith("        "))
        push(`      - ${service.name}-cache:/cache`);
    }
    // networks and hardening
    if (r.chance(0.5)) push("    networks:", `      - ${r.pick(["backend", "frontend"])}`);
    if (r.chance(0.1)) push("    network_mode: host");
    if (r.chance(0.08)) push("    privileged: true");
    if (r.chance(0.25)) push("    read_only: true", "    tmpfs:", "      - /tmp");
    if (r.chance(0.25)) push("    cap_drop:", "      - ALL");
    if (r.chance(0.1)) push("    cap_add:", "      - NET_ADMIN");
    if (r.chance(0.25)) push("    security_opt:", "      - no-new-privileges:true");
    if (r.chance(0.2)) push(`    mem_limit: ${r.int(1, 16) * 64}m`, `    pids_limit: ${r.int(50, 500)}`);
    if (r.chance(0.15)) push(`    user: "${r.pick(["1000:1000", "root", "node"])}"`);
    if (r.chance(0.15)) push("    init: true");
    if (r.chance(0.1)) push("    profiles:", `      - ${r.pick(["debug", "tools", "observability"])}`);
    if (r.chance(0.1))
      push(
        "    labels:",
        `      com.example.team: "${r.pick(WORDS)}"`,
        `      traefik.http.routers.${service.name}.rule: "Host(\`${service.name}.localhost\`)"`,
      );
    if (i < services.length - 1 && r.chance(0.3)) push("");
  }
  push(
    "",
    "networks:",
    "  backend:",
    ...(r.chance(0.5) ? ["    internal: true"] : ["    driver: bridge"]),
    "  frontend: {}",
  );
  const volumeNames = [
    ...new Set(lines.map((l) => /^\s+- ([a-z0-9-]+-(?:data|cache)):/.exec(l)?.[1]).filter(Boolean)),
  ];
  if (volumeNames.length > 0) {
    push("", "volumes:");
    for (const v of volumeNames) push(`  ${v}:${r.chance(0.5) ? " {}" : ""}`);
  }
  if (r.chance(0.2)) push("", "secrets:", "  npmrc:", "    file: ./.npmrc.secret");
  if (opts?.bomb) {
    // A small alias fan-out (well within any sane alias budget), as real files sometimes have.
    push(
      "",
      "x-fanout:",
      "  a: &a [1, 2, 3]",
      "  b: &b [*a, *a, *a]",
      "  c: &c [*b, *b, *b]",
      "  d: [*c, *c, *c]",
    );
  }
  return lines;
}

// ---------------------------------------------------------------- app files

function packageJson(r, app, dir) {
  const deps = r.some(NODE_DEPS, 2, 7);
  const dev = r.some(NODE_DEV_DEPS, 1, 5);
  const ts = dev.includes("typescript");
  const pkg = {
    name: `@example/${app.name}${dir ? `-${dir.split("/").pop()}` : ""}`,
    version: `${r.int(0, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`,
    private: true,
    ...(r.chance(0.4) ? { type: "module" } : {}),
    main: ts ? "dist/server.js" : "src/server.js",
    scripts: {
      start: r.pick([
        "node dist/server.js",
        "node src/server.js",
        "ts-node src/server.ts",
        "nodemon src/server.js",
        "node --env-file=.env src/server.js",
      ]),
      ...(ts
        ? {
            build: r.pick([
              "tsc",
              "tsc -p tsconfig.build.json",
              "esbuild src/server.ts --bundle --platform=node --outdir=dist",
            ]),
          }
        : {}),
      dev: "nodemon src/server.js",
      test: r.pick(["vitest run", "node --test", "jest"]),
      ...(r.chance(0.2) ? { postinstall: "node scripts/postinstall.js" } : {}),
      ...(r.chance(0.2) ? { migrate: "knex migrate:latest" } : {}),
    },
    dependencies: Object.fromEntries(deps.map((d) => [d, `^${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}`])),
    devDependencies: Object.fromEntries(
      dev.map((d) => [d, `${r.pick(["^", "~", ""])}${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}`]),
    ),
    ...(r.chance(0.5) ? { engines: { node: r.pick([">=18", "20.x", "^20.11.0", ">=22"]) } } : {}),
  };
  return JSON.stringify(pkg, null, r.chance(0.8) ? 2 : 4);
}

function requirements(r) {
  const lines = [];
  if (r.chance(0.4)) lines.push("# generated by hand, pinned where it mattered");
  for (const dep of r.some(PY_DEPS, 3, 9)) {
    lines.push(
      r.weighted([
        [4, `${dep}==${r.int(0, 5)}.${r.int(0, 30)}.${r.int(0, 9)}`],
        [2, dep],
        [1, `${dep}>=${r.int(0, 3)}.${r.int(0, 9)}`],
        [1, `${dep}~=${r.int(1, 3)}.${r.int(0, 9)}`],
      ]),
    );
  }
  if (r.chance(0.1)) lines.push("-r requirements-base.txt");
  return lines.join("\n");
}

function nodeSource(r, app) {
  const port = app.port;
  const esm = r.chance(0.5);
  const lines = [];
  if (r.chance(0.3)) lines.push(esm ? 'import "dotenv/config";' : 'require("dotenv").config();');
  lines.push(esm ? 'import express from "express";' : 'const express = require("express");');
  if (r.chance(0.4)) lines.push(esm ? 'import { Pool } from "pg";' : 'const { Pool } = require("pg");');
  lines.push("", "const app = express();");
  const envs = r.some(
    [
      "DATABASE_URL",
      "REDIS_URL",
      "JWT_SECRET",
      "API_KEY",
      "S3_BUCKET",
      "SMTP_HOST",
      "FEATURE_FLAGS",
      "LOG_LEVEL",
    ],
    1,
    5,
  );
  for (const name of envs) {
    lines.push(
      r.weighted([
        [3, `const ${name.toLowerCase()} = process.env.${name};`],
        [
          2,
          `const ${name.toLowerCase()} = process.env.${name} || "${name === "LOG_LEVEL" ? "info" : "dev-default"}";`,
        ],
        [1, `const ${name.toLowerCase()} = process.env["${name}"] ?? "";`],
        [1, `if (!process.env.${name}) throw new Error("${name} is required");`],
      ]),
    );
  }
  if (r.chance(0.4)) lines.push("const pool = new Pool({ connectionString: process.env.DATABASE_URL });");
  if (r.chance(0.3))
    lines.push("pool.query(`CREATE TABLE IF NOT EXISTS notes (id serial primary key, body text)`);");
  if (r.chance(0.6))
    lines.push(
      "",
      `app.get("/${r.pick(["healthz", "health", "ready", "livez"])}", (_req, res) => res.json({ ok: true }));`,
    );
  lines.push(`app.get("/", (_req, res) => res.send("${app.name}"));`, "");
  lines.push(`const port = Number(process.env.PORT ${r.pick(["||", "??"])} ${port});`);
  lines.push(
    r.weighted([
      [3, `const server = app.listen(port, "0.0.0.0", () => console.log(\`listening on \${port}\`));`],
      [2, "const server = app.listen(port);"],
      [1, `const server = app.listen(port, "localhost");`],
      [1, `const server = app.listen(${port}, "127.0.0.1");`],
    ]),
  );
  if (r.chance(0.5)) lines.push("", 'process.on("SIGTERM", () => server.close(() => process.exit(0)));');
  if (r.chance(0.2)) lines.push('process.on("SIGINT", () => process.exit(0));');
  return lines.join("\n");
}

function pythonSource(r, app) {
  const lines = [];
  lines.push("import os", "");
  if (r.chance(0.5)) lines.push("from fastapi import FastAPI", "", "app = FastAPI()");
  else lines.push("from flask import Flask", "", "app = Flask(__name__)");
  for (const name of r.some(["DATABASE_URL", "SECRET_KEY", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS"], 1, 4)) {
    lines.push(
      r.pick([
        `${name} = os.environ["${name}"]`,
        `${name} = os.environ.get("${name}", "")`,
        `${name} = os.getenv("${name}", "x")`,
      ]),
    );
  }
  lines.push(
    "",
    `@app.get("/${r.pick(["healthz", "health"])}")`,
    "def health():",
    '    return {"ok": True}',
    "",
  );
  lines.push('if __name__ == "__main__":');
  lines.push(
    r.pick([
      `    import uvicorn\n    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", ${app.port})))`,
      `    app.run(host="127.0.0.1", port=${app.port})`,
      `    app.run(port=${app.port})`,
    ]),
  );
  return lines.join("\n");
}

function dockerignore(r) {
  const lines = [];
  if (r.chance(0.4)) lines.push("# keep the context small");
  for (const p of r.some(
    [
      "node_modules",
      ".git",
      ".env",
      "*.log",
      "dist",
      "coverage",
      "**/*.md",
      "/secrets",
      ".vscode",
      "__pycache__",
      "*.pyc",
      ".venv",
      "Dockerfile*",
      "docker-compose*.yml",
      "tmp/",
      "./build",
      "**/.DS_Store",
      "*.pem",
    ],
    3,
    12,
  ))
    lines.push(p);
  if (r.chance(0.4)) lines.push("!README.md");
  if (r.chance(0.3)) lines.push("!.env.example");
  if (r.chance(0.1)) lines.push("*", "!src", "!package*.json");
  return lines.join("\n");
}

function envFile(r, example) {
  const lines = [];
  if (r.chance(0.5)) lines.push("# copy to .env and fill in");
  lines.push(`PORT=${r.pick([3000, 8000, 8080])}`);
  lines.push(
    example
      ? "DATABASE_URL=postgres://app:changeme@localhost:5432/app"
      : `DATABASE_URL=postgres://app:${fakeSecret(r, "plain")}@localhost:5432/app`,
  );
  lines.push(example ? "JWT_SECRET=" : `JWT_SECRET=${fakeSecret(r, "plain")}`);
  if (r.chance(0.5))
    lines.push(example ? "OPENAI_API_KEY=<your key>" : `OPENAI_API_KEY=${fakeSecret(r, "openai")}`);
  if (r.chance(0.3)) lines.push(`export LOG_LEVEL="debug"`);
  if (r.chance(0.3)) lines.push("DB_PASSWORD='quoted value'  # inline comment");
  return lines.join("\n");
}

// ---------------------------------------------------------------- the corpus

function finish(r, lines, opts = {}) {
  const eol = (opts.crlf ?? r.chance(0.1)) ? "\r\n" : "\n";
  const bom = (opts.bom ?? r.chance(0.04)) ? "\ufeff" : "";
  const trailing = r.chance(0.9) ? eol : "";
  return bom + lines.join(eol) + trailing;
}

export function generateCorpus(seed = SEED) {
  const r = prng(seed);
  /** @type {Map<string, string>} */
  const files = new Map();
  const apps = [];
  for (let i = 0; i < APPS; i++) {
    const lang = r.chance(0.7) ? "node" : "python";
    const name = `${String(i + 1).padStart(2, "0")}-${r.pick(WORDS)}-${r.pick(SUFFIXES)}`;
    const monorepo = r.chance(0.3);
    const app = {
      name,
      lang,
      monorepo,
      port: r.pick([3000, 3001, 4000, 5000, 8000, 8080]),
      dockerfiles: [],
      services: [],
    };
    apps.push(app);
    const units = monorepo ? r.some(WORDS, 3, 8).map((w) => `services/${w}`) : [""];
    for (const unit of units) {
      const at = (p) => `${name}/${unit ? `${unit}/` : ""}${p}`;
      const unitLang = monorepo && r.chance(0.2) ? (lang === "node" ? "python" : "node") : lang;
      const pm = r.weighted([
        [6, "npm"],
        [1, "yarn"],
        [1, "pnpm"],
      ]);
      const hasLock = r.chance(0.7);
      if (unitLang === "node") {
        files.set(
          at("package.json"),
          finish(r, packageJson(r, app, unit).split("\n"), { crlf: false, bom: false }),
        );
        if (hasLock) {
          const lock = pm === "npm" ? "package-lock.json" : pm === "yarn" ? "yarn.lock" : "pnpm-lock.yaml";
          files.set(
            at(lock),
            pm === "npm"
              ? `{\n  "name": "${name}",\n  "lockfileVersion": 3,\n  "packages": {}\n}\n`
              : "# lockfile\n",
          );
        }
        files.set(at(r.chance(0.5) ? "src/server.ts" : "src/server.js"), nodeSource(r, app));
        if (r.chance(0.3))
          files.set(at("src/routes/items.js"), `export function items(req, res) {\n  res.json([]);\n}\n`);
      } else {
        files.set(at("requirements.txt"), finish(r, requirements(r).split("\n")));
        files.set(at("app/main.py"), pythonSource(r, app));
        files.set(at("app/__init__.py"), "");
      }
      if (r.chance(0.6)) files.set(at(".dockerignore"), finish(r, dockerignore(r).split("\n")));
      if (r.chance(0.5)) files.set(at(".env.example"), finish(r, envFile(r, true).split("\n")));
      if (r.chance(0.2)) files.set(at(".env"), finish(r, envFile(r, false).split("\n")));
      if (r.chance(0.3)) files.set(at(".gitignore"), "node_modules\n.env\ndist\n");
      const ctx = {
        lang: unitLang,
        port: app.port,
        pm,
        hasLock,
        entry: r.pick(["dist/server.js", "src/server.js", "server.js"]),
        name: `${name}${unit ? `-${unit.split("/")[1]}` : ""}`,
      };
      const variants = ["Dockerfile"];
      if (r.chance(monorepo ? 0.3 : 0.6)) variants.push("Dockerfile.dev");
      if (r.chance(monorepo ? 0.15 : 0.4)) variants.push("docker/Dockerfile.prod");
      if (r.chance(monorepo ? 0.1 : 0.3)) variants.push("worker.Dockerfile");
      if (r.chance(0.15)) variants.push("Containerfile");
      if (r.chance(monorepo ? 0.05 : 0.25)) variants.push("ci/Dockerfile.test");
      for (const variant of variants) {
        const path = at(variant);
        files.set(path, finish(r, dockerfileWithExtras(r, ctx)));
        app.dockerfiles.push({ path: path.slice(name.length + 1), unit, ctx });
      }
      if (r.chance(0.1)) files.set(at("Dockerfile.dockerignore"), finish(r, dockerignore(r).split("\n")));
    }
  }
  // Top up to the minimum count of Dockerfiles, round-robin over apps.
  let dockerfiles = [...files.keys()].filter(isDockerfile).length;
  for (let k = 0; dockerfiles < MIN_DOCKERFILES; k++) {
    const app = apps[k % apps.length];
    const base = app.dockerfiles[0];
    const path = `${app.name}/${base.unit ? `${base.unit}/` : ""}Dockerfile.variant${Math.floor(k / apps.length) + 1}`;
    files.set(path, finish(r, dockerfileWithExtras(r, base.ctx)));
    app.dockerfiles.push({ path: path.slice(app.name.length + 1), unit: base.unit, ctx: base.ctx });
    dockerfiles++;
  }

  // Compose files: most apps one, some two (base + override, or a second stack), large stacks in monorepos.
  let composeCount = 0;
  for (const [i, app] of apps.entries()) {
    const count =
      r.weighted([
        [1, 0],
        [6, 1],
        [2, 2],
      ]) + (composeCount < MIN_COMPOSE && i >= apps.length - (MIN_COMPOSE - composeCount) ? 1 : 0);
    for (let c = 0; c < count; c++) {
      const name =
        c === 0
          ? r.pick(["docker-compose.yml", "compose.yaml", "docker-compose.yaml", "compose.yml"])
          : r.pick([
              "compose.override.yaml",
              "docker-compose.prod.yml",
              "compose.dev.yaml",
              "docker-compose.ci.yml",
            ]);
      if (files.has(`${app.name}/${name}`)) continue;
      // Most compose files are a few services; some are large stacks (a monorepo's, mostly).
      const large = (app.monorepo && r.chance(0.4)) || r.chance(0.08);
      const services = composeServices(r, app, large ? r.int(10, 40) : r.int(1, 6), c > 0);
      files.set(`${app.name}/${name}`, finish(r, composeFile(r, app, services, { bomb: r.chance(0.05) })));
      composeCount++;
    }
  }
  return files;
}

function dockerfileWithExtras(r, ctx) {
  const lines = dockerfile(r, ctx);
  if (r.chance(0.2)) {
    // A long RUN chain before the last CMD: 30-70 continued lines.
    const escapeChar = lines.includes("# escape=`") ? "`" : "\\";
    const at = Math.max(
      1,
      lines.findLastIndex((l) => /^(?:CMD|ENTRYPOINT|HEALTHCHECK)/.test(l)),
    );
    lines.splice(at, 0, ...longChain(r, ` ${escapeChar}`));
  }
  if (r.chance(0.15)) lines.splice(Math.min(lines.length, 3), 0, "# hadolint ignore=DL3008,DL3018");
  return lines;
}

function composeServices(r, app, count, second) {
  const services = [];
  const used = new Set();
  const add = (service) => {
    let name = service.name;
    for (let n = 2; used.has(name); n++) name = `${service.name}-${n}`;
    used.add(name);
    services.push({ ...service, name });
  };
  // The app's own images first.
  const buildable = app.dockerfiles.filter((d) => /(?:^|\/)Dockerfile$/.test(d.path));
  for (const d of buildable.slice(0, Math.max(1, Math.ceil(count / 2)))) {
    const name = d.unit ? d.unit.split("/")[1] : app.lang === "node" ? "app" : "web";
    const context = d.unit ? `./${d.unit}` : r.pick([".", "./"]);
    const build = { context, ...(r.chance(0.3) ? { target: "runtime" } : {}) };
    add({ name, build, port: app.port, command: r.chance(0.1) ? `["node", "${d.ctx.entry}"]` : undefined });
  }
  const others = app.dockerfiles.filter((d) => !/(?:^|\/)Dockerfile$/.test(d.path));
  for (const d of others.slice(0, r.int(0, 2))) {
    const dockerfile = d.unit ? d.path.slice(d.unit.length + 1) : d.path;
    add({
      name: `${d.unit ? d.unit.split("/")[1] : "app"}-${dockerfile.replace(/\W+/g, "-").toLowerCase()}`,
      build: { context: d.unit ? `./${d.unit}` : ".", dockerfile },
      port: app.port + 1,
    });
  }
  if (second && services.length > 0 && r.chance(0.5)) services[0].extendsFile = "docker-compose.yml";
  if (second && services[0]) services[0].extendsService = services[0].name;
  if (services[1] && r.chance(0.3)) services[1].extendsLocal = true;
  while (services.length < count) {
    const [name, images, port] = r.pick(INFRA);
    const roll = r.next();
    if (roll < 0.25 && services.length > 2) {
      add({
        name: `${r.pick(WORDS)}-${r.pick(SUFFIXES)}`,
        image: `\${REGISTRY:-ghcr.io/example}/${r.pick(WORDS)}:${r.pick(["1.4.2", "latest", "${TAG:-main}", `sha-${r.alnum(7, "0123456789abcdef")}`])}`,
        port: 8000 + r.int(0, 99),
      });
    } else {
      add({
        name,
        image: r.pick(images),
        port,
        command: name === "redis" && r.chance(0.5) ? '["redis-server", "--appendonly", "yes"]' : undefined,
      });
    }
  }
  return services;
}

function isDockerfile(path) {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return (
    /^(?:Dockerfile|Containerfile)(?:\.[^/]+)?$|^[^/]+\.(?:Dockerfile|Containerfile)$/.test(base) &&
    !base.endsWith(".dockerignore")
  );
}

function isCompose(path) {
  return /^(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$/.test(path.slice(path.lastIndexOf("/") + 1));
}

/** Write the corpus to `dir` (replacing a previous corpus there). Returns counts by kind. */
export function writeCorpus(dir) {
  const root = resolve(dir);
  if (existsSync(root)) {
    const entries = readdirSync(root);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(
        `${root} exists and is not a corpus this script wrote (no ${MARKER}): not replacing it`,
      );
    }
    rmSync(root, { recursive: true, force: true });
  }
  const files = generateCorpus();
  const counts = {
    dockerfiles: 0,
    compose: 0,
    "package.json": 0,
    "requirements.txt": 0,
    ".dockerignore": 0,
    ".env*": 0,
    code: 0,
    other: 0,
  };
  let bytes = 0;
  for (const [path, content] of files) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    bytes += Buffer.byteLength(content);
    const base = path.slice(path.lastIndexOf("/") + 1);
    if (isDockerfile(path)) counts.dockerfiles++;
    else if (isCompose(path)) counts.compose++;
    else if (base === "package.json") counts["package.json"]++;
    else if (base === "requirements.txt") counts["requirements.txt"]++;
    else if (base.endsWith(".dockerignore")) counts[".dockerignore"]++;
    else if (base.startsWith(".env")) counts[".env*"]++;
    else if (/\.(?:[cm]?[jt]sx?|py)$/.test(base)) counts.code++;
    else counts.other++;
  }
  const apps = new Set([...files.keys()].map((p) => p.split("/")[0])).size;
  writeFileSync(
    join(root, MARKER),
    `${JSON.stringify({ version: CORPUS_VERSION, seed: SEED, apps, counts, bytes }, null, 2)}\n`,
  );
  return { root, apps, counts, bytes, files: files.size };
}

/** The corpus manifest at `dir`, if a current-version corpus is there. */
export function readCorpusManifest(dir) {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MARKER), "utf8"));
    return manifest.version === CORPUS_VERSION ? manifest : undefined;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL("../.bench/corpus", import.meta.url));
  const result = writeCorpus(dir);
  const c = result.counts;
  console.log(
    `wrote ${result.files} files (${(result.bytes / 1024).toFixed(0)} KB) in ${result.apps} app directories under ${result.root}`,
  );
  console.log(`  Dockerfiles        ${c.dockerfiles}`);
  console.log(`  compose files      ${c.compose}`);
  console.log(`  package.json       ${c["package.json"]}`);
  console.log(`  requirements.txt   ${c["requirements.txt"]}`);
  console.log(`  .dockerignore      ${c[".dockerignore"]}`);
  console.log(`  .env, .env.example ${c[".env*"]}`);
  console.log(`  source code        ${c.code}`);
  console.log(`  other              ${c.other}`);
}
