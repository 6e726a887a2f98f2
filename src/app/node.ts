/**
 * Node.js detection: package manager, Node version, workspaces, framework, build step and its
 * output, the real start command (never a dev server, never `npm start`), and the files the
 * runtime image needs.
 */
import type { PackageFacts } from "../check/facts/app.js";
import { parseShell } from "../check/facts/shell.js";
import type { SourceText } from "../check/facts/source.js";
import { baseName, CODE_FILE, type ProjectTree } from "../check/facts/tree.js";
import type {
  AppDefect,
  AppKind,
  BuildStep,
  Detected,
  Evidence,
  Framework,
  NodeManager,
  NodeProfile,
} from "./types.js";
import { exactVersion, KNOWN_IMAGES } from "./versions.js";

export function join(dir: string, path: string): string {
  if (dir === "" || dir === ".") return path;
  return `${dir}/${path}`;
}

function jsonOf(source: SourceText | undefined): Record<string, unknown> | undefined {
  if (!source) return undefined;
  try {
    const value: unknown = JSON.parse(withoutComments(source.text));
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** JSON with comments and trailing commas (tsconfig.json) as plain JSON; strings are left alone. */
function withoutComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = /"(?:[^"\\\n]|\\.)*"/y;
      end.lastIndex = i;
      const match = end.exec(text);
      const literal = match?.[0] ?? char;
      out += literal;
      i += literal.length - 1;
    } else if (char === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (char === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 1;
    } else out += char;
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}

export function packageJson(tree: ProjectTree, dir: string): Record<string, unknown> | undefined {
  return jsonOf(tree.texts.get(join(dir, "package.json")));
}

