/**
 * The app profile: what detection learns about an app (stack, package manager, runtime version,
 * framework, build, start command, port, health path, migrations, backing services, env vars),
 * each value with the evidence it came from. `init` generates from it, `verify` tests against it,
 * and `check` can ask it what the app needs.
 */

/** Where a detected value came from: "`app.listen(process.env.PORT ?? 8080)` in src/server.ts:41". */
export interface Evidence {
  file: string;
  line?: number;
  /** The text that shows it (a code line, a script, a lockfile name). */
  text: string;
}

export interface Detected<T> {
  value: T;
  evidence: Evidence[];
  /** False when detection fell back to a default: init says so and takes a flag or asks. */
  sure: boolean;
  /** Why, in a few words ("framework default", "from engines.node"). */
  how: string;
}

export type Stack = "node" | "python";
export type NodeManager = "npm" | "pnpm" | "yarn" | "yarn-berry" | "bun";
export type PythonManager = "pip" | "poetry" | "uv" | "pipenv";

export type Framework =
  | "express"
  | "fastify"
  | "koa"
  | "hono"
  | "nestjs"
  | "next"
  | "remix"
  | "react-router"
  | "astro"
  | "sveltekit"
  | "vite-spa"
  | "cra-spa"
  | "node-http"
  | "fastapi"
  | "starlette"
  | "flask"
  | "django"
  | "python-http";

/** How the image serves the app. */
export type AppKind =
  /** A server process started by a command (Express, FastAPI, a Node/Python script). */
  | "server"
  /** Next.js `output: "standalone"`: `node server.js` from .next/standalone. */
  | "next-standalone"
  /** A static single-page app with no server of its own: shipshape serves the build output. */
  | "static";

export type ServiceKind = "postgres" | "mysql" | "redis" | "mongodb";

export interface BackingService {
  kind: ServiceKind;
  /** The variable the app reads its connection string from (`DATABASE_URL`), when found. */
  urlEnv?: string;
  evidence: Evidence[];
}

export interface EnvVar {
  name: string;
  /** The app cannot start (or work) without it: read without a fallback. */
  required: boolean;
  /** Holds a secret (name or value says so): never a literal in generated files. */
  secret: boolean;
  /** The fallback in code, when there is one. */
  fallback?: string;
  /** Read by client code bundled at build time (`import.meta.env.VITE_X`). */
  buildTime: boolean;
  /** Only the existing .env.example names it (compose settings, or a read detection missed). */
  declaredOnly?: boolean;
  evidence: Evidence[];
}

export interface Migrations {
  tool: "prisma" | "drizzle" | "knex" | "typeorm" | "sequelize" | "alembic" | "django" | "script";
  /** The exec-form command that applies them in the runtime image. */
  command: string[];
  /** Files the command needs in the runtime image besides the app's own output. */
  files: string[];
  evidence: Evidence[];
}

export interface BuildStep {
  /** The command that builds (`npm run build`). */
  command: string[];
  /** The tool the build script runs (tsc, vite, next, nest, tsup, esbuild, swc). */
  tool?: string;
  /**
   * The build script's own command as argv (`["tsc", "-p", "tsconfig.build.json"]`), set only
   * when running `node_modules/.bin/<argv[0]> <args…>` is equivalent to `command`: the manager
   * installs into node_modules (npm, pnpm, yarn classic), the app is not part of a workspace, the
   * script is one plain command (no shell operators, quotes, variables or env assignments) whose
   * program is a known build tool declared in dependencies or devDependencies, there are no
   * `prebuild`/`postbuild` scripts and nothing reads npm's `npm_*` variables. The Dockerfile then
   * runs it without the package manager's start-up; evidence stays the script line.
   */
  direct?: string[];
  /** Where the output lands (`dist`, `.next`, `build`), relative to the app directory. */
  outDir?: string;
  evidence: Evidence[];
}

/** Something detection found wrong with the app itself, with the edit that fixes it. */
export interface AppDefect {
  id: "listen-loopback" | "dev-server-start";
  message: string;
  evidence: Evidence;
  /** A source edit init can make (shown as a diff, applied with consent). */
  edit?: { file: string; line: number; from: string; to: string };
}

export interface NodeProfile {
  manager: Detected<NodeManager>;
  lockfile?: string;
  /** Major version (`20`) and the exact one the image uses (`20.20.2`). */
  version: Detected<string>;
  /** Workspace packages when the root is a monorepo (paths relative to the project). */
  workspaces: string[];
  /**
   * An `.npmrc` that authenticates to a private registry: the install mounts it as a build secret
   * (`--mount=type=secret,id=npmrc`), so the token never lands in a layer.
   */
  npmrc?: Evidence;
  /** Workspaces the app depends on (their directories), dependencies first: built before it. */
  localWorkspaces: string[];
  /** `"type": "module"`. */
  esm: boolean;
  dependencies: string[];
  devDependencies: string[];
}

export interface PythonProfile {
  manager: Detected<PythonManager>;
  /** requirements.txt / pyproject.toml / Pipfile, and the lockfile if any. */
  manifest?: string;
  lockfile?: string;
  /** Every requirement pinned with `==` (pip), or a lockfile (others). */
  pinned: boolean;
  version: Detected<string>;
  dependencies: string[];
  /** Django with `STATIC_ROOT` set: the image runs `collectstatic` at build time. */
  collectstatic?: Evidence;
  /** The ASGI/WSGI application (`app.main:app`), for uvicorn/gunicorn. */
  appModule?: string;
}

export interface AppProfile {
  /** The app's directory relative to the project root ("" for the root itself). */
  dir: string;
  name: string;
  stack: Stack;
  node?: NodeProfile;
  python?: PythonProfile;
  framework: Detected<Framework>;
  kind: AppKind;
  build?: BuildStep;
  /** The exec-form start command of the runtime image (never `npm start`). */
  start: Detected<string[]>;
  port: Detected<number>;
  /** The variable the app reads its port from (`PORT`), when it reads one. */
  portEnv?: string;
  health?: Detected<string>;
  migrations?: Migrations;
  services: BackingService[];
  env: EnvVar[];
  /** Paths (relative to the app dir) the runtime image needs besides build output and deps. */
  runtimeFiles: string[];
  /**
   * Directories the app writes at run time (uploads, data, logs; a SQLite file's directory),
   * relative to the app dir, each with the write that shows it. The image creates the sure ones
   * owned by its user and declares them volumes. Unsure ones (value "" when the path is only known
   * at run time) are reported and left to `--writable`.
   */
  writablePaths: Detected<string>[];
  defects: AppDefect[];
  /** Values detection could not settle: init asks in a terminal or wants these flags. */
  unsure: Array<{ flag: string; why: string }>;
}

/** Choices a user can force (`--port`, `--start`, …): they override detection and are marked sure. */
export interface DetectOptions {
  app?: string;
  port?: number;
  start?: string[];
  healthPath?: string;
  /** Directories the app writes (`--writable uploads`), relative to the app dir. */
  writable?: string[];
}
