/**
 * The Dockerfile init writes, from the app profile: multi-stage (deps → build → runtime), an exact
 * base, a frozen lockfile install with a cache mount, only production dependencies and the build
 * output in the runtime stage, tini as PID 1, a non-root user, a HEALTHCHECK that uses the
 * runtime itself (slim images have no curl), the real start command in exec form, OCI labels.
 */
import type { AppProfile, NodeManager } from "../app/types.js";
import { imageTag } from "../app/versions.js";

/** The port the container listens on and the probe the HEALTHCHECK (and compose) runs. */
export function healthProbe(profile: AppProfile): string[] {
  const port = profile.port.value;
  const portExpr = profile.portEnv ? `(process.env.${profile.portEnv}||${port})` : String(port);
  if (profile.stack === "python") {
    const portPy = profile.portEnv ? `os.environ.get('${profile.portEnv}','${port}')` : `'${port}'`;
    if (profile.health)
      return [
        "python",
        "-c",
        `import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:'+${portPy}+'${profile.health.value}', timeout=2)`,
      ];
    return [
      "python",
      "-c",
      `import os,socket; socket.create_connection(('127.0.0.1', int(${portPy})), timeout=2)`,
    ];
  }
  if (profile.health)
    return [
      "node",
      "-e",
      `fetch('http://127.0.0.1:'+${portExpr}+'${profile.health.value}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
    ];
  return [
    "node",
    "-e",
    `require('net').connect(${portExpr},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`,
  ];
}

/**
 * The app reads its listen address from HOST (often defaulting to localhost): the image sets it to
 * 0.0.0.0, as compose does, so `docker run` without compose publishes a port that answers too.
 */
function readsHost(profile: AppProfile): boolean {
  return profile.env.some((variable) => variable.name === "HOST" && !variable.declaredOnly);
}

/** Variables the build inlines into client code (`import.meta.env.VITE_API_URL`). */
export function buildArgs(profile: AppProfile): string[] {
  if (profile.stack !== "node" || !profile.build) return [];
  return profile.env.filter((variable) => variable.buildTime && !variable.declaredOnly).map((v) => v.name);
}

/**
 * The command the build stage runs: the build script's own tool from node_modules/.bin when
 * detection found that equivalent (`build.direct`), which spares every rebuild the package
 * manager's start-up; otherwise the script through the manager (`npm run build`).
 */
export function buildStepCommand(profile: AppProfile): string | undefined {
  const build = profile.build;
  if (!build) return undefined;
  const [tool, ...args] = build.direct ?? [];
  return tool ? [`node_modules/.bin/${tool}`, ...args].join(" ") : build.command.join(" ");
}

/** Why the build runs its tool directly ("…without npm's start-up"), when it does. */
export function directBuildReason(profile: AppProfile): string | undefined {
  if (!profile.build?.direct) return undefined;
  return `package.json's "build" script run without ${profile.node?.manager.value ?? "npm"}'s start-up`;
}

export function json(argv: readonly string[]): string {
  return `[${argv.map((word) => JSON.stringify(word)).join(", ")}]`;
}

interface Install {
  /** Lines before the install (`RUN corepack enable pnpm`). */
  setup: string[];
  /** Files the install needs. */
  files: string[];
  all: string;
  production: string;
  cache: string;
}

function install(manager: NodeManager, lockfile: string | undefined): Install {
  const lock = lockfile ? [lockfile.split("/").at(-1)!] : [];
  switch (manager) {
    case "pnpm":
      return {
        setup: ["RUN corepack enable pnpm"],
        files: ["package.json", ...lock],
        all: "pnpm install --frozen-lockfile",
        production: "pnpm install --frozen-lockfile --prod",
        cache: "/root/.local/share/pnpm/store",
      };
    case "yarn":
      return {
        setup: [],
        files: ["package.json", ...lock],
        all: "yarn install --frozen-lockfile",
        production: "yarn install --frozen-lockfile --production",
        cache: "/usr/local/share/.cache/yarn",
      };
    case "yarn-berry":
      return {
        setup: ["RUN corepack enable yarn"],
        files: ["package.json", ...lock, ".yarnrc.yml"],
        all: "yarn install --immutable",
        production: "yarn workspaces focus --all --production",
        cache: "/root/.yarn/berry/cache",
      };
    case "bun":
      return {
        setup: ["RUN npm install -g bun@1.3.2"],
        files: ["package.json", ...lock],
        all: "bun install --frozen-lockfile",
        production: "bun install --frozen-lockfile --production",
        cache: "/root/.bun/install/cache",
      };
    default:
      return lockfile
        ? {
            setup: [],
            files: ["package.json", ...lock],
            all: "npm ci",
            production: "npm ci --omit=dev",
            cache: "/root/.npm",
          }
        : {
            setup: [],
            files: ["package.json"],
            all: "npm install",
            production: "npm install --omit=dev",
            cache: "/root/.npm",
          };
  }
}

const TINI = [
  "# tini as PID 1: forwards SIGTERM to the app and reaps zombies, so `docker stop` is prompt.",
  "RUN apt-get update \\",
  " && apt-get install -y --no-install-recommends tini \\",
  " && rm -rf /var/lib/apt/lists/*",
];

function labels(profile: AppProfile, base: string): string[] {
  return [
    `LABEL org.opencontainers.image.title=${JSON.stringify(profile.name)} \\`,
    `      org.opencontainers.image.base.name=${JSON.stringify(`docker.io/library/${base}`)}`,
  ];
}

/** The app's directory in the runtime image (its WORKDIR). */
export function imageWorkdir(profile: AppProfile): string {
  if (profile.kind === "static") return "/srv";
  return isWorkspaceApp(profile) ? `/app/${profile.dir}` : "/app";
}

/** The directories the app writes (sure ones), as absolute paths in the image. */
export function writableDirs(profile: AppProfile): string[] {
  const workdir = imageWorkdir(profile);
  return [
    ...new Set(
      profile.writablePaths
        .filter((path) => path.sure && path.value !== "" && path.value !== ".")
        .map((path) => `${workdir}/${path.value}`),
    ),
  ].sort();
}

/** The volumes: each writable directory not inside another one (a volume covers its subdirectories). */
export function writableVolumes(profile: AppProfile): string[] {
  const dirs = writableDirs(profile);
  return dirs.filter((dir) => !dirs.some((other) => other !== dir && dir.startsWith(`${other}/`)));
}

/**
 * What the app writes at run time, created owned by the runtime user (only those directories).
 * Early in the runtime stage, before the layers a source change invalidates, so a rebuild does
 * not run it again; `.dockerignore` keeps local copies of these directories out of the COPYs.
 */
function writableDirLines(profile: AppProfile, user: string): string[] {
  const dirs = writableDirs(profile);
  if (dirs.length === 0) return [];
  const where = profile.writablePaths
    .filter((path) => path.sure && path.evidence[0])
    .map((path) => `${path.evidence[0]!.file}:${path.evidence[0]!.line ?? ""}`.replace(/:$/, ""));
  const list = dirs.join(" ");
  return [
    `# The app writes ${dirs.length === 1 ? "here" : "to these"} at run time (${[...new Set(where)].slice(0, 3).join(", ") || "--writable"}): owned by ${user}.`,
    `RUN mkdir -p ${list} \\`,
    ` && chown ${user}:${user} ${list}`,
  ];
}

/** Declared volumes (after the last COPY: a build step's changes under a volume are dropped). */
function volumeLines(profile: AppProfile): string[] {
  const volumes = writableVolumes(profile);
  if (volumes.length === 0) return [];
  return [
    `# ${volumes.length === 1 ? "A volume, so it stays" : "Volumes, so they stay"} writable on a read-only root file system and the data outlives the container.`,
    `VOLUME ${json(volumes)}`,
  ];
}

function tail(profile: AppProfile, user: string): string[] {
  return [
    ...volumeLines(profile),
    `USER ${user}`,
    `EXPOSE ${profile.port.value}`,
    `# The probe uses the runtime itself: the slim image has no curl or wget.`,
    `HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \\`,
    `  CMD ${json(healthProbe(profile))}`,
    `ENTRYPOINT ["/usr/bin/tini", "--"]`,
    `CMD ${json(profile.start.value)}`,
  ];
}

/** The relative path of a file of the app dir as the Dockerfile (at the app dir) names it. */
function rel(profile: AppProfile, path: string): string {
  return profile.dir !== "" && path.startsWith(`${profile.dir}/`) ? path.slice(profile.dir.length + 1) : path;
}

/** A workspace of a monorepo whose lockfile is at the repository root: built from the root. */
export function isWorkspaceApp(profile: AppProfile): boolean {
  const lockfile = profile.node?.lockfile;
  return (
    profile.dir !== "" &&
    (profile.node?.workspaces.length ?? 0) > 0 &&
    lockfile !== undefined &&
    !lockfile.startsWith(`${profile.dir}/`)
  );
}

/** The commands of a workspace build: install all, build the app's workspaces in order, prune. */
function workspaceCommands(profile: AppProfile): { build: string[]; prune: string } {
  const node = profile.node!;
  const dirs = [...node.localWorkspaces, profile.dir];
  switch (node.manager.value) {
    case "pnpm":
      return {
        build: dirs.map((dir) => `pnpm --filter ./${dir} run --if-present build`),
        prune: "pnpm prune --prod",
      };
    case "yarn-berry":
      return {
        build: dirs.map(
          (dir) => `yarn workspace $(node -p "require('./${dir}/package.json').name") run build`,
        ),
        prune: "yarn workspaces focus --all --production",
      };
    case "yarn":
      return {
        build: dirs.map((dir) => `yarn --cwd ${dir} run build`),
        prune: "yarn install --frozen-lockfile --production --ignore-scripts",
      };
    case "bun":
      return {
        build: dirs.map((dir) => `bun run --cwd ${dir} build`),
        prune: "rm -rf node_modules && bun install --frozen-lockfile --production",
      };
    default:
      return {
        build: dirs.map((dir) => `npm run build --if-present --workspace ${dir}`),
        prune: "npm prune --omit=dev",
      };
  }
}

/**
 * A workspace app: the context is the repository root, the manifests of every workspace go in
 * before the install (so it stays cached), the app and the workspaces it depends on are built, dev
 * dependencies are pruned, and the runtime stage gets the pruned tree and starts in the app's dir.
 */
function workspaceDockerfile(profile: AppProfile): string {
  const node = profile.node!;
  const base = imageTag("node", node.version.value);
  const steps = install(node.manager.value, node.lockfile);
  // A private registry's .npmrc is mounted for the install only: never COPY'd, never in a layer.
  const cacheMount = `--mount=type=cache,target=${steps.cache}${node.npmrc ? " --mount=type=secret,id=npmrc,target=/app/.npmrc" : ""}`;
  const rootFiles = [...steps.files, ...(node.manager.value === "pnpm" ? ["pnpm-workspace.yaml"] : [])];
  const { build, prune } = workspaceCommands(profile);
  const out: string[] = [
    `# Written by shipshape init for ${profile.name} (${profile.framework.value}), a workspace of this repository.`,
    `# Build from the repository root: docker build -f ${profile.dir}/Dockerfile .`,
    `# The base is an exact version and OS variant; \`shipshape pin\` adds its @sha256 digest.`,
    "",
    "# ---- build: every workspace's manifest, a frozen install, the app and what it needs built ----",
    `FROM ${base} AS build`,
    "WORKDIR /app",
    ...steps.setup,
    `COPY ${rootFiles.join(" ")} ./`,
    ...node.workspaces.map((dir) => `COPY ${dir}/package.json ./${dir}/`),
    `RUN ${cacheMount} ${steps.all}`,
    ...buildArgs(profile).map((name) => `ARG ${name}`),
    "COPY . .",
    ...(profile.build ? [`RUN ${build.join(" \\\n && ")}`] : []),
    "# Only production dependencies go on to the runtime stage.",
    `RUN ${prune}`,
    "",
    "# ---- runtime: the pruned workspace tree, non-root, started in the app's directory ----",
    `FROM ${base} AS runtime`,
    ...TINI,
    ...writableDirLines(profile, "node"),
    ...(readsHost(profile)
      ? ["ENV NODE_ENV=production \\", "    HOST=0.0.0.0"]
      : ["ENV NODE_ENV=production"]),
    "WORKDIR /app",
    "COPY --from=build /app ./",
    `WORKDIR /app/${profile.dir}`,
    ...labels(profile, base),
    ...tail(profile, "node"),
    "",
  ];
  return out.join("\n");
}

export function nodeDockerfile(profile: AppProfile): string {
  if (isWorkspaceApp(profile)) return workspaceDockerfile(profile);
  const node = profile.node!;
  const base = imageTag("node", node.version.value);
  const steps = install(node.manager.value, node.lockfile ? rel(profile, node.lockfile) : undefined);
  // A private registry's .npmrc is mounted for the install only: never COPY'd, never in a layer.
  const cacheMount = `--mount=type=cache,target=${steps.cache}${node.npmrc ? " --mount=type=secret,id=npmrc,target=/app/.npmrc" : ""}`;
  const hasProdDeps = node.dependencies.length > 0;
  const out: string[] = [
    `# Written by shipshape init for ${profile.name} (${profile.framework.value}). DOCKER.md explains each choice.`,
    `# The base is an exact version and OS variant; \`shipshape pin\` adds its @sha256 digest.`,
    "",
    "# ---- deps: every dependency, exactly as the lockfile says (the build needs the dev ones) ----",
    `FROM ${base} AS deps`,
    "WORKDIR /app",
    ...steps.setup,
    `COPY ${steps.files.join(" ")} ./`,
    `RUN ${cacheMount} ${steps.all}`,
    "",
  ];
  const built = profile.build !== undefined;
  if (built) {
    out.push(
      "# ---- build: compile with the full dependency set ----",
      "FROM deps AS build",
      ...(profile.framework.value === "next" ? ["ENV NEXT_TELEMETRY_DISABLED=1"] : []),
      // Client code inlines these when it is built: build arguments (compose passes them), not runtime ENV.
      ...buildArgs(profile).map((name) => `ARG ${name}`),
      "COPY . .",
      ...(profile.build!.direct ? [`# ${directBuildReason(profile)}: keep the two in step.`] : []),
      `RUN ${buildStepCommand(profile)}`,
      "",
    );
  }
  if (hasProdDeps && profile.kind !== "next-standalone" && profile.kind !== "static") {
    out.push(
      "# ---- prod-deps: production dependencies only, for the runtime stage ----",
      `FROM ${base} AS prod-deps`,
      "WORKDIR /app",
      ...steps.setup,
      `COPY ${steps.files.join(" ")} ./`,
      `RUN ${cacheMount} ${steps.production}`,
      "",
    );
  }
  out.push(
    "# ---- runtime: no compilers, no dev dependencies, no source it does not run; non-root ----",
    `FROM ${base} AS runtime`,
    ...TINI,
    ...writableDirLines(profile, "node"),
    ...(readsHost(profile) && profile.kind === "server"
      ? ["ENV NODE_ENV=production \\", "    HOST=0.0.0.0"]
      : ["ENV NODE_ENV=production"]),
  );
  if (profile.kind === "next-standalone") {
    out.push(
      `ENV NEXT_TELEMETRY_DISABLED=1 \\`,
      `    PORT=${profile.port.value} \\`,
      "    HOSTNAME=0.0.0.0",
      "WORKDIR /app",
      "COPY --from=build /app/.next/standalone ./",
      "COPY --from=build /app/.next/static ./.next/static",
    );
    if (profile.runtimeFiles.includes("public")) out.push("COPY --from=build /app/public ./public");
  } else if (profile.kind === "static") {
    const outDir = profile.build?.outDir ?? "dist";
    // Every variable serve-static.mjs reads is declared here, with the value the image needs.
    out.push(
      `ENV PORT=${profile.port.value} \\`,
      "    HOST=0.0.0.0 \\",
      "    STATIC_ROOT=/srv/www",
      "WORKDIR /srv",
      "COPY docker/serve-static.mjs /srv/serve-static.mjs",
      `COPY --from=build /app/${outDir} /srv/www`,
    );
  } else {
    out.push("WORKDIR /app");
    if (hasProdDeps) out.push("COPY --from=prod-deps /app/node_modules ./node_modules");
    const whole = profile.runtimeFiles.includes(".");
    if (built && !whole) {
      out.push(`COPY --from=build /app/package.json ./package.json`);
      if (profile.build?.outDir && profile.build.outDir !== ".next")
        out.push(`COPY --from=build /app/${profile.build.outDir} ./${profile.build.outDir}`);
      if (profile.framework.value === "next") out.push("COPY --from=build /app/.next ./.next");
      // From the context: the rest of runtimeFiles (the build output came from the build stage).
      for (const file of profile.runtimeFiles.filter(
        (path) =>
          path !== "package.json" &&
          path !== ".next" &&
          path !== profile.build?.outDir &&
          !path.includes("*"),
      ))
        out.push(`COPY ${file} ./${file}`);
    } else if (built) {
      out.push(
        "COPY --from=build /app ./",
        ...(hasProdDeps ? ["COPY --from=prod-deps /app/node_modules ./node_modules"] : []),
      );
    } else {
      out.push("COPY . .");
    }
  }
  out.push(...labels(profile, base), ...tail(profile, "node"), "");
  return out.join("\n");
}

/**
 * `collectstatic` imports the settings, which read required variables the build does not have
 * (`os.environ["DJANGO_SECRET_KEY"]`): it gets inert stand-ins for this one command only, never
 * kept in the image.
 */
function collectstatic(profile: AppProfile): string {
  const standIns = profile.env
    .filter((variable) => variable.required && !variable.declaredOnly)
    .map(
      (variable) =>
        `${variable.name}=${/URL$/.test(variable.name) ? "sqlite:///:memory:" : "build-only-placeholder"}`,
    );
  return `RUN ${standIns.length > 0 ? `env ${standIns.join(" ")} ` : ""}python manage.py collectstatic --noinput`;
}

export function pythonDockerfile(profile: AppProfile): string {
  const python = profile.python!;
  const base = imageTag("python", python.version.value);
  const manifest = python.manifest ? rel(profile, python.manifest) : undefined;
  const hasDeps = python.dependencies.length > 0 && manifest !== undefined;
  const out: string[] = [
    `# Written by shipshape init for ${profile.name} (${profile.framework.value}). DOCKER.md explains each choice.`,
    `# The base is an exact version and OS variant; \`shipshape pin\` adds its @sha256 digest.`,
    "",
  ];
  if (hasDeps) {
    const manager = python.manager.value;
    const installLines =
      manager === "poetry"
        ? [
            "RUN --mount=type=cache,target=/root/.cache/pip pip install poetry==2.2.1 poetry-plugin-export==1.9.0",
            `COPY pyproject.toml ${python.lockfile ? rel(profile, python.lockfile) : ""} ./`.replace(
              / +\.\/$/,
              " ./",
            ),
            "RUN poetry export --only main --format requirements.txt --output /tmp/requirements.txt \\",
            " && /opt/venv/bin/pip install --no-deps -r /tmp/requirements.txt",
          ]
        : manager === "uv"
          ? [
              "COPY --from=ghcr.io/astral-sh/uv:0.9.9 /uv /usr/local/bin/uv",
              "COPY pyproject.toml uv.lock ./",
              "RUN --mount=type=cache,target=/root/.cache/uv UV_PROJECT_ENVIRONMENT=/opt/venv uv sync --frozen --no-dev --no-install-project",
            ]
          : manager === "pipenv"
            ? [
                "RUN --mount=type=cache,target=/root/.cache/pip pip install pipenv==2025.0.4",
                "COPY Pipfile Pipfile.lock ./",
                "RUN pipenv requirements > /tmp/requirements.txt \\",
                " && /opt/venv/bin/pip install --no-deps -r /tmp/requirements.txt",
              ]
            : [
                `COPY ${manifest} ./`,
                `RUN --mount=type=cache,target=/root/.cache/pip /opt/venv/bin/pip install -r ${manifest!.split("/").at(-1)}`,
              ];
    out.push(
      "# ---- deps: the dependencies in a virtual environment the runtime stage copies whole ----",
      `FROM ${base} AS deps`,
      "ENV PIP_DISABLE_PIP_VERSION_CHECK=1",
      "WORKDIR /build",
      "RUN python -m venv /opt/venv",
      ...installLines,
      "",
    );
  }
  out.push(
    "# ---- runtime: the interpreter, the dependencies and the app; non-root ----",
    `FROM ${base} AS runtime`,
    ...TINI,
    "# A system user with no home and no shell owns nothing: the app's files stay read-only to it.",
    "RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app",
    ...writableDirLines(profile, "app"),
    `ENV PYTHONDONTWRITEBYTECODE=1 \\`,
    `    PYTHONUNBUFFERED=1${hasDeps || readsHost(profile) ? " \\" : ""}`,
    ...(readsHost(profile) ? [`    HOST=0.0.0.0${hasDeps ? " \\" : ""}`] : []),
    ...(hasDeps ? ["    PATH=/opt/venv/bin:$PATH"] : []),
    "WORKDIR /app",
    ...(hasDeps ? ["COPY --from=deps /opt/venv /opt/venv"] : []),
    "COPY . .",
    // Static files gathered at build time, owned by root: the app serves them, never writes them.
    ...(python.collectstatic ? [collectstatic(profile)] : []),
    ...labels(profile, base),
    ...tail(profile, "app"),
    "",
  );
  return out.join("\n");
}