/** `workspaces` of package.json (array or `{ packages }`) or pnpm-workspace.yaml, expanded one level. */
export function workspacePackages(tree: ProjectTree): string[] {
  const root = packageJson(tree, "");
  let patterns: string[] = [];
  const field = root?.workspaces;
  if (Array.isArray(field)) patterns = field.filter((p): p is string => typeof p === "string");
  else if (field && typeof field === "object" && Array.isArray((field as { packages?: unknown }).packages))
    patterns = ((field as { packages: unknown[] }).packages ?? []).filter(
      (p): p is string => typeof p === "string",
    );
  const pnpm = tree.texts.get("pnpm-workspace.yaml")?.text;
  if (pnpm)
    for (const match of pnpm.matchAll(/^\s*-\s*["']?([^"'\n#]+?)["']?\s*$/gm))
      if (match[1] && !match[1].startsWith("!")) patterns.push(match[1]);
  const out = new Set<string>();
  for (const pattern of patterns) {
    const clean = pattern.replace(/\/+$/, "").replace(/^\.\//, "");
    if (clean.endsWith("/*") || clean.endsWith("/**")) {
      const parent = clean.replace(/\/\*\*?$/, "");
      for (const path of tree.texts.keys()) {
        const match = new RegExp(`^${escapeRegExp(parent)}/([^/]+)/package\\.json$`).exec(path);
        if (match) out.add(`${parent}/${match[1]}`);
      }
    } else if (tree.texts.has(`${clean}/package.json`)) out.add(clean);
  }
  return [...out].sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function manager(
  tree: ProjectTree,
  dir: string,
  pkg: PackageFacts | undefined,
): Detected<NodeManager> & {
  lockfile?: string;
} {
  const json = packageJson(tree, dir) ?? packageJson(tree, "");
  const field = typeof json?.packageManager === "string" ? json.packageManager : undefined;
  const fieldEvidence: Evidence[] = field
    ? [{ file: join(dir, "package.json"), text: `"packageManager": "${field}"` }]
    : [];
  // The lockfile of the app, else of the workspace root.
  for (const base of dir === "" ? [""] : [dir, ""]) {
    for (const [name, kind] of [
      ["package-lock.json", "npm"],
      ["npm-shrinkwrap.json", "npm"],
      ["pnpm-lock.yaml", "pnpm"],
      ["yarn.lock", "yarn"],
      ["bun.lock", "bun"],
      ["bun.lockb", "bun"],
    ] as const) {
      const path = join(base, name);
      if (!tree.entries.has(path)) continue;
      let value: NodeManager = kind;
      if (kind === "yarn") {
        const berry =
          tree.entries.has(join(base, ".yarnrc.yml")) || /^yarn@(?:[2-9]|\d{2,})/.test(field ?? "");
        if (berry) value = "yarn-berry";
      }
      return {
        value,
        lockfile: path,
        evidence: [{ file: path, text: `lockfile ${name}` }, ...fieldEvidence],
        sure: true,
        how: "from the lockfile",
      };
    }
  }
  if (field) {
    const name = field.split("@")[0];
    const major = Number(/@(\d+)/.exec(field)?.[1] ?? 0);
    const value: NodeManager | undefined =
      name === "pnpm"
        ? "pnpm"
        : name === "yarn"
          ? major >= 2
            ? "yarn-berry"
            : "yarn"
          : name === "bun"
            ? "bun"
            : name === "npm"
              ? "npm"
              : undefined;
    if (value) return { value, evidence: fieldEvidence, sure: true, how: "from packageManager" };
  }
  return {
    value: pkg?.manager ?? "npm",
    evidence: [],
    sure: true,
    how: "no lockfile: npm (the install cannot be frozen until one is committed)",
  };
}

/** The major line a version range asks for: `>=20.11` → 20, `^22.1` → 22, `v20.20.2` → 20.20.2. */
function requestedNode(text: string): string | undefined {
  const exact = /^v?(\d+\.\d+\.\d+)$/.exec(text.trim());
  if (exact?.[1]) return exact[1];
  if (/^lts\/|^(?:node|stable|latest)$/i.test(text.trim())) return undefined;
  const majors = [...text.matchAll(/(\d+)(?:\.\d+)*/g)].map((m) => m[1] ?? "");
  // `>=18 <23`, `^20 || ^22`: the highest line shipshape knows that the range names.
  const known = Object.keys(KNOWN_IMAGES.node?.lines ?? {});
  const named = majors.filter((major) => known.includes(major));
  const current = KNOWN_IMAGES.node!.version.split(".")[0]!;
  // `>=18 <23`: the current line when the bounds admit it, else the highest known line within them.
  const bounded = /^\s*>(=?)\s*(\d+)(?:\.\d+)*\s+<(=?)\s*(\d+)(?:\.\d+)*\s*$/.exec(text);
  if (bounded) {
    const [, lowInclusive, low, highInclusive, high] = bounded;
    const within = known
      .filter((major) => (lowInclusive ? Number(major) >= Number(low) : Number(major) > Number(low)))
      .filter((major) => (highInclusive ? Number(major) <= Number(high) : Number(major) < Number(high)));
    if (within.includes(current)) return current;
    const highest = within.sort((a, b) => Number(b) - Number(a))[0];
    if (highest) return highest;
  }
  if (/^\s*>=?\s*\d+/.test(text) && !/</.test(text)) {
    // An open lower bound: the current line satisfies it when it is at least that major.
    if (Number(current) >= Number(majors[0] ?? 0)) return current;
  }
  return named.sort((a, b) => Number(b) - Number(a))[0] ?? majors[0];
}

function nodeVersion(tree: ProjectTree, dir: string): Detected<string> {
  const json = packageJson(tree, dir) ?? {};
  const rootJson = packageJson(tree, "") ?? {};
  const sources: Array<[string, string | undefined]> = [];
  for (const base of dir === "" ? [""] : [dir, ""]) {
    sources.push([join(base, ".nvmrc"), tree.texts.get(join(base, ".nvmrc"))?.text.trim()]);
    sources.push([join(base, ".node-version"), tree.texts.get(join(base, ".node-version"))?.text.trim()]);
  }
  const engines = (json.engines ?? rootJson.engines) as Record<string, unknown> | undefined;
  if (typeof engines?.node === "string")
    sources.push([join(dir, "package.json"), `engines.node ${engines.node}`]);
  const volta = (json.volta ?? rootJson.volta) as Record<string, unknown> | undefined;
  if (typeof volta?.node === "string") sources.push([join(dir, "package.json"), `volta.node ${volta.node}`]);
  for (const [file, text] of sources) {
    if (!text) continue;
    const requested = requestedNode(text.replace(/^(?:engines|volta)\.node /, ""));
    if (!requested) continue;
    const exact = exactVersion("node", requested);
    if (exact) return { value: exact, evidence: [{ file, text }], sure: true, how: `from ${baseName(file)}` };
    return {
      value: KNOWN_IMAGES.node!.version,
      evidence: [{ file, text }],
      sure: false,
      how: `Node ${requested} is not a line shipshape knows; using ${KNOWN_IMAGES.node!.version}`,
    };
  }
  return {
    value: KNOWN_IMAGES.node!.version,
    evidence: [],
    sure: true,
    how: "no version asked for: the current LTS shipshape knows",
  };
}

const FRAMEWORKS: Array<[Framework, string[]]> = [
  ["next", ["next"]],
  ["nestjs", ["@nestjs/core"]],
  ["remix", ["@remix-run/node", "@remix-run/serve", "@remix-run/express"]],
  ["react-router", ["@react-router/node", "@react-router/serve"]],
  ["astro", ["astro"]],
  ["sveltekit", ["@sveltejs/kit"]],
  ["fastify", ["fastify"]],
  ["hono", ["hono"]],
  ["koa", ["koa"]],
  ["express", ["express"]],
  ["cra-spa", ["react-scripts"]],
  ["vite-spa", ["vite"]],
];

export function nodeFramework(pkg: PackageFacts): Detected<Framework> {
  const all = new Set([...pkg.dependencies, ...pkg.devDependencies]);
  for (const [framework, packages] of FRAMEWORKS) {
    const found = packages.find((name) => all.has(name));
    if (found)
      return {
        value: framework,
        evidence: [{ file: pkg.file, line: pkg.keyLine(found), text: `"${found}"` }],
        sure: true,
        how: "from dependencies",
      };
  }
  return { value: "node-http", evidence: [], sure: true, how: "no framework dependency: plain Node" };
}

/** Scripts that start a development server or need a dev-only CLI: never an image's command. */
export const DEV_START =
  /\b(?:nodemon|ts-node(?:-dev)?|tsx\s+watch|node\s+--watch|nest\s+start(?!\S*\s+--prod)|next\s+dev|vite(?:\s+(?:dev|serve|preview))?\s*$|vite\s+--|react-scripts\s+start|webpack(?:-dev-server|\s+serve)|astro\s+dev|remix\s+dev|react-router\s+dev|svelte-kit\s+dev)\b/;

/** Server CLIs and the packages whose bin they are. */
const SERVER_BINS: Record<string, string> = {
  "remix-serve": "@remix-run/serve",
  "react-router-serve": "@react-router/serve",
  serve: "serve",
  "http-server": "http-server",
  "fastify-start": "fastify-cli",
  fastify: "fastify-cli",
};

export interface NodeBuildAndStart {
  kind: AppKind;
  build?: BuildStep;
  start: Detected<string[]>;
  runtimeFiles: string[];
  defects: AppDefect[];
}

export function tsconfigOut(tree: ProjectTree, dir: string): { outDir?: string; rootDir?: string } {
  const json = jsonOf(tree.texts.get(join(dir, "tsconfig.json")));
  const options = (json?.compilerOptions ?? {}) as Record<string, unknown>;
  const clean = (value: unknown) =>
    typeof value === "string" ? value.replace(/^\.\//, "").replace(/\/+$/, "") : undefined;
  const out: { outDir?: string; rootDir?: string } = {};
  const outDir = clean(options.outDir);
  let rootDir = clean(options.rootDir);
  if (!rootDir && Array.isArray(json?.include)) {
    // `"include": ["src"]` or `["src/**/*"]`: every input is under src, which tsc takes as the root.
    const tops = new Set(
      json.include.map((pattern) =>
        typeof pattern === "string" ? clean(pattern)?.split("/")[0] : undefined,
      ),
    );
    const [top] = [...tops];
    if (tops.size === 1 && top && top !== "." && !/[*?{[]/.test(top)) rootDir = top;
  }
  if (outDir) out.outDir = outDir;
  if (rootDir) out.rootDir = rootDir;
  return out;
}

/** The output directory of a build script's tool. */
function outDirOf(
  tree: ProjectTree,
  dir: string,
  tool: string | undefined,
  script: string,
): string | undefined {
  const flag = /(?:--out-?[dD]ir|--outfile|-d)[= ]([^\s&;]+)/.exec(script)?.[1];
  switch (tool) {
    case "tsc":
      return tsconfigOut(tree, dir).outDir ?? flag;
    case "nest":
      return tsconfigOut(tree, dir).outDir ?? "dist";
    case "vite":
      return flag ?? "dist";
    case "next":
      return ".next";
    case "react-scripts":
      return "build";
    case "tsup":
    case "esbuild":
    case "swc":
    case "rollup":
    case "webpack":
      return flag?.replace(/\/[^/]*\.[cm]?js$/, "") ?? "dist";
    case "remix":
    case "react-router":
      return "build";
    case "astro":
    case "svelte-kit":
      return tool === "astro" ? "dist" : "build";
    default:
      return undefined;
  }
}

/** The build tools detection knows, each with the packages whose install puts it in node_modules/.bin. */
const BUILD_TOOLS: Record<string, readonly string[]> = {
  tsc: ["typescript"],
  vite: ["vite"],
  next: ["next"],
  nest: ["@nestjs/cli"],
  tsup: ["tsup"],
  esbuild: ["esbuild"],
  swc: ["@swc/cli"],
  rollup: ["rollup"],
  webpack: ["webpack-cli", "webpack"],
  "react-scripts": ["react-scripts"],
  remix: ["@remix-run/dev"],
  "react-router": ["@react-router/dev"],
  astro: ["astro"],
  "svelte-kit": ["@sveltejs/kit"],
};

function isBuildTool(program: string): boolean {
  return Object.hasOwn(BUILD_TOOLS, program);
}

/** The program a script runs last that is a known build tool (`tsc && vite build` → vite). */
function buildTool(script: string): string | undefined {
  let tool: string | undefined;
  for (const command of parseShell(script)) {
    const argv = command.argv.filter((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
    const program = baseName(argv[0] === "npx" ? (argv[1] ?? "") : (argv[0] ?? ""));
    if (isBuildTool(program)) tool = program;
  }
  return tool;
}

/** Words of a script that mean the same to any shell: no operators, quotes, variables, globs. */
const PLAIN_WORDS = /^[A-Za-z0-9_./:=@%+,-]+(?: +[A-Za-z0-9_./:=@%+,-]+)*$/;

/**
 * The build script as argv when running `node_modules/.bin/<tool> <args…>` in the build stage
 * does exactly what `npm run build` (or the manager's) does, or undefined. Conservative: one
 * plain command whose program is a known build tool, declared in package.json, installed by a
 * manager that puts bins in node_modules/.bin, with no pre/post scripts npm would run around it,
 * outside any workspace (bins may be hoisted to the root), and no code that reads the `npm_*`
 * variables a package manager sets for scripts (`process.env.npm_package_version` in a config).
 */
function directBuild(
  tree: ProjectTree,
  pkg: PackageFacts,
  managerValue: NodeManager,
  script: string,
): string[] | undefined {
  // yarn berry may use Plug'n'Play (no node_modules); bun runs scripts its own way.
  if (managerValue !== "npm" && managerValue !== "pnpm" && managerValue !== "yarn") return undefined;
  const text = script.trim();
  if (!PLAIN_WORDS.test(text)) return undefined;
  const argv = text.split(/ +/);
  const program = argv[0] ?? "";
  if (!isBuildTool(program)) return undefined;
  const declared = (BUILD_TOOLS[program] ?? []).some(
    (name) => pkg.dependencies.has(name) || pkg.devDependencies.has(name),
  );
  if (!declared) return undefined;
  if (pkg.scripts.has("prebuild") || pkg.scripts.has("postbuild")) return undefined;
  // A workspace, or an app below a lockfile of its parent: its bins may be hoisted out of its dir.
  const dir = pkg.dir;
  if (workspacePackages(tree).length > 0 || (dir !== "" && !pkg.lockfile)) return undefined;
  // yarn 1's experimental Plug'n'Play, pnpm's `node-linker=pnp`: no node_modules/.bin.
  const json = packageJson(tree, dir) ?? {};
  const installConfig = json.installConfig as Record<string, unknown> | undefined;
  if (installConfig?.pnp === true) return undefined;
  for (const path of dir === "" ? [".npmrc"] : [join(dir, ".npmrc"), ".npmrc"])
    if (/^\s*node-linker\s*=\s*pnp\b/m.test(tree.texts.get(path)?.text ?? "")) return undefined;
  for (const [path, source] of tree.texts) {
    if (!(dir === "" || path.startsWith(`${dir}/`)) || !CODE_FILE.test(path)) continue;
    if (/\bnpm_(?:package|lifecycle|config|execpath|node_execpath)/.test(source.text)) return undefined;
  }
  return argv;
}

/** `node dist/index.js` → argv, when a script is one plain command without shell features. */
function plainCommand(script: string): string[] | undefined {
  const commands = parseShell(script);
  if (commands.length !== 1) return undefined;
  const argv = commands[0]?.argv ?? [];
  if (argv.some((word) => /[$`*?]/.test(word) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word))) return undefined;
  return argv.length > 0 ? argv : undefined;
}

/**
 * Map a source entry to its compiled output (`src/main.ts` → `dist/main.js`). `sure` when the
 * root the output mirrors is known: tsconfig's rootDir, or the one directory `include` names
 * (tsc then infers it as the common root of the inputs).
 */
function compiledEntry(
  tree: ProjectTree,
  dir: string,
  source: string,
  outDir: string,
): { path: string; sure: boolean } {
  const { rootDir } = tsconfigOut(tree, dir);
  const rel = rootDir && source.startsWith(`${rootDir}/`) ? source.slice(rootDir.length + 1) : source;
  const js = rel.replace(/\.[cm]?tsx?$/, (ext) =>
    ext.startsWith(".m") ? ".mjs" : ext.startsWith(".c") ? ".cjs" : ".js",
  );
  const sure = rootDir !== undefined && (rootDir === "." || rel !== source);
  return { path: `${outDir}/${js}`, sure };
}

/** Relative imports of a file: then it cannot be copied on its own. */
function hasRelativeImports(source: SourceText | undefined): boolean {
  return source !== undefined && /(?:from\s+|require\(\s*|import\(\s*)["']\.\.?\//.test(source.text);
}

export function nodeBuildAndStart(
  tree: ProjectTree,
  pkg: PackageFacts,
  framework: Framework,
  managerValue: NodeManager,
): NodeBuildAndStart {
  const dir = pkg.dir;
  const defects: AppDefect[] = [];
  const runner = managerValue === "yarn" || managerValue === "yarn-berry" ? "yarn" : managerValue;
  const buildScript = pkg.scripts.get("build");
  let build: BuildStep | undefined;
  if (buildScript) {
    const tool = buildTool(buildScript.command);
    build = {
      command: runner === "yarn" ? ["yarn", "build"] : [runner, "run", "build"],
      evidence: [{ file: pkg.file, line: buildScript.line, text: `"build": "${buildScript.command}"` }],
    };
    if (tool) build.tool = tool;
    const direct = directBuild(tree, pkg, managerValue, buildScript.command);
    if (direct) build.direct = direct;
    const outDir = outDirOf(tree, dir, tool, buildScript.command);
    if (outDir) build.outDir = outDir;
  }

  const scriptEvidence = (name: string): Evidence[] => {
    const script = pkg.scripts.get(name);
    return script ? [{ file: pkg.file, line: script.line, text: `"${name}": "${script.command}"` }] : [];
  };

  // Next.js: standalone output runs `node server.js`; otherwise the next binary itself.
  if (framework === "next") {
    const config = ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"]
      .map((name) => tree.texts.get(join(dir, name)))
      .find((source) => source !== undefined);
    const standalone = config && /output\s*:\s*["']standalone["']/.test(config.text);
    const publicDir = [...tree.entries.keys()].some((path) => path.startsWith(`${join(dir, "public")}/`));
    if (standalone && config) {
      const line = config.text.slice(0, config.text.search(/output\s*:/)).split("\n").length;
      return {
        kind: "next-standalone",
        ...(build ? { build } : {}),
        start: {
          value: ["node", "server.js"],
          evidence: [{ file: config.path, line, text: 'output: "standalone"' }],
          sure: true,
          how: "Next.js standalone output",
        },
        runtimeFiles: publicDir ? ["public"] : [],
        defects,
      };
    }
    return {
      kind: "server",
      ...(build ? { build } : {}),
      start: {
        value: ["node", "node_modules/next/dist/bin/next", "start"],
        evidence: scriptEvidence("start"),
        sure: true,
        how: 'next start (set output: "standalone" in next.config for a smaller image)',
      },
      // `next start` reads next.config at run time; .next comes from the build stage.
      runtimeFiles: [".next", ...(publicDir ? ["public"] : []), ...(config ? [baseName(config.path)] : [])],
      defects,
    };
  }

  // A static single-page app: no server dependency and no start script of its own.
  const start = pkg.scripts.get("start");
  const startIsDev = start ? DEV_START.test(start.command) : false;
  if ((framework === "vite-spa" || framework === "cra-spa") && (!start || startIsDev)) {
    return {
      kind: "static",
      ...(build ? { build } : {}),
      start: {
        value: ["node", "/srv/serve-static.mjs"],
        evidence: build?.evidence ?? [],
        sure: true,
        how: "a static build: served by a small dependency-free Node server shipshape writes",
      },
      runtimeFiles: [],
      defects,
    };
  }

  const candidates: Array<{ name: string; argv?: string[] }> = [];
  for (const name of ["start:prod", "start:production", "serve", "start"]) {
    const script = pkg.scripts.get(name);
    if (!script) continue;
    if (DEV_START.test(script.command)) {
      if (name === "start")
        defects.push({
          id: "dev-server-start",
          message: `the \`start\` script runs a development tool (\`${script.command}\`): the image runs the compiled app instead`,
          evidence: { file: pkg.file, line: script.line, text: `"start": "${script.command}"` },
        });
      continue;
    }
    const argv = plainCommand(script.command);
    candidates.push(argv ? { name, argv } : { name });
  }
  // A server CLI from a production dependency (`remix-serve ./build/index.js`): its bin, run
  // directly (node_modules/.bin is not on PATH in the image, and npm must not be PID 1's parent).
  for (const candidate of candidates) {
    const program = candidate.argv?.[0];
    const owner = program ? SERVER_BINS[program] : undefined;
    if (candidate.argv && owner && pkg.dependencies.has(owner))
      candidate.argv = [`node_modules/.bin/${program}`, ...candidate.argv.slice(1)];
  }
  const found = candidates.find(
    (candidate) =>
      candidate.argv && (candidate.argv[0] === "node" || candidate.argv[0]?.startsWith("node_modules/.bin/")),
  );
  if (found?.argv) {
    return {
      kind: "server",
      ...(build ? { build } : {}),
      start: {
        value: found.argv,
        evidence: scriptEvidence(found.name),
        sure: true,
        how: `the \`${found.name}\` script`,
      },
      runtimeFiles: runtimeFilesFor(tree, dir, found.argv, build),
      defects,
    };
  }
  // The compiled entry: `main`, or the compiled form of a conventional source entry.
  const outDir = build?.outDir;
  const main = pkg.main?.replace(/^\.\//, "");
  const entries: Array<{ path: string; evidence: Evidence[]; sure: boolean; how: string }> = [];
  if (main)
    entries.push({
      path: main,
      evidence: [{ file: pkg.file, line: pkg.keyLine("main"), text: `"main": "${pkg.main}"` }],
      sure: true,
      how: "the `main` field",
    });
  for (const source of [
    "src/main.ts",
    "src/index.ts",
    "src/server.ts",
    "src/app.ts",
    "main.ts",
    "index.ts",
    "server.ts",
  ]) {
    if (!outDir || !tree.entries.has(join(dir, source))) continue;
    const compiled = compiledEntry(tree, dir, source, outDir);
    entries.push({
      path: compiled.path,
      evidence: [{ file: join(dir, source), text: `${source} compiled to ${compiled.path}` }],
      // Without rootDir (given or inferable) tsc's output layout is a guess.
      sure: compiled.sure || tree.entries.has(join(dir, compiled.path)),
      how: "the compiled entry of the conventional source file",
    });
  }
  for (const source of [
    "server.js",
    "index.js",
    "app.js",
    "main.js",
    "server.mjs",
    "index.mjs",
    "src/server.js",
    "src/index.js",
    "src/app.js",
  ])
    if (tree.entries.has(join(dir, source)))
      entries.push({
        path: source,
        evidence: [{ file: join(dir, source), text: `entry file ${source}` }],
        sure: true,
        how: "the conventional entry file",
      });
  const entry = entries.find(
    ({ path }) =>
      path !== "" &&
      (tree.entries.has(join(dir, path)) || (outDir !== undefined && path.startsWith(`${outDir}/`))),
  );
  if (entry) {
    return {
      kind: "server",
      ...(build ? { build } : {}),
      start: { value: ["node", entry.path], evidence: entry.evidence, sure: entry.sure, how: entry.how },
      runtimeFiles: runtimeFilesFor(tree, dir, ["node", entry.path], build),
      defects,
    };
  }
  const other = candidates[0];
  return {
    kind: "server",
    ...(build ? { build } : {}),
    start: {
      value: other?.argv ?? ["node", "index.js"],
      evidence: other ? scriptEvidence(other.name) : [],
      sure: false,
      how: other
        ? `the \`${other.name}\` script is not a plain \`node\` command`
        : "no start script or entry file found",
    },
    runtimeFiles: ["."],
    defects,
  };
}

/** What the runtime image needs from the context besides build output and dependencies. */
function runtimeFilesFor(
  tree: ProjectTree,
  dir: string,
  argv: string[],
  build: BuildStep | undefined,
): string[] {
  const files = new Set<string>(["package.json"]);
  const entry = argv.slice(1).find((word) => !word.startsWith("-"));
  const outDir = build?.outDir;
  if (!build || !outDir) return ["."];
  if (entry && !entry.startsWith(`${outDir}/`)) {
    // A start file outside the build output (a small server.mjs for a SPA) comes along; when it
    // imports siblings, the whole source does.
    if (hasRelativeImports(tree.texts.get(join(dir, entry)))) return ["."];
    files.add(entry);
  }
  for (const path of ["migrations", "prisma", "drizzle", "db/migrations", "views", "templates"])
    if ([...tree.entries.keys()].some((p) => p.startsWith(`${join(dir, path)}/`))) files.add(path);
  return [...files];
}

/** An `.npmrc` (the app's or the repository's) with registry credentials in it. */
function privateRegistry(tree: ProjectTree, dir: string): { npmrc?: Evidence } {
  for (const path of dir === "" ? [".npmrc"] : [join(dir, ".npmrc"), ".npmrc"]) {
    const source = tree.texts.get(path);
    if (!source) continue;
    for (let line = 1; line <= source.lineCount; line++) {
      const text = source.line(line);
      if (/^\s*(?:\/\/[^\s=]+:)?_(?:authToken|auth|password)\s*=/.test(text))
        return { npmrc: { file: path, line, text: text.replace(/=.*$/, "=…") } };
    }
  }
  return {};
}

/** The workspaces `dir` depends on, transitively, each after the ones it needs. */
function localWorkspaces(tree: ProjectTree, dir: string, workspaces: string[]): string[] {
  const byName = new Map<string, string>();
  for (const workspace of workspaces) {
    const name = packageJson(tree, workspace)?.name;
    if (typeof name === "string") byName.set(name, workspace);
  }
  const ordered: string[] = [];
  const visit = (at: string, seen: Set<string>) => {
    const json = packageJson(tree, at) ?? {};
    for (const key of ["dependencies", "devDependencies"]) {
      const deps = json[key];
      if (!deps || typeof deps !== "object") continue;
      for (const name of Object.keys(deps)) {
        const workspace = byName.get(name);
        if (!workspace || workspace === dir || seen.has(workspace)) continue;
        seen.add(workspace);
        visit(workspace, seen);
        if (!ordered.includes(workspace)) ordered.push(workspace);
      }
    }
  };
  visit(dir, new Set());
  return ordered;
}

export function nodeProfile(
  tree: ProjectTree,
  pkg: PackageFacts,
  workspaces: string[],
): NodeProfile & {
  lockfile?: string;
} {
  const detectedManager = manager(tree, pkg.dir, pkg);
  const json = packageJson(tree, pkg.dir) ?? {};
  const profile: NodeProfile = {
    manager: {
      value: detectedManager.value,
      evidence: detectedManager.evidence,
      sure: detectedManager.sure,
      how: detectedManager.how,
    },
    version: nodeVersion(tree, pkg.dir),
    workspaces,
    localWorkspaces: localWorkspaces(tree, pkg.dir, workspaces),
    ...privateRegistry(tree, pkg.dir),
    esm: json.type === "module",
    dependencies: [...pkg.dependencies].sort(),
    devDependencies: [...pkg.devDependencies].sort(),
  };
  if (detectedManager.lockfile) profile.lockfile = detectedManager.lockfile;
  return profile;
}
