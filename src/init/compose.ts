/**
 * compose.yaml, .env.example and .dockerignore from the app profile. The compose file works with
 * Compose v2 and v1.29: service-level limits (`mem_limit`, `cpus`, `pids_limit`), no top-level
 * `name`, port strings rather than long syntax with `host_ip`.
 */
import type { AppProfile, EnvVar, ServiceKind } from "../app/types.js";
import { imageTag } from "../app/versions.js";
import { buildArgs, healthProbe, isWorkspaceApp, writableVolumes } from "./dockerfile.js";

interface Database {
  image: string;
  port: number;
  data: string;
  /** Environment of the database service. */
  env: string[];
  health: string[];
  /** The connection URL the app receives, built from the same variables. */
  url: string;
  /** Variables .env.example declares for it. */
  vars: Array<{ name: string; value: string; comment: string; secret: boolean }>;
}

const REQUIRED = (name: string) => `\${${name}:?${name} must be set (see .env.example)}`;

function database(kind: ServiceKind, app: string): Database | undefined {
  const db = app.replace(/[^a-z0-9_]/gi, "_").toLowerCase() || "app";
  switch (kind) {
    case "postgres":
      return {
        image: imageTag("postgres"),
        port: 5432,
        data: "/var/lib/postgresql/data",
        env: [
          `POSTGRES_USER: \${POSTGRES_USER:-${db}}`,
          `POSTGRES_PASSWORD: ${REQUIRED("POSTGRES_PASSWORD")}`,
          `POSTGRES_DB: \${POSTGRES_DB:-${db}}`,
        ],
        // -h 127.0.0.1: during first-start init the server listens on its socket only.
        health: ["CMD-SHELL", 'pg_isready -h 127.0.0.1 -U "$$POSTGRES_USER" -d "$$POSTGRES_DB"'],
        url: `postgres://\${POSTGRES_USER:-${db}}:${REQUIRED("POSTGRES_PASSWORD")}@db:5432/\${POSTGRES_DB:-${db}}`,
        vars: [
          {
            name: "POSTGRES_USER",
            value: db,
            comment: "Database user created on the first start of the db volume.",
            secret: false,
          },
          {
            name: "POSTGRES_PASSWORD",
            value: "change-me-to-a-long-random-value",
            comment: "Required. Its password (the app's DATABASE_URL is built from these three).",
            secret: true,
          },
          { name: "POSTGRES_DB", value: db, comment: "Database name.", secret: false },
        ],
      };
    case "mysql":
      return {
        image: imageTag("mysql"),
        port: 3306,
        data: "/var/lib/mysql",
        env: [
          `MYSQL_USER: \${MYSQL_USER:-${db}}`,
          `MYSQL_PASSWORD: ${REQUIRED("MYSQL_PASSWORD")}`,
          `MYSQL_ROOT_PASSWORD: ${REQUIRED("MYSQL_ROOT_PASSWORD")}`,
          `MYSQL_DATABASE: \${MYSQL_DATABASE:-${db}}`,
        ],
        health: ["CMD-SHELL", 'mysqladmin ping -h 127.0.0.1 -u"$$MYSQL_USER" -p"$$MYSQL_PASSWORD" --silent'],
        url: `mysql://\${MYSQL_USER:-${db}}:${REQUIRED("MYSQL_PASSWORD")}@db:3306/\${MYSQL_DATABASE:-${db}}`,
        vars: [
          { name: "MYSQL_USER", value: db, comment: "Database user.", secret: false },
          {
            name: "MYSQL_PASSWORD",
            value: "change-me-to-a-long-random-value",
            comment: "Required. Its password.",
            secret: true,
          },
          {
            name: "MYSQL_ROOT_PASSWORD",
            value: "change-me-to-another-long-random-value",
            comment: "Required. The root password.",
            secret: true,
          },
          { name: "MYSQL_DATABASE", value: db, comment: "Database name.", secret: false },
        ],
      };
    case "redis":
      return {
        image: imageTag("redis"),
        port: 6379,
        data: "/data",
        env: [],
        health: ["CMD", "redis-cli", "ping"],
        url: "redis://redis:6379",
        vars: [],
      };
    case "mongodb":
      return {
        image: imageTag("mongo"),
        port: 27017,
        data: "/data/db",
        env: [
          `MONGO_INITDB_ROOT_USERNAME: \${MONGO_USER:-${db}}`,
          `MONGO_INITDB_ROOT_PASSWORD: ${REQUIRED("MONGO_PASSWORD")}`,
        ],
        health: ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
        url: `mongodb://\${MONGO_USER:-${db}}:${REQUIRED("MONGO_PASSWORD")}@mongo:27017`,
        vars: [
          { name: "MONGO_USER", value: db, comment: "Root user created on the first start.", secret: false },
          {
            name: "MONGO_PASSWORD",
            value: "change-me-to-a-long-random-value",
            comment: "Required. Its password.",
            secret: true,
          },
        ],
      };
    default:
      return undefined;
  }
}

