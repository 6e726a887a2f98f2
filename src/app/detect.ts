/**
 * detectApp: the app profile of a project, from the same facts `check` reads (src/check/facts).
 * Pure: a ProjectTree in, a profile out.
 */
import { AMBIENT_ENV, type AppFacts, appFacts, type PackageFacts } from "../check/facts/app.js";
import { isSecretName } from "../check/facts/secrets.js";
import { dirName, type ProjectTree } from "../check/facts/tree.js";
import { UsageError } from "../errors.js";
import { join, nodeBuildAndStart, nodeFramework, nodeProfile, workspacePackages } from "./node.js";
import { detectPython, isPythonApp } from "./python.js";
import type {
  AppDefect,
  AppProfile,
  BackingService,
  Detected,
  DetectOptions,
  EnvVar,
  Evidence,
  Framework,
  Migrations,
  ServiceKind,
} from "./types.js";
import { type WritesInput, writableOption, writablePaths } from "./writes.js";

/** Prefixes bundlers inline at build time wherever the code reads them. */
const PUBLIC_PREFIX = /^(?:VITE_|REACT_APP_|NEXT_PUBLIC_)/;

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1)$/i;

/** Ports frameworks listen on when the code does not say. */
const FRAMEWORK_PORT: Partial<Record<Framework, number>> = {
  next: 3000,
  nestjs: 3000,
  remix: 3000,
  "react-router": 3000,
  astro: 4321,
  sveltekit: 3000,
  fastapi: 8000,
  starlette: 8000,
  flask: 8000,
  django: 8000,
};

const SERVICE_PACKAGES: Array<[ServiceKind, string[]]> = [
  [
    "postgres",
    [
      "pg",
      "postgres",
      "pg-promise",
      "@neondatabase/serverless",
      "psycopg",
      "psycopg2",
      "psycopg2-binary",
      "asyncpg",
    ],
  ],
  ["mysql", ["mysql", "mysql2", "pymysql", "mysqlclient", "aiomysql"]],
  ["redis", ["redis", "ioredis", "bullmq", "bull"]],
  ["mongodb", ["mongodb", "mongoose", "pymongo", "motor"]],
];

const URL_ENV: Record<ServiceKind, RegExp> = {
  postgres: /^(?:DATABASE_URL|POSTGRES_URL|PG_?URL|POSTGRES_CONNECTION_STRING|DB_URL)$/,
  mysql: /^(?:DATABASE_URL|MYSQL_URL|DB_URL)$/,
  redis: /^(?:REDIS_URL|REDIS_URI|CACHE_URL)$/,
  mongodb: /^(?:MONGO(?:DB)?_(?:URL|URI)|DATABASE_URL)$/,
};

