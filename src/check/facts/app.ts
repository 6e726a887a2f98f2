/**
 * Facts about the app itself: its manifests (package.json, lockfiles, Python requirements), env
 * files, and what its code does that decides whether it runs in a container: environment
 * variables it reads (and whether it checks them), where it listens, signal handlers, health
 * routes, schema creation at startup, build-time variables read by client code.
 *
 * Code is read line by line with patterns, not parsed: the signals are small and local, and a
 * reader that never fails on a syntax it does not know matters more here than completeness.
 */
import type { SourceText } from "./source.js";
import { baseName, CODE_FILE, dirName, NON_SOURCE_DIRS, type ProjectTree } from "./tree.js";

export interface LinePosition {
  file: string;
  line: number;
  column: number;
}

export interface PackageFacts {
  file: string;
  dir: string;
  source: SourceText;
  name?: string;
  main?: string;
  scripts: Map<string, { command: string; line: number }>;
  dependencies: Set<string>;
  devDependencies: Set<string>;
  /** Lockfile next to package.json (relative path), and the manager it implies. */
  lockfile?: string;
  manager: "npm" | "yarn" | "pnpm" | "bun";
  engines?: { node?: string };
  /** Line of a key (`"devDependencies"`), for anchoring. */
  keyLine(key: string): number;
}

export interface EnvFileFacts {
  file: string;
  source: SourceText;
  example: boolean;
  entries: Array<{ name: string; value: string; line: number; column: number }>;
}

export interface EnvRead extends LinePosition {
  name: string;
  kind: "process.env" | "import.meta.env" | "os.environ" | "os.getenv" | "Deno.env";
  /** A literal default (`|| 'x'`, `?? 3000`, `os.getenv("X", "y")`). */
  fallback?: string;
  /** Passed straight into a call or object (`new Pool({ url: process.env.X })`). */
  direct: boolean;
  /** Subscript access that raises when missing (`os.environ["X"]`). */
  failsWhenMissing: boolean;
  /** The file is client code bundled at build time. */
  client: boolean;
}

export interface ListenFacts extends LinePosition {
  /** Literal host the server binds, if one is given. */
  host?: string;
  /** Literal port, or the port's default when read from the environment. */
  port?: number;
  portEnv?: string;
  /** The variable the host is read from (`listen(PORT, process.env.HOST ?? "0.0.0.0")`); host is then its default. */
  hostEnv?: string;
  text: string;
  /** The host argument as written, when it is not a literal (an identifier resolved later). */
  hostText?: string;
}

export interface AppFacts {
  packages: PackageFacts[];
  /** The package.json at a directory (a Dockerfile's context, usually). */
  packageAt(dir: string): PackageFacts | undefined;
  pythonManifests: Array<{
    file: string;
    kind: "requirements" | "pyproject" | "pipfile";
    source?: SourceText;
  }>;
  pythonLockfiles: string[];
  envFiles: EnvFileFacts[];
  sourceFiles: string[];
  envReads: EnvRead[];
  /** Names checked somewhere (`if (!process.env.X)`, a required-env helper, a schema). */
  checkedEnv: Set<string>;
  listens: ListenFacts[];
  signalHandlers: Array<LinePosition & { signal: string }>;
  healthRoutes: Array<LinePosition & { path: string; body: string }>;
  schemaCreation: Array<LinePosition & { functionName?: string; functionLine?: number }>;
  calls(name: string): LinePosition[];
  dotenvLoads: LinePosition[];
  hasMigrations: boolean;
  /** Dependencies of every package.json, for framework and client detection. */
  allDependencies: Set<string>;
}

const DB_CLIENTS = [
  "pg",
  "postgres",
  "mysql",
  "mysql2",
  "mongoose",
  "mongodb",
  "redis",
  "ioredis",
  "@prisma/client",
  "sequelize",
  "typeorm",
  "knex",
  "drizzle-orm",
  "better-sqlite3",
  "psycopg",
  "psycopg2",
  "asyncpg",
  "sqlalchemy",
  "pymongo",
];

export { DB_CLIENTS };

