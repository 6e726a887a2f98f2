/**
 * Shared queries of the app rules: what the shipped image runs at start (through ENTRYPOINT,
 * init wrappers, `sh -c` and package scripts), the stages a stage builds on, the WORKDIR at an
 * instruction, and where an environment variable is declared.
 */
import { AMBIENT_ENV, type EnvRead, type PackageFacts } from "../../facts/app.js";
import { isWithin } from "../../facts/context.js";
import {
  type DockerfileFacts,
  type InstructionFacts,
  joinPath,
  type StageFacts,
} from "../../facts/dockerfile.js";
import type { ImageRef } from "../../facts/image.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { effectiveArgv, parseShell, programName } from "../../facts/shell.js";
import { baseName } from "../../facts/tree.js";
import type { Location } from "../../types.js";
import { stageChain as queryStageChain } from "../dockerfile/query.js";
import { at } from "../helpers.js";

/** One simple command the container runs when it starts. */
export interface StartCommand {
  /** The command's words, without `VAR=x`/`exec`/`env` prefixes. */
  argv: string[];
  /** The CMD or ENTRYPOINT it comes from. */
  instruction: InstructionFacts;
  /** The package script it was found in (`npm start` → `"start": "node dist/index.js"`). */
  script?: { pkg: PackageFacts; name: string; line: number };
  /** Working directory (absolute), after any `cd` before it in a shell script. */
  cwd: string;
}

/** Process supervisors and init programs that run their arguments as the real command. */
const INIT_WRAPPERS = /^(?:tini|tini-static|dumb-init|catatonit|su-exec|gosu|setpriv|s6-setuidgid)$/;

/** Flags of init wrappers that take a value. */
const WRAPPER_VALUE_FLAGS = new Set(["-e", "-p", "-l", "--reuid", "--regid", "--groups", "-r", "--rewrite"]);

/** The program a word names; rules of this group import it from here. */
export { programName };

/** posix join of an absolute directory and a path (the one WORKDIR uses). */
export const joinAbsolute = joinPath;

/** The package.json script a start command goes through, as a related location. */
export function scriptRelated(command: StartCommand): Array<Location & { message: string }> | undefined {
  if (!command.script) return undefined;
  return [
    { ...at(command.script.pkg.file, command.script.line), message: `script \`${command.script.name}\`` },
  ];
}

/** The stage and the stages it builds on, root first (shared: do not modify). */
export const stageChain = queryStageChain;

/** The image at the root of a stage's chain (the external image it starts from). */
export function rootBase(dockerfile: DockerfileFacts, stage: StageFacts): ImageRef | undefined {
  return stageChain(dockerfile, stage)[0]?.base;
}

/** Docker Hub's official image of that name (`node`, `python`), any tag. */
export function isOfficialImage(ref: ImageRef | undefined, names: readonly string[]): boolean {
  if (!ref || ref.unresolved) return false;
  if (ref.registry && ref.registry !== "docker.io" && ref.registry !== "index.docker.io") return false;
  return names.includes(ref.repository);
}

/** Stages the final stage needs: its chain, stages it copies from or mounts, transitively. */
export function reachableStages(dockerfile: DockerfileFacts): Set<number> {
  const out = new Set<number>();
  const visit = (stage: StageFacts | undefined): void => {
    if (!stage || out.has(stage.index)) return;
    out.add(stage.index);
    if (stage.parentStage !== undefined) visit(dockerfile.stages[stage.parentStage]);
    for (const copy of stage.copies)
      if (copy.fromStage !== undefined) visit(dockerfile.stages[copy.fromStage]);
    for (const run of stage.runs)
      for (const mount of run.mounts) {
        const from = mount.from;
        if (from === undefined) continue;
        const named = dockerfile.stages.find(
          (candidate) =>
            candidate.name?.toLowerCase() === from.toLowerCase() || String(candidate.index) === from,
        );
        visit(named);
      }
  };
  visit(dockerfile.final);
  return out;
}

// The WORKDIR before each instruction of a stage, worked out in one walk of its chain (rules
// ask per RUN and per path, which walked the chain every time).
const workdirsBefore = new WeakMap<StageFacts, Map<InstructionFacts, string>>();