/** Which directory holds the app: `--app`, the root, or the one workspace that is a server. */
function appDir(
  tree: ProjectTree,
  facts: AppFacts,
  options: DetectOptions,
): { dir: string; workspaces: string[] } {
  const workspaces = workspacePackages(tree);
  if (options.app !== undefined) {
    const dir = options.app.replace(/^\.\//, "").replace(/\/+$/, "");
    const clean = dir === "." ? "" : dir;
    if (!facts.packageAt(clean) && !isPythonApp(tree, clean))
      throw new UsageError(`--app ${options.app}: no package.json or Python app there`, {
        hint: workspaces.length > 0 ? `workspaces: ${workspaces.join(", ")}` : undefined,
      });
    return { dir: clean, workspaces };
  }
  if (workspaces.length === 0) return { dir: "", workspaces };
  const servers = workspaces.filter((dir) => {
    const pkg = facts.packageAt(dir);
    return pkg && (pkg.scripts.has("start") || pkg.scripts.has("start:prod"));
  });
  if (servers.length === 1) return { dir: servers[0]!, workspaces };
  throw new UsageError(
    `this is a monorepo with ${workspaces.length} workspaces; say which app to containerize with --app`,
    { hint: `workspaces: ${workspaces.join(", ")}` },
  );
}

/** Source init itself writes (the static server): not the app's code, so not evidence about it. */
const INIT_SOURCES = ["docker/serve-static.mjs"];

/** Whether a path is the app's (under its directory, and not a file init wrote). */
function within(dir: string, path: string): boolean {
  if (INIT_SOURCES.some((file) => path === join(dir, file))) return false;
  return dir === "" || path === dir || path.startsWith(`${dir}/`);
}

function evidenceAt(tree: ProjectTree, file: string, line: number): Evidence {
  return { file, line, text: tree.texts.get(file)?.line(line).trim().slice(0, 160) ?? "" };
}

export function detectApp(tree: ProjectTree, options: DetectOptions = {}): AppProfile {
  const facts = appFacts(tree);
  const { dir, workspaces } = appDir(tree, facts, options);
  const pkg = facts.packageAt(dir);
  const python = !pkg && isPythonApp(tree, dir);
  if (!pkg && !python)
    throw new UsageError(
      `no app found in ${dir === "" ? "this directory" : dir}: shipshape init knows Node.js (package.json) and Python (requirements.txt, pyproject.toml, Pipfile, *.py) apps`,
    );
  const listens = facts.listens.filter((listen) => within(dir, listen.file));
  const env = envVars(tree, facts, dir);
  const defects: AppDefect[] = loopbackDefects(tree, listens);
  const unsure: AppProfile["unsure"] = [];

  // Port: --port, the code's listen() (literal or env default), an env file, the framework default.
  let portEnv: string | undefined;
  const port = ((): Detected<number> => {
    if (options.port !== undefined) return { value: options.port, evidence: [], sure: true, how: "--port" };
    for (const listen of listens) {
      if (listen.portEnv) portEnv = listen.portEnv;
      if (listen.port !== undefined)
        return {
          value: listen.port,
          evidence: [evidenceAt(tree, listen.file, listen.line)],
          sure: true,
          how: listen.portEnv ? `the default of ${listen.portEnv}` : "the literal port",
        };
    }
    const fromEnvDefault = env.find((v) => v.name === "PORT" && v.fallback && /^\d+$/.test(v.fallback));
    if (fromEnvDefault?.fallback) {
      portEnv = "PORT";
      return {
        value: Number(fromEnvDefault.fallback),
        evidence: fromEnvDefault.evidence,
        sure: true,
        how: "the default of PORT",
      };
    }
    // `Number(env.PORT ?? "3000")` in a config module that reads an env object it is given.
    for (const file of facts.sourceFiles) {
      if (!within(dir, file)) continue;
      const source = tree.texts.get(file)!;
      const match = /\bPORT\b\s*\)?\s*(?:\?\?|\|\|)\s*["'`]?(\d{2,5})\b/.exec(source.text);
      if (match?.[1]) {
        portEnv = "PORT";
        const line = source.text.slice(0, match.index).split("\n").length;
        return {
          value: Number(match[1]),
          evidence: [evidenceAt(tree, file, line)],
          sure: true,
          how: "the default of PORT",
        };
      }
    }
    return { value: 0, evidence: [], sure: false, how: "" };
  })();

  let profile: AppProfile;
  if (pkg) {
    const node = nodeProfile(tree, pkg, workspaces);
    const framework = nodeFramework(pkg);
    const shape = nodeBuildAndStart(tree, pkg, framework.value, node.manager.value);
    const frameworkPort = shape.kind === "static" ? 8080 : FRAMEWORK_PORT[framework.value];
    if (port.value === 0 && frameworkPort)
      Object.assign(port, { value: frameworkPort, sure: true, how: `${framework.value} default` });
    if (shape.kind === "next-standalone" || framework.value === "next") portEnv = "PORT";
    if (shape.kind === "static") {
      portEnv = "PORT";
      // No server reads anything at run time: every variable the code reads was inlined by the build.
      for (const variable of env) if (!variable.declaredOnly) variable.buildTime = true;
    }
    profile = {
      dir,
      name: pkg.name ?? (dir === "" ? "app" : dir.split("/").at(-1)!),
      stack: "node",
      node,
      framework,
      kind: shape.kind,
      start: options.start ? { value: options.start, evidence: [], sure: true, how: "--start" } : shape.start,
      port,
      services: services(tree, dir, [...pkg.dependencies], env, pkg.file),
      env,
      runtimeFiles: shape.runtimeFiles,
      writablePaths: [],
      defects: [...defects, ...shape.defects],
      unsure,
    };
    if (shape.build) profile.build = shape.build;
    const migrations = nodeMigrations(pkg, profile);
    if (migrations) profile.migrations = migrations;
  } else {
    const detection = detectPython(tree, dir, () => (port.value === 0 ? 8000 : port.value));
    if (port.value === 0)
      Object.assign(port, {
        value: detection.defaultPort,
        sure: detection.framework.value !== "python-http",
        how: `${detection.framework.value} default`,
      });
    profile = {
      dir,
      name: dir === "" ? "app" : dir.split("/").at(-1)!,
      stack: "python",
      python: detection.profile,
      framework: detection.framework,
      kind: "server",
      start: options.start
        ? { value: options.start, evidence: [], sure: true, how: "--start" }
        : detection.start,
      port,
      services: services(tree, dir, detection.profile.dependencies, env, detection.profile.manifest),
      env,
      runtimeFiles: ["."],
      writablePaths: [],
      defects: [...defects, ...detection.defects],
      unsure,
    };
    if (detection.migrations) profile.migrations = detection.migrations;
  }
  if (portEnv) profile.portEnv = portEnv;
  if (port.value === 0)
    Object.assign(port, { value: 3000, sure: false, how: "no port found in the code: 3000 assumed" });

  const health = healthPath(tree, facts, dir, profile, options);
  if (health) profile.health = health;
  profile.writablePaths = writable(tree, facts, profile, options);

  if (!profile.port.sure)
    unsure.push({ flag: "--port", why: profile.port.how || "the port the app listens on was not found" });
  if (!profile.start.sure) unsure.push({ flag: "--start", why: profile.start.how });
  // A write detection could not place: said, and left to --writable (which answers all of them).
  if (!options.writable?.length)
    for (const path of profile.writablePaths.filter((p) => !p.sure)) {
      const at = path.evidence[0];
      unsure.push({
        flag: "--writable",
        why: `${at ? `${at.file}:${at.line ?? ""} ` : ""}${path.how}${path.value && path.value !== "." ? ` (${path.value})` : ""}`,
      });
    }
  if (!profile.health && profile.kind === "server")
    unsure.push({
      flag: "--health-path",
      why: "no health route found: the health check only tests that the port accepts connections",
    });
  return profile;
}

/** What the app writes at run time, with the directories `--writable` names added as sure. */
function writable(
  tree: ProjectTree,
  facts: AppFacts,
  profile: AppProfile,
  options: DetectOptions,
): Detected<string>[] {
  const input: WritesInput = {
    stack: profile.stack,
    dir: profile.dir,
    kind: profile.kind,
    sourceFiles: facts.sourceFiles,
  };
  if (profile.build) input.build = profile.build;
  const detected = writablePaths(tree, input);
  const given = (options.writable ?? []).map((raw) => {
    const parsed = writableOption(raw);
    if ("error" in parsed) throw new UsageError(`--writable ${raw}: ${parsed.error}`);
    return parsed.path;
  });
  for (const path of [...new Set(given)].reverse()) {
    const index = detected.findIndex((d) => d.value === path);
    const evidence = index >= 0 ? detected[index]!.evidence : [];
    if (index >= 0) detected.splice(index, 1);
    detected.unshift({ value: path, evidence, sure: true, how: "--writable" });
  }
  return detected;
}

/** `app.listen(PORT, "localhost")`: reachable only from inside the container. */
function loopbackDefects(tree: ProjectTree, listens: AppFacts["listens"]): AppDefect[] {
  const out: AppDefect[] = [];
  for (const listen of listens) {
    if (!listen.host || !LOOPBACK.test(listen.host) || listen.hostEnv) continue;
    const source = tree.texts.get(listen.file);
    const text = source?.line(listen.line) ?? "";
    const quoted = new RegExp(`(["'\`])${listen.host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\1`).exec(text);
    const defect: AppDefect = {
      id: "listen-loopback",
      message: `the server listens on \`${listen.host}\`: inside a container that is reachable from nowhere else, so the published port answers nothing; listen on 0.0.0.0`,
      evidence: evidenceAt(tree, listen.file, listen.line),
    };
    if (quoted) {
      const q = quoted[1]!;
      defect.edit = { file: listen.file, line: listen.line, from: quoted[0], to: `${q}0.0.0.0${q}` };
    }
    out.push(defect);
  }
  return out;
}

function envVars(tree: ProjectTree, facts: AppFacts, dir: string): EnvVar[] {
  const byName = new Map<string, EnvVar>();
  for (const read of facts.envReads) {
    if (!within(dir, read.file) || AMBIENT_ENV.has(read.name)) continue;
    let entry = byName.get(read.name);
    if (!entry) {
      entry = {
        name: read.name,
        required: true,
        secret: isSecretName(read.name),
        buildTime: read.client || PUBLIC_PREFIX.test(read.name),
        evidence: [],
      };
      byName.set(read.name, entry);
    }
    if (entry.evidence.length < 3) entry.evidence.push(evidenceAt(tree, read.file, read.line));
    if (read.fallback !== undefined) {
      entry.fallback ??= read.fallback;
      entry.required = false;
    }
    if (!read.client && !PUBLIC_PREFIX.test(read.name)) entry.buildTime = false;
  }
  // Names passed to a required-env helper (`required_env("API_TOKEN")`, `_required("API_KEY")`):
  // read, and required. A bare `required(…)` counts only with an upper-case variable name.
  for (const file of facts.sourceFiles) {
    if (!within(dir, file)) continue;
    const source = tree.texts.get(file)!;
    for (const match of [
      ...source.text.matchAll(
        /\b(?:required?_?env|requireEnv|getRequired\w*|mustGet\w*|env\.required)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/gi,
      ),
      ...source.text.matchAll(/(?<![\w$])_?required\(\s*["']([A-Z][A-Z0-9_]*)["']/g),
    ]) {
      const name = match[1]!;
      if (AMBIENT_ENV.has(name)) continue;
      const line = source.text.slice(0, match.index).split("\n").length;
      const entry = byName.get(name);
      if (entry) entry.required = entry.fallback === undefined;
      else
        byName.set(name, {
          name,
          required: true,
          secret: isSecretName(name),
          buildTime: false,
          evidence: [evidenceAt(tree, file, line)],
        });
    }
  }
  // Pydantic settings classes: each field is a variable (upper-cased), required without a default.
  for (const file of facts.sourceFiles) {
    if (!within(dir, file) || !file.endsWith(".py")) continue;
    const source = tree.texts.get(file)!;
    if (!/\bBaseSettings\b/.test(source.text)) continue;
    let inside = false;
    for (let line = 1; line <= source.lineCount; line++) {
      const text = source.line(line);
      if (/^class\s+\w+\([^)]*\bBaseSettings\b[^)]*\)\s*:/.test(text)) {
        inside = true;
        continue;
      }
      if (inside && /^\S/.test(text)) inside = false;
      const field = inside
        ? /^\s+([a-z_][a-z0-9_]*)\s*:\s*[^=]+?(?:=\s*(.+?))?\s*(?:#.*)?$/.exec(text)
        : null;
      if (!field?.[1] || field[1] === "model_config") continue;
      const name = field[1].toUpperCase();
      if (byName.has(name) || AMBIENT_ENV.has(name)) continue;
      const variable: EnvVar = {
        name,
        required: field[2] === undefined,
        secret: isSecretName(name),
        buildTime: false,
        evidence: [evidenceAt(tree, file, line)],
      };
      const literal = field[2] === undefined ? undefined : /^(["'])(.*)\1$|^(\d+(?:\.\d+)?)$/.exec(field[2]);
      if (literal) variable.fallback = literal[2] ?? literal[3] ?? "";
      byName.set(name, variable);
    }
  }
  // Read into a constant the code only uses when set (`KEY ? … : …`, `if (KEY)`, `KEY &&`): optional.
  for (const entry of byName.values()) {
    if (!entry.required || entry.fallback !== undefined) continue;
    const optional = entry.evidence.some((evidence) => {
      const constant = new RegExp(
        `\\b(?:const|let|var)\\s+([A-Za-z_$][\\w$]*)\\s*(?::[^=]+)?=\\s*process\\.env\\.${entry.name}\\s*;?\\s*$`,
      ).exec(evidence.text)?.[1];
      const text = tree.texts.get(evidence.file)?.text;
      if (!constant || !text) return false;
      const guarded = new RegExp(
        `\\b${constant}\\s*\\?(?![?.])|\\bif\\s*\\(\\s*${constant}\\s*\\)|\\b${constant}\\s*&&`,
      );
      const required = new RegExp(`if\\s*\\(\\s*!\\s*${constant}\\s*\\)`);
      return guarded.test(text) && !required.test(text);
    });
    if (optional) entry.required = false;
  }
  // A secret with a literal fallback in code is still required: the fallback is the defect.
  for (const entry of byName.values())
    if (entry.secret && entry.fallback !== undefined && !/^\d+$/.test(entry.fallback)) entry.required = true;
  // Names an existing .env.example declares, even when the code reads them indirectly.
  for (const file of facts.envFiles) {
    if (!file.example || !within(dir, file.file) || dirName(file.file) !== dir) continue;
    for (const variable of file.entries) {
      if (byName.has(variable.name) || AMBIENT_ENV.has(variable.name)) continue;
      const commentAbove = file.source.line(variable.line - 1);
      byName.set(variable.name, {
        name: variable.name,
        required: /required/i.test(commentAbove) && !/optional/i.test(commentAbove),
        secret: isSecretName(variable.name),
        buildTime: false,
        declaredOnly: true,
        evidence: [evidenceAt(tree, file.file, variable.line)],
      });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function services(
  tree: ProjectTree,
  dir: string,
  dependencies: string[],
  env: EnvVar[],
  /** The manifest the dependencies come from (package.json, requirements.txt, pyproject.toml). */
  manifest: string | undefined,
): BackingService[] {
  const out: BackingService[] = [];
  const deps = new Set(dependencies.map((name) => name.toLowerCase()));
  for (const [kind, packages] of SERVICE_PACKAGES) {
    const found = packages.find((name) => deps.has(name));
    const prisma =
      kind === "postgres" || kind === "mysql" || kind === "mongodb" ? prismaProvider(tree, dir) : undefined;
    const url = found || prisma?.kind === kind ? undefined : connectionString(tree, dir, kind);
    if (!found && prisma?.kind !== kind && !url) continue;
    const evidence: Evidence[] = found
      ? [{ file: manifest ?? join(dir, "requirements.txt"), text: `dependency ${found}` }]
      : prisma?.kind === kind
        ? [prisma.evidence]
        : [url!];
    const service: BackingService = { kind, evidence };
    const urlEnv = env.find((variable) => URL_ENV[kind].test(variable.name));
    if (urlEnv) service.urlEnv = urlEnv.name;
    out.push(service);
  }
  return out;
}

const URL_SCHEME: Record<ServiceKind, RegExp> = {
  postgres: /\bpostgres(?:ql)?:\/\/[^\s"'`]+/,
  mysql: /\bmysql:\/\/[^\s"'`]+/,
  redis: /\brediss?:\/\/[^\s"'`]+/,
  mongodb: /\bmongodb(?:\+srv)?:\/\/[^\s"'`]+/,
};

/** A connection string of this kind in the app's env files or code (a client not among the known packages). */
function connectionString(tree: ProjectTree, dir: string, kind: ServiceKind): Evidence | undefined {
  for (const [path, source] of tree.texts) {
    if (!within(dir, path)) continue;
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (!/^\.env(?:\..+)?$/.test(name) && !/\.(?:[cm]?[jt]s|py)$/.test(name)) continue;
    const match = URL_SCHEME[kind].exec(source.text);
    if (!match) continue;
    const line = source.text.slice(0, match.index).split("\n").length;
    // Evidence without the credentials a URL may hold.
    return { file: path, line, text: match[0].replace(/\/\/[^@/]*@/, "//…@") };
  }
  return undefined;
}

function prismaProvider(
  tree: ProjectTree,
  dir: string,
): { kind: ServiceKind; evidence: Evidence } | undefined {
  const file = join(dir, "prisma/schema.prisma");
  const text = tree.texts.get(file)?.text;
  const provider = text && /provider\s*=\s*"(postgresql|mysql|mongodb)"/.exec(text);
  if (!provider?.[1]) return undefined;
  const kind: ServiceKind = provider[1] === "postgresql" ? "postgres" : (provider[1] as ServiceKind);
  return { kind, evidence: { file, text: `provider = "${provider[1]}"` } };
}

function nodeMigrations(pkg: PackageFacts, profile: AppProfile): Migrations | undefined {
  const deps = new Set([...pkg.dependencies, ...pkg.devDependencies]);
  const dir = pkg.dir;
  const script =
    pkg.scripts.get("migrate") ?? pkg.scripts.get("db:migrate") ?? pkg.scripts.get("migrate:deploy");
  const scriptName = pkg.scripts.get("migrate")
    ? "migrate"
    : pkg.scripts.get("db:migrate")
      ? "db:migrate"
      : "migrate:deploy";
  const evidence: Evidence[] = script
    ? [{ file: pkg.file, line: script.line, text: `"${scriptName}": "${script.command}"` }]
    : [];
  if (deps.has("prisma") || deps.has("@prisma/client"))
    return {
      tool: "prisma",
      command: ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"],
      files: ["prisma"],
      evidence: evidence.length
        ? evidence
        : [{ file: join(dir, "prisma/schema.prisma"), text: "schema.prisma" }],
    };
  if (script) {
    const words = script.command.trim().split(/\s+/);
    if (words[0] === "node" && words.length === 2 && !/[$&|;]/.test(script.command))
      return { tool: "script", command: words, files: [], evidence };
    if (deps.has("knex") && /knex\s+migrate:latest/.test(script.command))
      return {
        tool: "knex",
        command: ["node", "node_modules/knex/bin/cli.js", "migrate:latest"],
        files: ["knexfile.js", "migrations"],
        evidence,
      };
    if (deps.has("drizzle-kit") && /drizzle-kit\s+migrate/.test(script.command))
      return {
        tool: "drizzle",
        command: ["node", "node_modules/drizzle-kit/bin.cjs", "migrate"],
        files: ["drizzle", "drizzle.config.ts", "drizzle.config.js"],
        evidence,
      };
    if (deps.has("sequelize-cli"))
      return {
        tool: "sequelize",
        command: ["node", "node_modules/sequelize-cli/lib/sequelize", "db:migrate"],
        files: [".sequelizerc", "migrations", "config"],
        evidence,
      };
    if (deps.has("typeorm"))
      return {
        tool: "typeorm",
        command: [
          "node",
          "node_modules/typeorm/cli.js",
          "migration:run",
          "-d",
          profile.build?.outDir ? `${profile.build.outDir}/data-source.js` : "data-source.js",
        ],
        files: [],
        evidence,
      };
  }
  return undefined;
}

/** The health route: --health-path, a route in the code, a framework file route, shipshape's own. */
function healthPath(
  tree: ProjectTree,
  facts: AppFacts,
  dir: string,
  profile: AppProfile,
  options: DetectOptions,
): Detected<string> | undefined {
  if (options.healthPath)
    return { value: options.healthPath, evidence: [], sure: true, how: "--health-path" };
  if (profile.kind === "static")
    return {
      value: "/healthz",
      evidence: [],
      sure: true,
      how: "the static server shipshape writes answers /healthz",
    };
  const route = facts.healthRoutes.find((candidate) => within(dir, candidate.file));
  if (route)
    return {
      value: route.path,
      evidence: [evidenceAt(tree, route.file, route.line)],
      sure: true,
      how: "a health route in the code",
    };
  // A path compared in a hand-written router (`if self.path == "/health"`, `pathname === "/healthz"`).
  for (const file of facts.sourceFiles) {
    if (!within(dir, file)) continue;
    const source = tree.texts.get(file)!;
    const match =
      /(?:==|===)\s*["'](\/(?:health|healthz|healthcheck|livez|readyz))["']|["'](\/(?:health|healthz|healthcheck|livez|readyz))["']\s*(?:==|===)/.exec(
        source.text,
      );
    const path = match?.[1] ?? match?.[2];
    if (match && path) {
      const line = source.text.slice(0, match.index).split("\n").length;
      return {
        value: path,
        evidence: [evidenceAt(tree, file, line)],
        sure: true,
        how: "a path the code's router answers",
      };
    }
  }
  for (const base of ["app", "src/app"]) {
    for (const name of ["health", "healthz"]) {
      for (const file of [
        `${base}/api/${name}/route.ts`,
        `${base}/api/${name}/route.js`,
        `${base}/${name}/route.ts`,
        `${base}/${name}/route.js`,
      ]) {
        const path = join(dir, file);
        if (tree.entries.has(path))
          return {
            value: `/${file.replace(/^(?:src\/)?app\//, "").replace(/\/route\.[jt]s$/, "")}`,
            evidence: [{ file: path, text: "route handler" }],
            sure: true,
            how: "a Next.js route handler",
          };
      }
    }
  }
  for (const name of ["health", "healthz"])
    for (const ext of ["ts", "js"]) {
      const path = join(dir, `pages/api/${name}.${ext}`);
      if (tree.entries.has(path))
        return {
          value: `/api/${name}`,
          evidence: [{ file: path, text: "API route" }],
          sure: true,
          how: "a Next.js API route",
        };
    }
  return undefined;
}