function lockfileFor(
  tree: ProjectTree,
  dir: string,
): { lockfile?: string; manager: PackageFacts["manager"] } {
  const at = (name: string) => (dir === "" ? name : `${dir}/${name}`);
  for (const [name, manager] of [
    ["package-lock.json", "npm"],
    ["npm-shrinkwrap.json", "npm"],
    ["pnpm-lock.yaml", "pnpm"],
    ["yarn.lock", "yarn"],
    ["bun.lockb", "bun"],
    ["bun.lock", "bun"],
  ] as const) {
    if (tree.entries.has(at(name))) return { lockfile: at(name), manager };
  }
  return { manager: "npm" };
}

function packageFacts(tree: ProjectTree, source: SourceText): PackageFacts | undefined {
  let json: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(source.text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    json = value as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const dir = dirName(source.path);
  const keyLine = (key: string): number => {
    const pattern = new RegExp(`^\\s*"${key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"\\s*:`);
    for (let line = 1; line <= source.lineCount; line++) if (pattern.test(source.line(line))) return line;
    return 1;
  };
  const scripts = new Map<string, { command: string; line: number }>();
  const scriptsObject = json.scripts;
  if (scriptsObject && typeof scriptsObject === "object") {
    const scriptsLine = keyLine("scripts");
    for (const [name, command] of Object.entries(scriptsObject as Record<string, unknown>)) {
      if (typeof command !== "string") continue;
      let line = scriptsLine;
      const pattern = new RegExp(`^\\s*"${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"\\s*:`);
      for (let l = scriptsLine; l <= source.lineCount; l++) {
        if (pattern.test(source.line(l))) {
          line = l;
          break;
        }
      }
      scripts.set(name, { command, line });
    }
  }
  const names = (key: string) =>
    new Set(json[key] && typeof json[key] === "object" ? Object.keys(json[key] as object) : []);
  const facts: PackageFacts = {
    file: source.path,
    dir,
    source,
    scripts,
    dependencies: names("dependencies"),
    devDependencies: names("devDependencies"),
    keyLine,
    ...lockfileFor(tree, dir),
  };
  if (typeof json.name === "string") facts.name = json.name;
  if (typeof json.main === "string") facts.main = json.main;
  const packageManager =
    typeof json.packageManager === "string" ? json.packageManager.split("@")[0] : undefined;
  if (
    !facts.lockfile &&
    (packageManager === "pnpm" || packageManager === "yarn" || packageManager === "bun")
  ) {
    facts.manager = packageManager;
  }
  const engines = json.engines as Record<string, unknown> | undefined;
  if (engines && typeof engines.node === "string") facts.engines = { node: engines.node };
  return facts;
}

export function envFileFacts(source: SourceText): EnvFileFacts {
  const entries: EnvFileFacts["entries"] = [];
  for (let line = 1; line <= source.lineCount; line++) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(source.line(line));
    if (!match?.[1]) continue;
    let value = (match[2] ?? "").trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    entries.push({ name: match[1], value, line, column: source.line(line).indexOf(match[1]) + 1 });
  }
  const name = baseName(source.path);
  return {
    file: source.path,
    source,
    example: /\.(?:example|sample|template|dist|defaults?)$/.test(name),
    entries,
  };
}

/** Lines that are comments in JS/TS or Python, roughly: enough not to read commented-out code. */
function isCommentLine(line: string, python: boolean): boolean {
  return python ? /^\s*#/.test(line) : /^\s*(?:\/\/|\*|\/\*)/.test(line);
}

const JS_ENV = /\bprocess\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\])/g;
const META_ENV = /\bimport\.meta\.env\.([A-Za-z_][A-Za-z0-9_]*)/g;
const DENO_ENV = /\bDeno\.env\.get\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g;
const PY_ENV =
  /\bos\.(?:environ\.get|getenv)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*(?:,\s*([^)]*))?\)|\bos\.environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]/g;
/** Variables every runtime sets or that never need declaring. */
const AMBIENT_ENV = new Set([
  "NODE_ENV",
  "HOME",
  "PATH",
  "PWD",
  "HOSTNAME",
  "USER",
  "TZ",
  "LANG",
  "CI",
  "DEBUG",
  "MODE",
  "DEV",
  "PROD",
  "SSR",
  "BASE_URL",
  "npm_package_version",
  "npm_package_name",
  "npm_lifecycle_event",
  "PYTHONPATH",
  "PYTHONUNBUFFERED",
  "TERM",
  "SHELL",
  "TMPDIR",
  "VERCEL",
  "NETLIFY",
  "K_SERVICE",
]);