function serviceName(kind: ServiceKind): string {
  return kind === "postgres" || kind === "mysql" ? "db" : kind === "mongodb" ? "mongo" : kind;
}

function yamlList(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;
}

/** The app's environment in compose: service URLs from the db variables, the rest from `${VAR}`. */
function appEnvironment(profile: AppProfile): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const service of profile.services) {
    const db = database(service.kind, profile.name);
    if (!db || !service.urlEnv) continue;
    lines.push(`${service.urlEnv}: ${db.url}`);
    seen.add(service.urlEnv);
  }
  for (const variable of profile.env) {
    if (seen.has(variable.name) || variable.declaredOnly || variable.buildTime) continue;
    if (variable.name === profile.portEnv) {
      lines.push(`${variable.name}: "${profile.port.value}"`);
      continue;
    }
    if (variable.name === "HOST") {
      lines.push(`HOST: 0.0.0.0`);
      continue;
    }
    if (variable.required) lines.push(`${variable.name}: ${REQUIRED(variable.name)}`);
    else if (variable.secret) lines.push(`${variable.name}: \${${variable.name}:-}`);
  }
  return lines;
}

/** Named volumes for what the app writes (`uploads` → /app/uploads), clear of the databases' names. */
export function appVolumes(profile: AppProfile): Array<{ name: string; target: string }> {
  const taken = new Set(profile.services.map((service) => `${serviceName(service.kind)}-data`));
  const out: Array<{ name: string; target: string }> = [];
  for (const target of writableVolumes(profile)) {
    const base = target
      .replace(/^\/(?:app|srv)\//, "")
      .replace(/[^A-Za-z0-9_.-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "")
      .toLowerCase();
    let name = base === "" ? "app-data" : base;
    if (taken.has(name)) name = `app-${name}`;
    while (taken.has(name)) name = `${name}-1`;
    taken.add(name);
    out.push({ name, target });
  }
  return out;
}

const HARDENING = (memory: string, pids: number) => [
  "    read_only: true",
  "    tmpfs:",
  "      - /tmp",
  "    cap_drop:",
  "      - ALL",
  "    security_opt:",
  "      - no-new-privileges:true",
  `    mem_limit: ${memory}`,
  `    pids_limit: ${pids}`,
];

export function composeFile(profile: AppProfile, imageName: string): string {
  const port = profile.port.value;
  const hasBackend = profile.services.some((service) => database(service.kind, profile.name));
  const out: string[] = [
    "# Written by shipshape init. Works with Compose v2 (`docker compose`) and v1.29 (`docker-compose`).",
    "# Secrets come from the environment or a git-ignored .env (see .env.example), never from this file.",
    "services:",
  ];
  for (const service of profile.services) {
    const db = database(service.kind, profile.name);
    if (!db) continue;
    const name = serviceName(service.kind);
    out.push(`  ${name}:`, `    image: ${db.image}`);
    if (db.env.length > 0) out.push("    environment:", ...db.env.map((line) => `      ${line}`));
    out.push(
      "    volumes:",
      `      - ${name}-data:${db.data}`,
      "    networks:",
      "      - backend",
      "    # Not published: only services on the internal backend network reach it.",
      "    healthcheck:",
      `      test: ${yamlList(db.health)}`,
      "      interval: 5s",
      "      timeout: 3s",
      "      retries: 12",
      "      start_period: 10s",
      "    security_opt:",
      "      - no-new-privileges:true",
      "    mem_limit: 512m",
      "    pids_limit: 200",
      "    restart: unless-stopped",
      "",
    );
  }
  const environment = appEnvironment(profile);
  // Both services build the one image: the same build arguments, or the second build differs.
  const args = profile.env.filter((variable) => buildArgs(profile).includes(variable.name));
  // A workspace app builds from the repository root with its own Dockerfile.
  const workspace = isWorkspaceApp(profile);
  const context = workspace
    ? profile.dir
        .split("/")
        .map(() => "..")
        .join("/")
    : ".";
  const build =
    args.length === 0 && !workspace
      ? ["    build: ."]
      : [
          "    build:",
          `      context: ${context}`,
          ...(workspace ? [`      dockerfile: ${profile.dir}/Dockerfile`] : []),
          ...(args.length > 0 ? ["      args:"] : []),
          ...args.map(
            (variable) =>
              `        ${variable.name}: ${variable.required ? REQUIRED(variable.name) : `\${${variable.name}:-}`}`,
          ),
        ];
  // What the app writes lives in named volumes (the image declares them VOLUME, owned by its user).
  const mounts = appVolumes(profile);
  const volumeLines =
    mounts.length > 0
      ? ["    volumes:", ...mounts.map((mount) => `      - ${mount.name}:${mount.target}`)]
      : [];
  const dependsOn: string[] = [];
  for (const service of profile.services)
    if (database(service.kind, profile.name))
      dependsOn.push(`      ${serviceName(service.kind)}:`, "        condition: service_healthy");
  if (profile.migrations) {
    out.push(
      "  # One-off: applies the migrations, then exits 0. The app waits for it.",
      "  migrate:",
      ...build,
      `    image: \${APP_IMAGE:-${imageName}}`,
      `    command: ${yamlList(profile.migrations.command)}`,
    );
    if (environment.length > 0) out.push("    environment:", ...environment.map((line) => `      ${line}`));
    if (dependsOn.length > 0) out.push("    depends_on:", ...dependsOn);
    if (hasBackend) out.push("    networks:", "      - backend");
    // Migrations write where the app does (a SQLite database): the same volumes.
    out.push(...volumeLines);
    out.push(...HARDENING("256m", 100), '    restart: "no"', "");
    dependsOn.push("      migrate:", "        condition: service_completed_successfully");
  }
  out.push("  app:", ...build, `    image: \${APP_IMAGE:-${imageName}}`, "    init: true");
  if (environment.length > 0) out.push("    environment:", ...environment.map((line) => `      ${line}`));
  out.push("    ports:", `      - "127.0.0.1:\${APP_PORT:-${port}}:${port}"`);
  if (dependsOn.length > 0) out.push("    depends_on:", ...dependsOn);
  if (hasBackend) out.push("    networks:", "      - frontend", "      - backend");
  out.push(...volumeLines);
  out.push(
    ...HARDENING("512m", 200),
    "    cpus: 1.0",
    "    healthcheck:",
    `      test: ${yamlList(["CMD", ...healthProbe(profile)])}`,
    "      interval: 10s",
    "      timeout: 3s",
    "      retries: 3",
    "      start_period: 15s",
    "    restart: unless-stopped",
  );
  if (hasBackend) out.push("", "networks:", "  frontend: {}", "  backend:", "    internal: true");
  if (hasBackend || mounts.length > 0) {
    out.push("", "volumes:");
    for (const service of profile.services)
      if (database(service.kind, profile.name)) out.push(`  ${serviceName(service.kind)}-data: {}`);
    for (const mount of mounts) out.push(`  ${mount.name}: {}`);
  }
  out.push("");
  return out.join("\n");
}

function placeholder(variable: EnvVar): string {
  if (variable.secret) return "change-me";
  if (variable.fallback !== undefined && !variable.secret) return variable.fallback;
  if (/URL$|URI$/.test(variable.name)) return "https://example.com";
  if (/PORT$/.test(variable.name)) return "3000";
  return "change-me";
}

export function envExample(profile: AppProfile, composed: boolean): string {
  const out: string[] = [
    "# Copy to .env and fill in. Never commit the real .env (.gitignore and .dockerignore keep it out).",
    "",
  ];
  const dbVars = profile.services.flatMap((service) => database(service.kind, profile.name)?.vars ?? []);
  if (composed) {
    out.push("# --- docker compose (compose.yaml) ---");
    for (const variable of dbVars) out.push(`# ${variable.comment}`, `${variable.name}=${variable.value}`);
    out.push(`# Host port published on 127.0.0.1 for the app.`, `APP_PORT=${profile.port.value}`, "");
  }
  out.push("# --- the app (read by its code) ---");
  for (const variable of profile.env) {
    if (dbVars.some((v) => v.name === variable.name)) continue;
    // init's own compose setting, from an .env.example it wrote before: not read by the app.
    if (variable.declaredOnly && variable.name === "APP_PORT") continue;
    const where = variable.evidence[0];
    const source = where ? ` (${where.file}${where.line ? `:${where.line}` : ""})` : "";
    const what = variable.required ? "Required" : "Optional";
    const detail = variable.buildTime
      ? "read at build time by client code"
      : variable.fallback !== undefined && !variable.secret
        ? `default ${variable.fallback}`
        : variable.secret
          ? "a secret: set the real value in .env or the deployment's secret store"
          : "";
    out.push(`# ${what}${detail ? `, ${detail}` : ""}${source}.`);
    const service = profile.services.find((s) => s.urlEnv === variable.name);
    const db = service ? database(service.kind, profile.name) : undefined;
    const value = db
      ? db.url
          .replace(
            /\$\{(\w+):\?[^}]*\}/g,
            (_m, name: string) => dbVars.find((v) => v.name === name)?.value ?? "change-me",
          )
          .replace(/\$\{(\w+):-([^}]*)\}/g, "$2")
          .replace(/@(?:db|mongo|redis):/, "@localhost:")
      : placeholder(variable);
    out.push(`${variable.name}=${value}`);
  }
  out.push("");
  return out.join("\n");
}