/** The WORKDIR in effect at an instruction (walking the stage's chain from its root). */
export function workdirAt(dockerfile: DockerfileFacts, instruction: InstructionFacts): string {
  const stage = dockerfile.stages[instruction.stage];
  if (!stage) return "/";
  let before = workdirsBefore.get(stage);
  if (!before) {
    before = new Map();
    let dir = "/";
    for (const link of stageChain(dockerfile, stage)) {
      for (const candidate of link.instructions) {
        if (link.index === stage.index && !before.has(candidate)) before.set(candidate, dir);
        if (candidate.keyword === "WORKDIR")
          dir = joinAbsolute(dir, candidate.args.replace(/^["']|["']$/g, ""));
      }
    }
    workdirsBefore.set(stage, before);
  }
  const known = before.get(instruction);
  if (known !== undefined) return known;
  // Not one of the stage's instructions: the walk as it was, stopping at the first one at or
  // after it.
  let dir = "/";
  for (const link of stageChain(dockerfile, stage)) {
    for (const candidate of link.instructions) {
      if (link.index === stage.index && candidate.start >= instruction.start) return dir;
      if (candidate.keyword === "WORKDIR")
        dir = joinAbsolute(dir, candidate.args.replace(/^["']|["']$/g, ""));
    }
  }
  return dir;
}

const workdirsOf = new WeakMap<StageFacts, string[]>();

/** The directories WORKDIR instructions of a stage's chain set (paths under them are the Dockerfile's doing; shared: do not modify). */
export function ownWorkdirs(dockerfile: DockerfileFacts, stage: StageFacts): string[] {
  const known = workdirsOf.get(stage);
  if (known) return known;
  const dirs: string[] = [];
  let dir = "/";
  for (const link of stageChain(dockerfile, stage))
    for (const instruction of link.instructions)
      if (instruction.keyword === "WORKDIR") {
        dir = joinAbsolute(dir, instruction.args.replace(/^["']|["']$/g, ""));
        if (dir !== "/") dirs.push(dir);
      }
  workdirsOf.set(stage, dirs);
  return dirs;
}

/**
 * The package.json a stage works with: the one its chain copies from the context into the
 * WORKDIR (`COPY web/package*.json ./` → `web/package.json`), else the context's own.
 */
export function stagePackage(
  facts: ProjectFacts,
  target: DockerfileTarget,
  stage: StageFacts,
  before?: InstructionFacts,
): PackageFacts | undefined {
  let dir: string | undefined;
  for (const link of stageChain(target.dockerfile, stage))
    for (const copy of link.copies) {
      if (before && link.index === stage.index && copy.instruction.start >= before.start) break;
      if (copy.from !== undefined || copy.heredoc) continue;
      for (const source of copy.sources) {
        const clean = source.replace(/^\.?\/+/, "").replace(/\/+$/, "");
        if (/(?:^|\/)package(?:\*|)\.json$|(?:^|\/)package\*$/.test(clean)) {
          const parent = clean.includes("/") ? clean.slice(0, clean.lastIndexOf("/")) : "";
          if (!/[*?[$]/.test(parent)) dir = parent;
        } else if (clean === "" || clean === ".") {
          dir ??= "";
        } else if (!/[*?[$]/.test(clean)) {
          const full = target.context.dir === "" ? clean : `${target.context.dir}/${clean}`;
          if (facts.app.packageAt(full)) dir = clean;
        }
      }
    }
  const full =
    dir === undefined || dir === ""
      ? target.context.dir
      : target.context.dir === ""
        ? dir
        : `${target.context.dir}/${dir}`;
  return facts.app.packageAt(full) ?? contextPackage(facts, target);
}

/** The package.json a Dockerfile's build context holds at its root. */
export function contextPackage(facts: ProjectFacts, target: DockerfileTarget): PackageFacts | undefined {
  return facts.app.packageAt(target.context.dir);
}

const RUNNERS = new Set(["npm", "yarn", "pnpm", "bun"]);
/** yarn/pnpm subcommands that are not scripts. */
const RUNNER_BUILTINS = new Set([
  "install",
  "i",
  "ci",
  "add",
  "remove",
  "rm",
  "exec",
  "dlx",
  "x",
  "create",
  "init",
  "config",
  "cache",
  "why",
  "list",
  "ls",
  "outdated",
  "up",
  "upgrade",
  "update",
  "prune",
  "link",
  "unlink",
  "publish",
  "pack",
  "audit",
  "dedupe",
  "global",
  "workspace",
  "workspaces",
  "set",
  "plugin",
  "node",
  "import",
  "fetch",
  "store",
  "env",
  "version",
  "help",
  "info",
  "login",
  "logout",
  "rebuild",
  "patch",
  "licenses",
  "bin",
  "root",
]);

/**
 * The script a package-manager command runs (`npm start`, `npm run build`, `yarn build`,
 * `pnpm build`, `bun run build`), or undefined when the command does not run a script.
 * Flags that move the package (`--prefix`, `-w`, `--filter`) make it unknown: undefined too.
 */
export function scriptNameOf(argv: readonly string[]): string | undefined {
  const runner = programName(argv[0]);
  if (!RUNNERS.has(runner)) return undefined;
  const rest = argv.slice(1);
  if (
    rest.some((word) =>
      /^(?:--prefix|-C|--cwd|--dir|-w|--workspace|--workspaces|--filter|-F|--recursive|-r)(?:=|$)/.test(word),
    )
  )
    return undefined;
  const words = rest.filter((word) => !word.startsWith("-"));
  const first = words[0];
  if (first === undefined) return undefined;
  if (first === "start" || first === "test" || first === "stop" || first === "restart") {
    return runner === "bun" && first !== "test" ? undefined : first;
  }
  if (first === "run" || first === "run-script" || first === "rum" || first === "urn") return words[1];
  if (runner === "npm" || runner === "bun") return undefined;
  // `yarn build`, `pnpm build`: a script unless it is one of the manager's own commands.
  return RUNNER_BUILTINS.has(first) ? undefined : first;
}

export interface ScriptCommand {
  argv: string[];
  name: string;
  line: number;
  /** Directory change before it in the script (`cd web && vite build`), relative. */
  cd?: string;
}

/**
 * The simple commands a package script runs, following `npm run x` inside scripts and npm's
 * `pre<name>` script, to a small depth. A `start` with no script is `node server.js` (npm's default).
 */
export function scriptCommands(pkg: PackageFacts, name: string, depth = 0): ScriptCommand[] | undefined {
  const script = pkg.scripts.get(name);
  if (!script) {
    if (name === "start" && depth === 0)
      return [{ argv: ["node", "server.js"], name, line: pkg.keyLine("scripts") }];
    return undefined;
  }
  const out: ScriptCommand[] = [];
  const pre = pkg.scripts.get(`pre${name}`);
  if (pre && depth < 3) out.push(...(scriptCommands(pkg, `pre${name}`, depth + 1) ?? []));
  let cd: string | undefined;
  for (const command of parseShell(script.command)) {
    const argv = effectiveArgv(command.argv);
    if (argv.length === 0) continue;
    if (argv[0] === "cd") {
      cd = argv[1];
      continue;
    }
    const nested = scriptNameOf(argv);
    if (nested !== undefined && depth < 3 && nested !== name) {
      const inner = scriptCommands(pkg, nested, depth + 1);
      if (inner) {
        out.push(...inner);
        continue;
      }
    }
    const entry: ScriptCommand = { argv, name, line: script.line };
    if (cd !== undefined) entry.cd = cd;
    out.push(entry);
  }
  return out;
}

/** Strip init wrappers (`tini --`, `dumb-init`) from the front of a command. */
function unwrapInit(argv: string[]): string[] {
  let words = argv;
  for (let guard = 0; guard < 4; guard++) {
    if (!INIT_WRAPPERS.test(programName(words[0]))) return words;
    let i = 1;
    // gosu/su-exec take a user first.
    if (/^(?:gosu|su-exec|s6-setuidgid)$/.test(programName(words[0]))) i = 2;
    while (i < words.length) {
      const word = words[i] ?? "";
      if (word === "--") {
        i++;
        break;
      }
      if (!word.startsWith("-")) break;
      i += WRAPPER_VALUE_FLAGS.has(word) ? 2 : 1;
    }
    words = words.slice(i);
  }
  return words;
}

/**
 * What the final stage runs at start: ENTRYPOINT and CMD combined as Docker does, with init
 * wrappers stripped, `sh -c` scripts split into their commands and `npm start`-style commands
 * resolved through the context's package.json.
 */
// Several rules ask what a target runs at start; it is worked out once per target.
const startCommandsOf = new WeakMap<DockerfileTarget, StartCommand[]>();

export function startCommands(facts: ProjectFacts, target: DockerfileTarget): StartCommand[] {
  const known = startCommandsOf.get(target);
  if (known) return known;
  const commands = findStartCommands(facts, target);
  startCommandsOf.set(target, commands);
  return commands;
}

function findStartCommands(facts: ProjectFacts, target: DockerfileTarget): StartCommand[] {
  const final = target.dockerfile.final;
  if (!final) return [];
  const { entrypoint, cmd } = final;
  const parts: Array<{ words: string[]; instruction: InstructionFacts }> = [];
  if (entrypoint) {
    if (entrypoint.form === "shell")
      parts.push({ words: ["/bin/sh", "-c", entrypoint.script ?? ""], instruction: entrypoint.instruction });
    else {
      const words = unwrapInit(entrypoint.argv);
      if (words.length > 0) parts.push({ words, instruction: entrypoint.instruction });
      if (cmd) {
        const cmdWords = cmd.form === "shell" ? ["/bin/sh", "-c", cmd.script ?? ""] : cmd.argv;
        // An entrypoint script gets CMD as arguments; most `exec "$@"`, so CMD still runs.
        if (words.length === 0 || /\.sh$|entrypoint/i.test(words[0] ?? ""))
          parts.push({
            words: words.length === 0 ? unwrapInit(cmdWords) : cmdWords,
            instruction: cmd.instruction,
          });
      }
    }
  } else if (cmd) {
    parts.push({
      words: cmd.form === "shell" ? ["/bin/sh", "-c", cmd.script ?? ""] : unwrapInit(cmd.argv),
      instruction: cmd.instruction,
    });
  }
  const pkg = contextPackage(facts, target);
  const out: StartCommand[] = [];
  const expand = (words: string[], instruction: InstructionFacts, cwd: string, depth: number): void => {
    const argv = unwrapInit(effectiveArgv(words));
    if (argv.length === 0) return;
    const program = programName(argv[0]);
    if (/^(?:ba|da|a)?sh$/.test(program) && argv[1] === "-c" && argv[2] !== undefined && depth < 3) {
      let dir = cwd;
      for (const command of parseShell(argv[2])) {
        const inner = effectiveArgv(command.argv);
        if (inner[0] === "cd" && inner[1] !== undefined) {
          dir = /\$/.test(inner[1]) ? "?" : joinAbsolute(dir, inner[1]);
          continue;
        }
        expand(command.argv, instruction, dir, depth + 1);
      }
      return;
    }
    out.push({ argv, instruction, cwd });
    const name = scriptNameOf(argv);
    if (name !== undefined && pkg && depth < 3) {
      const commands = scriptCommands(pkg, name);
      for (const command of commands ?? []) {
        const dir =
          command.cd === undefined ? cwd : /\$/.test(command.cd) ? "?" : joinAbsolute(cwd, command.cd);
        out.push({
          argv: unwrapInit(command.argv),
          instruction,
          script: { pkg, name: command.name, line: command.line },
          cwd: dir,
        });
      }
    }
  };
  for (const part of parts) expand(part.words, part.instruction, final.workdir, 0);
  return out;
}

/** A command without the runner in front: `python -m flask run` → `flask run`, `npx nodemon` → `nodemon`. */
export function withoutRunner(argv: readonly string[]): string[] {
  const program = programName(argv[0]);
  if (/^python[0-9.]*$/.test(program) && argv[1] === "-m" && argv[2]) return argv.slice(2);
  if (program === "npx" || program === "bunx") {
    let i = 1;
    while (i < argv.length && (argv[i] ?? "").startsWith("-"))
      i += argv[i] === "-p" || argv[i] === "--package" ? 2 : 1;
    return argv.slice(i);
  }
  if ((program === "pnpm" || program === "yarn") && (argv[1] === "exec" || argv[1] === "dlx"))
    return argv.slice(2);
  if (program === "npm" && argv[1] === "exec") return argv.slice(2).filter((word) => word !== "--");
  return [...argv];
}

/** The value of an option in argv: `--port 3000`, `--port=3000`, `-p 3000`. */
export function optionValue(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? "";
    for (const name of names) {
      if (word === name) return argv[i + 1];
      if (name.startsWith("--") && word.startsWith(`${name}=`)) return word.slice(name.length + 1);
      if (!name.startsWith("--") && word.startsWith(name) && word.length > name.length && /^-\w$/.test(name))
        return word.slice(name.length);
    }
  }
  return undefined;
}

/** ENV values the final image sets (last one wins), through the shipped chain. */
export function imageEnv(target: DockerfileTarget): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  const final = target.dockerfile.final;
  if (!final) return env;
  for (const variable of final.env) env.set(variable.name, variable.value);
  return env;
}

/** Example-like env files (`.env.example`, `.env.sample`, `.env.template`…). */
export function exampleEnvFiles(facts: ProjectFacts) {
  return facts.app.envFiles.filter((file) => file.example);
}

/** Variables the platform, the runtime or the tooling sets: nobody declares them for the app. */
const PLATFORM_ENV =
  /^(?:npm_|VERCEL_|NETLIFY_|RENDER_|FLY_|RAILWAY_|HEROKU_|AWS_LAMBDA_|AWS_EXECUTION_ENV$|AWS_REGION$|AWS_DEFAULT_REGION$|KUBERNETES_|K_(?:SERVICE|REVISION|CONFIGURATION)$|GITHUB_|GITLAB_|CI_|RUNNER_|BUILDKITE|JEST_WORKER_ID$|VITEST|NEXT_RUNTIME$|NEXT_PHASE$|__NEXT|VIRTUAL_ENV$|OLDPWD$|SHLVL$|LC_|TEMP$|TMP$|HOSTNAME$)/;

export function isAmbient(name: string): boolean {
  return AMBIENT_ENV.has(name) || PLATFORM_ENV.test(name);
}

/** Reads that count as the app's own configuration: not ambient, not client (baked) ones. */
export function serverReads(facts: ProjectFacts): EnvRead[] {
  return facts.app.envReads.filter((read) => !read.client && read.name !== "" && !isAmbient(read.name));
}

/** The first read of each variable, in file order. */
export function firstReads(reads: readonly EnvRead[]): EnvRead[] {
  const seen = new Set<string>();
  const out: EnvRead[] = [];
  const sorted = [...reads].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
  for (const read of sorted) {
    if (seen.has(read.name)) continue;
    seen.add(read.name);
    out.push(read);
  }
  return out;
}

/** Where variables are declared for the deployed app: example files, compose, Dockerfile ENV/ARG. */
export function declaredEnv(facts: ProjectFacts): Map<string, string> {
  const declared = new Map<string, string>();
  for (const file of exampleEnvFiles(facts))
    for (const entry of file.entries)
      if (!declared.has(entry.name)) declared.set(entry.name, `${file.file}:${entry.line}`);
  for (const target of facts.dockerfiles) {
    for (const stage of target.dockerfile.stages) {
      if (!stage.shipped) continue;
      for (const variable of [...stage.env, ...stage.args])
        if (!declared.has(variable.name))
          declared.set(variable.name, `${target.dockerfile.file}:${variable.instruction.line}`);
    }
    for (const { compose, service } of target.services) {
      const facts_ = compose.services.find((candidate) => candidate.name === service);
      if (!facts_) continue;
      for (const entry of facts_.environment)
        if (!declared.has(entry.name)) declared.set(entry.name, `${compose.file}:${entry.position.line}`);
      for (const envFile of facts_.envFiles) {
        // The builder's own `.env` is not a declaration: it exists on their machine only.
        if (baseName(envFile) === ".env") continue;
        const file = facts.app.envFiles.find((candidate) => candidate.file === envFile);
        for (const entry of file?.entries ?? [])
          if (!declared.has(entry.name)) declared.set(entry.name, `${envFile}:${entry.line}`);
      }
    }
  }
  return declared;
}

/** A Dockerfile meant for development (`Dockerfile.dev`, `dev.Dockerfile`): dev servers are its point. */
export function isDevDockerfile(target: DockerfileTarget): boolean {
  return /(?:^|[.-])(?:dev|develop|development|local|debug)(?:[.-]|$)/i.test(
    baseName(target.dockerfile.file),
  );
}

/** Compose services that bind-mount host files over a path of the image (the code comes from the host). */
export function bindMountedOver(target: DockerfileTarget, path: string): boolean {
  for (const { compose, service } of target.services) {
    const facts = compose.services.find((candidate) => candidate.name === service);
    for (const volume of facts?.volumes ?? []) {
      if (volume.type !== "bind" || !volume.target) continue;
      const mount = volume.target.replace(/\/+$/, "") || "/";
      if (path === mount || path.startsWith(`${mount === "/" ? "" : mount}/`)) return true;
    }
  }
  return false;
}

/** The Dockerfile targets whose build context holds a file. */
export function targetsOf(facts: ProjectFacts, file: string): DockerfileTarget[] {
  return facts.dockerfiles.filter((target) => isWithin(file, target.context.dir));
}

/** A path relative to a context directory. */
export function relativeTo(dir: string, path: string): string {
  return dir === "" ? path : path.slice(dir.length + 1);
}