export { AMBIENT_ENV };

/**
 * More ways code checks a variable before relying on it: `if (process.env.X)`, `process.env.X ?`,
 * `process.env.X &&`, `"X" in process.env`, `assert(process.env.X)`, Python `if not os.getenv("X")`,
 * `"X" not in os.environ`, and validation schemas (`X: z.string()`, envalid's `X: str()`).
 */
const ENV_CHECKS =
  /\bif\s*\(\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\)|\bprocess\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?(?![?.])|&&)|["']([A-Za-z_][A-Za-z0-9_]*)["']\s+(?:not\s+)?in\s+(?:process\.env|os\.environ)\b|\bassert\w*\(\s*process\.env\.([A-Za-z_][A-Za-z0-9_]*)|\bif\s+(?:not\s+)?os\.(?:environ\.get|getenv)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']|^\s*["']?([A-Z][A-Z0-9_]*)["']?\s*:\s*(?:z\.|Joi\.|Type\.|v\.|yup\.|(?:str|url|num|port|bool|email|host|json)\()/g;

/** A conversion call an environment read is wrapped in: its fallback follows the closing paren. */
const CONVERSION_CALL = /\b(?:Number|parseInt|parseFloat|String|Boolean|int|float|str)\(\s*$/;

function literalAfter(rest: string): string | undefined {
  const match = /^\s*(?:\|\||\?\?)\s*(?:(["'`])((?:(?!\1).)*)\1|(\d+(?:\.\d+)?)|(true|false))/.exec(rest);
  if (!match) return undefined;
  return match[2] ?? match[3] ?? match[4];
}

/** A client (browser) file: bundled at build time, so env reads are baked in. */
function isClientFile(path: string, text: string): boolean {
  if (
    /(?:^|\/)(?:app|pages|components|client|frontend|web)\//.test(path) &&
    /\.(?:tsx|jsx|vue|svelte)$/.test(path)
  )
    return true;
  if (/^\s*["']use client["']/m.test(text)) return true;
  return /\bimport\.meta\.env\b/.test(text) && !/\bprocess\.env\b/.test(text);
}

export function appFacts(tree: ProjectTree): AppFacts {
  const packages: PackageFacts[] = [];
  const envFiles: EnvFileFacts[] = [];
  const pythonManifests: AppFacts["pythonManifests"] = [];
  const pythonLockfiles: string[] = [];
  const sourceFiles: string[] = [];
  for (const entry of tree.entries.values()) {
    const name = baseName(entry.path);
    if (/^(?:poetry\.lock|uv\.lock|Pipfile\.lock|pdm\.lock)$/.test(name)) pythonLockfiles.push(entry.path);
  }
  for (const [path, source] of tree.texts) {
    const name = baseName(path);
    if (name === "package.json") {
      const facts = packageFacts(tree, source);
      if (facts) packages.push(facts);
    } else if (/^\.env(?:\.|$)/.test(name)) envFiles.push(envFileFacts(source));
    else if (/^requirements.*\.txt$/.test(name))
      pythonManifests.push({ file: path, kind: "requirements", source });
    else if (name === "pyproject.toml") pythonManifests.push({ file: path, kind: "pyproject", source });
    else if (name === "Pipfile") pythonManifests.push({ file: path, kind: "pipfile", source });
    else if (
      CODE_FILE.test(name) &&
      !NON_SOURCE_DIRS.test(`${path}`) &&
      !/(?:\.test|\.spec|\.d)\.[cm]?[jt]sx?$|(?:^|\/)test_[^/]*\.py$|\.config\.[cm]?[jt]s$/.test(name)
    ) {
      sourceFiles.push(path);
    }
  }
  sourceFiles.sort();
  packages.sort((a, b) => a.file.localeCompare(b.file));

  const envReads: EnvRead[] = [];
  const checkedEnv = new Set<string>();
  const listens: ListenFacts[] = [];
  const signalHandlers: AppFacts["signalHandlers"] = [];
  const healthRoutes: AppFacts["healthRoutes"] = [];
  const schemaCreation: AppFacts["schemaCreation"] = [];
  const dotenvLoads: LinePosition[] = [];
  const constants = new Map<string, { value?: string; env?: string }>();

  for (const file of sourceFiles) {
    const source = tree.texts.get(file)!;
    const python = file.endsWith(".py");
    const client = !python && isClientFile(file, source.text);
    let currentFunction: { name: string; line: number } | undefined;
    for (let line = 1; line <= source.lineCount; line++) {
      const text = source.line(line);
      if (text.length > 2000 || isCommentLine(text, python)) continue;
      const fn =
        /\b(?:async\s+)?function\s+([A-Za-z_$][\w$]*)\s*\(/.exec(text) ??
        /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/.exec(
          text,
        ) ??
        (python ? /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(text) : null);
      if (fn?.[1]) currentFunction = { name: fn[1], line };

      const pushRead = (
        name: string,
        column: number,
        kind: EnvRead["kind"],
        rest: string,
        before: string,
        failsWhenMissing = false,
        pyDefault?: string,
      ) => {
        // `Number(process.env.PORT) || 3000`, `parseInt(process.env.PORT, 10) || 3000`: a conversion
        // whose result has the fallback.
        const wrapper = CONVERSION_CALL.test(before);
        const afterWrapper = wrapper ? rest.replace(/^\s*(?:,[^()]*)?\)/, "") : undefined;
        const fallback =
          pyDefault ??
          literalAfter(rest) ??
          (afterWrapper !== undefined && afterWrapper !== rest ? literalAfter(afterWrapper) : undefined);
        const read: EnvRead = {
          file,
          line,
          column,
          name,
          kind,
          direct:
            (/(?:\(\s*|[{,]\s*[A-Za-z_$][\w$]*\s*:\s*|,\s*)$/.test(before) ||
              /^\s*["']?[A-Za-z_$][\w$-]*["']?\s*:\s*$/.test(before)) &&
            !/^\s*(?:\|\||\?\?|\?|&&|===?|!==?)/.test(rest) &&
            !(wrapper && fallback !== undefined),
          failsWhenMissing,
          client,
        };
        if (fallback !== undefined) read.fallback = fallback.replace(/^["']|["']$/g, "");
        envReads.push(read);
        const assigned =
          /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[\w.<>[\]| ]+)?=\s*(?:(?:Number|parseInt|parseFloat|String)\(\s*)?$/.exec(
            before,
          ) ?? /^\s*([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*(?:(?:int|float|str)\(\s*)?$/.exec(before);
        if (assigned?.[1]) {
          const constant: { value?: string; env?: string } = { env: name };
          if (read.fallback !== undefined) constant.value = read.fallback;
          constants.set(`${file}:${assigned[1]}`, constant);
        }
      };

      if (python) {
        // Each pattern needs its own words: most lines have none of them (and `matchAll` copies
        // the expression for every line it is asked about).
        if (text.includes("os.environ") || text.includes("os.getenv"))
          for (const match of text.matchAll(PY_ENV)) {
            const index = match.index ?? 0;
            if (match[3])
              pushRead(
                match[3],
                index + 1,
                "os.environ",
                text.slice(index + match[0].length),
                text.slice(0, index),
                true,
              );
            else if (match[1])
              pushRead(
                match[1],
                index + 1,
                "os.getenv",
                text.slice(index + match[0].length),
                text.slice(0, index),
                false,
                match[2]?.trim() || undefined,
              );
          }
      } else {
        if (text.includes("process.env"))
          for (const match of text.matchAll(JS_ENV)) {
            const index = match.index ?? 0;
            const name = match[1] ?? match[2] ?? "";
            pushRead(
              name,
              index + 1,
              "process.env",
              text.slice(index + match[0].length),
              text.slice(0, index),
            );
          }
        if (text.includes("import.meta.env"))
          for (const match of text.matchAll(META_ENV)) {
            const index = match.index ?? 0;
            pushRead(
              match[1] ?? "",
              index + 1,
              "import.meta.env",
              text.slice(index + match[0].length),
              text.slice(0, index),
            );
          }
        if (text.includes("Deno.env.get"))
          for (const match of text.matchAll(DENO_ENV)) {
            const index = match.index ?? 0;
            pushRead(
              match[1] ?? "",
              index + 1,
              "Deno.env",
              text.slice(index + match[0].length),
              text.slice(0, index),
            );
          }
        // const { A, B = 'x' } = process.env
        const destructure = /\{([^}]*)\}\s*=\s*process\.env\b/.exec(text);
        if (destructure?.[1]) {
          for (const part of destructure[1].split(",")) {
            const m =
              /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_$][\w$]*)?\s*(?:=\s*(["'`]?)([^"'`]*)\2)?\s*$/.exec(
                part,
              );
            if (!m?.[1]) continue;
            const read: EnvRead = {
              file,
              line,
              column: text.indexOf(m[1]) + 1,
              name: m[1],
              kind: "process.env",
              direct: false,
              failsWhenMissing: false,
              client,
            };
            if (m[3] !== undefined && m[2] !== undefined) read.fallback = m[3];
            envReads.push(read);
          }
        }
      }

      // Checks that make a missing variable fail fast.
      // (Each needs a `!`, a `==`, a `require…` or `mustGet`; ENV_CHECKS an `env` or a `:`.)
      if (text.includes("!") || text.includes("==") || text.includes("equire") || text.includes("mustGet"))
        for (const match of text.matchAll(
          /!\s*(?:process\.env\.|import\.meta\.env\.)?([A-Za-z_][A-Za-z0-9_]*)\b|\b(?:process\.env\.)?([A-Z][A-Z0-9_]*)\s*(?:===?|!==?|==)\s*(?:undefined|null|""|'')|(?:required?|requireEnv|getRequired|mustGet|env\.required)\w*\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g,
        )) {
          const name = match[1] ?? match[2] ?? match[3];
          if (name) checkedEnv.add(name);
        }
      if (text.includes("env") || text.includes(":"))
        for (const match of text.matchAll(ENV_CHECKS)) {
          const name = match.slice(1).find((group) => group !== undefined);
          if (name) checkedEnv.add(name);
        }
      // `for (const key of ["A", "B"]) if (!process.env[key]) …`: the names listed just before.
      if (
        /!\s*process\.env\[\s*[A-Za-z_$]|\b(?:if\s+not\s+os\.(?:environ\.get|getenv)|not\s+in\s+os\.environ)\b/.test(
          text,
        )
      ) {
        for (let l = Math.max(1, line - 5); l <= line; l++)
          for (const quoted of source.line(l).matchAll(/["'`]([A-Z][A-Z0-9_]{2,})["'`]/g))
            if (quoted[1]) checkedEnv.add(quoted[1]);
      }

      if (
        /\bprocess\.(?:on|once|addListener)\(\s*["'](SIGTERM|SIGINT)["']/.test(text) ||
        /\b(?:signal\.signal|add_signal_handler)\(\s*signal\.(SIGTERM|SIGINT)/.test(text)
      ) {
        const signal = /SIGTERM|SIGINT/.exec(text)?.[0] ?? "SIGTERM";
        signalHandlers.push({
          file,
          line,
          column: text.search(/process|signal|\w+\.add_signal_handler/) + 1,
          signal,
        });
      } else if (/\bprocess\.(?:on|once|addListener)\(\s*[A-Za-z_$][\w$]*\s*,/.test(text)) {
        // `for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, …)`: the names are nearby.
        const nearby = [text];
        for (let l = Math.max(1, line - 5); l < line; l++) nearby.push(source.line(l));
        const signal = /SIGTERM|SIGINT/.exec(
          /SIGTERM/.test(nearby.join("\n")) ? "SIGTERM" : nearby.join("\n"),
        )?.[0];
        if (signal) signalHandlers.push({ file, line, column: text.search(/process/) + 1, signal });
      } else if (/\b(?:createTerminus|enableShutdownHooks|closeWithGrace|createLightship)\(/.test(text)) {
        // Libraries that install a SIGTERM handler themselves.
        const column = text.search(/createTerminus|enableShutdownHooks|closeWithGrace|createLightship/) + 1;
        signalHandlers.push({ file, line, column, signal: "SIGTERM" });
      }
      if (/\bdotenv\b[^\n]*\.config\(|["']dotenv\/config["']|\bload_dotenv\(/.test(text)) {
        dotenvLoads.push({ file, line, column: text.search(/dotenv|load_dotenv/) + 1 });
      }
      const route =
        /\.(?:get|all|route|head)\(\s*["'`](\/(?:health|healthz|healthcheck|ready|readyz|livez|status|ping)[^"'`]*)["'`]/.exec(
          text,
        ) ??
        (python
          ? /@\w+\.(?:get|route)\(\s*["'](\/(?:health|healthz|healthcheck|ready|readyz|livez|ping)[^"']*)["']/.exec(
              text,
            )
          : null);
      if (route?.[1]) {
        const body: string[] = [];
        if (python) {
          // The decorator, the `def` under it, and the indented body after that.
          const indent = /^\s*/.exec(text)?.[0].length ?? 0;
          let seenDef = false;
          for (let l = line; l <= Math.min(source.lineCount, line + 30); l++) {
            const bodyLine = source.line(l);
            if (l > line && bodyLine.trim() !== "" && (/^\s*/.exec(bodyLine)?.[0].length ?? 0) <= indent) {
              if (seenDef || !/^\s*(?:@|(?:async\s+)?def\s)/.test(bodyLine)) break;
            }
            if (/^\s*(?:async\s+)?def\s/.test(bodyLine)) seenDef = true;
            body.push(bodyLine);
          }
        } else {
          for (let l = line; l <= Math.min(source.lineCount, line + 30); l++) {
            const bodyLine = source.line(l);
            body.push(bodyLine);
            if (l > line && /^\s*\}\s*\)\s*;?\s*$/.test(bodyLine)) break;
            if (l === line && /\)\s*;?\s*$/.test(bodyLine) && /=>/.test(bodyLine) && !/\{\s*$/.test(bodyLine))
              break;
          }
        }
        healthRoutes.push({
          file,
          line,
          column: (route.index ?? 0) + 2,
          path: route[1],
          body: body.join("\n"),
        });
      }
      if (/\bCREATE\s+TABLE\b/i.test(text) && !/migrat/i.test(file)) {
        const schema: AppFacts["schemaCreation"][number] = { file, line, column: text.search(/CREATE/i) + 1 };
        if (currentFunction) {
          schema.functionName = currentFunction.name;
          schema.functionLine = currentFunction.line;
        }
        schemaCreation.push(schema);
      }
      // Literal constants (`const HOST = "0.0.0.0"`, `PORT = 8000`), for resolving listen arguments.
      const literal = python
        ? /^([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*(?:(["'])([^"']*)\2|(\d+))\s*(?:#.*)?$/.exec(text)
        : /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*\w+\s*)?=\s*(?:(["'`])([^"'`$]*)\2|(\d+))\s*;?\s*(?:\/\/.*)?$/.exec(
            text,
          );
      if (literal?.[1] && !constants.has(`${file}:${literal[1]}`))
        constants.set(`${file}:${literal[1]}`, { value: literal[3] ?? literal[4] ?? "" });
      const listen = listenOf(text, python);
      if (listen) listens.push({ file, line, ...listen });
    }
  }

  // Resolve `listen(PORT, HOST)` through `const PORT = process.env.PORT || 3000` and
  // `const HOST = "0.0.0.0"` in the same file.
  for (const listen of listens) {
    const identifier = /^[A-Za-z_$][\w$]*$/.test(listen.text) ? listen.text : undefined;
    const constant = identifier ? constants.get(`${listen.file}:${identifier}`) : undefined;
    if (constant?.env) listen.portEnv = constant.env;
    if (constant?.value !== undefined && /^\d+$/.test(constant.value)) listen.port = Number(constant.value);
    const host = listen.hostText ? constants.get(`${listen.file}:${listen.hostText}`) : undefined;
    if (host?.env) listen.hostEnv = host.env;
    if (host?.value !== undefined && !/^\d+$/.test(host.value)) listen.host = host.value;
  }

  const byDir = new Map(packages.map((pkg) => [pkg.dir, pkg] as const));
  const allDependencies = new Set<string>();
  for (const pkg of packages)
    for (const dep of [...pkg.dependencies, ...pkg.devDependencies]) allDependencies.add(dep);
  for (const manifest of pythonManifests) {
    for (const line of manifest.source?.text.split("\n") ?? []) {
      const dep = /^\s*([A-Za-z0-9_.-]+)/.exec(line)?.[1];
      if (dep && manifest.kind === "requirements") allDependencies.add(dep.toLowerCase());
    }
    if (manifest.kind === "pyproject")
      for (const dep of manifest.source?.text.matchAll(/["']([A-Za-z0-9_.-]+)\s*[<>=~![;"']/g) ?? [])
        allDependencies.add((dep[1] ?? "").toLowerCase());
  }

  return {
    packages,
    packageAt: (dir) => byDir.get(dir),
    pythonManifests,
    pythonLockfiles,
    envFiles,
    sourceFiles,
    envReads,
    checkedEnv,
    listens,
    signalHandlers,
    healthRoutes,
    schemaCreation,
    calls: (name) => {
      const out: LinePosition[] = [];
      const pattern = new RegExp(`(?<![\\w$.]|function\\s)${name.replace(/[$]/g, "\\$")}\\s*\\(`);
      for (const file of sourceFiles) {
        const source = tree.texts.get(file)!;
        for (let line = 1; line <= source.lineCount; line++) {
          const text = source.line(line);
          if (
            /\b(?:function|def)\s/.test(text) &&
            text.includes(`${name}(`) &&
            /\b(?:function|def)\s+\w+\s*\(/.test(text)
          )
            continue;
          const match = pattern.exec(text);
          if (match && !/^\s*(?:import|export\s+\{|from\s)/.test(text))
            out.push({ file, line, column: (match.index ?? 0) + 1 });
        }
      }
      return out;
    },
    dotenvLoads,
    hasMigrations: [...tree.entries.keys()].some((path) =>
      /(?:^|\/)(?:migrations|migrate|alembic|prisma\/migrations|db\/migrate)(?:\/|$)/.test(path),
    ),
    allDependencies,
  };
}

/** Where a line starts a server listening, with the host and port it names. */
function listenOf(text: string, python: boolean): Omit<ListenFacts, "file" | "line"> | undefined {
  if (python) {
    const run = /\b(?:app|application|server|uvicorn)\.run\(([^)]*)\)/.exec(text);
    if (!run) return undefined;
    const args = run[1] ?? "";
    const out: Omit<ListenFacts, "file" | "line"> = { column: (run.index ?? 0) + 1, text: args };
    const host = /host\s*=\s*["']([^"']+)["']/.exec(args)?.[1];
    if (host) out.host = host;
    const port = /port\s*=\s*(\d+)/.exec(args)?.[1];
    if (port) out.port = Number(port);
    return out;
  }
  const call = /\.listen\(\s*([^,)]*)(?:,\s*([^,)]*))?/.exec(text);
  if (!call) return undefined;
  const first = (call[1] ?? "").trim();
  const out: Omit<ListenFacts, "file" | "line"> = { column: (call.index ?? 0) + 2, text: first };
  if (/^\d+$/.test(first)) out.port = Number(first);
  // `listen(process.env.PORT ?? 3000)`, `listen(Number(process.env.PORT) || 3000)`
  const inline =
    /\.listen\(\s*(?:Number\(|parseInt\(|\+)?\s*process\.env\.([A-Za-z_]\w*)\s*(?:,\s*10\s*)?\)?\s*(?:(?:\|\||\?\?)\s*(["'`]?)(\d+)\2)?/.exec(
      text,
    );
  if (inline?.[1]) {
    out.portEnv = inline[1];
    if (inline[3]) out.port = Number(inline[3]);
  }
  const second = (call[2] ?? "").trim();
  const literal = /^(["'`])([^"'`$]*)\1$/.exec(second);
  const fromEnv = /^process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?:\|\||\?\?)\s*(["'`])([^"'`]*)\2)?$/.exec(
    second,
  );
  if (literal) out.host = literal[2] ?? "";
  else if (fromEnv?.[1]) {
    out.hostEnv = fromEnv[1];
    if (fromEnv[3] !== undefined) out.host = fromEnv[3];
  } else if (/^[A-Za-z_$][\w$]*$/.test(second)) out.hostText = second;
  const objectHost = /host(?:name)?\s*:\s*["'`]([^"'`]+)["'`]/.exec(text)?.[1];
  if (objectHost) out.host = objectHost;
  const objectPort = /port\s*:\s*(\d+)/.exec(text)?.[1];
  if (objectPort) out.port = Number(objectPort);
  // `listen(PORT as number, …)`: the identifier resolves later.
  out.text = first.replace(/\s+as\s+\w+$/, "").replace(/^Number\((.*)\)$/, "$1");
  return out;
}