export function dockerignore(profile: AppProfile): string {
  if (isWorkspaceApp(profile)) return workspaceDockerignore(profile);
  const lines = [
    "# Only what the build needs goes into the context: no VCS data, no host-installed",
    "# dependencies or build output (the image builds its own), no secrets, no logs.",
    ".git",
    ".gitignore",
    ".env",
    ".env.*",
    "!.env.example",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_ed25519*",
    "*.log",
    "npm-debug.log*",
    "coverage",
    ".nyc_output",
    ".vscode",
    ".idea",
    ".DS_Store",
  ];
  if (profile.stack === "node") {
    lines.push("node_modules");
    const outDir = profile.build?.outDir;
    if (outDir && outDir !== ".") lines.push(outDir);
    if (profile.framework.value === "next") lines.push(".next");
  } else {
    // node_modules too: a Python app with a front-end toolchain has one, and it is never needed.
    lines.push(".venv", "venv", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", "node_modules");
  }
  // What the app writes at run time (uploads, a SQLite file's directory) is data, not code: a local
  // copy must not ship, nor land root-owned on the directory the image prepares for it.
  for (const path of writablePathsOf(profile)) lines.push(`/${path}`);
  lines.push("Dockerfile", ".dockerignore", "compose.yaml", "DOCKER.md", "");
  return [...new Set(lines)].join("\n");
}

/** The app's sure writable paths, relative to its directory. */
function writablePathsOf(profile: AppProfile): string[] {
  return profile.writablePaths
    .filter((path) => path.sure && path.value !== "" && path.value !== ".")
    .map((path) => path.value.replace(/^\.\//, "").replace(/\/+$/, ""));
}

/**
 * `<dir>/Dockerfile.dockerignore` for a workspace app: the context is the repository root, so each
 * pattern starts with a globstar to reach every workspace, and the other apps' Docker files stay out.
 */
function workspaceDockerignore(profile: AppProfile): string {
  const lines = [
    "# The build context is the repository root; BuildKit reads this file for this Dockerfile only.",
    "**/.git",
    "**/.env",
    "**/.env.*",
    "!**/.env.example",
    "**/.npmrc",
    "**/*.pem",
    "**/*.key",
    "**/id_rsa*",
    "**/*.log",
    "**/coverage",
    "**/.DS_Store",
    "**/node_modules",
    "**/.turbo",
    "**/.next",
  ];
  const outDir = profile.build?.outDir;
  if (outDir && outDir !== ".") lines.push(`**/${outDir}`);
  for (const path of writablePathsOf(profile)) lines.push(`${profile.dir}/${path}`);
  lines.push("**/Dockerfile", "**/*.dockerignore", "**/compose.yaml", "**/DOCKER.md", "");
  return [...new Set(lines)].join("\n");
}
