import type { PackageFacts } from "../../facts/app.js";
import { isWithin } from "../../facts/context.js";
import type { InstructionFacts, RunFacts, StageFacts } from "../../facts/dockerfile.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { effectiveArgv, type ShellCommand } from "../../facts/shell.js";
import type { Rule, RuleResult } from "../../types.js";
import { copyOf, runOf } from "../dockerfile/query.js";
import { at, commandLine } from "../helpers.js";
import {
  isOfficialImage,
  joinAbsolute,
  programName,
  rootBase,
  scriptCommands,
  scriptNameOf,
  stageChain,
  stagePackage,
} from "./support.js";

function stageOf(target: DockerfileTarget, run: RunFacts): StageFacts {
  return target.dockerfile.stages[run.instruction.stage]!;
}

/** Binaries of JavaScript build tools and the packages that provide them. */
export const JS_TOOLS: Record<string, string[]> = {
  tsc: ["typescript"],
  vite: ["vite"],
  next: ["next"],
  nest: ["@nestjs/cli"],
  tsx: ["tsx"],
  "ts-node": ["ts-node"],
  webpack: ["webpack-cli", "webpack"],
  rollup: ["rollup"],
  esbuild: ["esbuild"],
  prisma: ["prisma"],
  eslint: ["eslint"],
  jest: ["jest"],
  vitest: ["vitest"],
  tsup: ["tsup"],
  "react-scripts": ["react-scripts"],
  ng: ["@angular/cli"],
  "vue-cli-service": ["@vue/cli-service"],
  parcel: ["parcel"],
  rimraf: ["rimraf"],
  "cross-env": ["cross-env"],
  prettier: ["prettier"],
};

/** Python project tools the official `python` image does not ship. */
const PYTHON_TOOLS: Record<string, string> = {
  poetry: "poetry",
  uv: "uv",
  uvx: "uv",
  pipenv: "pipenv",
  pdm: "pdm",
  hatch: "hatch",
};

/** Installer scripts (`curl … | sh`) and the tools they put on PATH. */
const INSTALLER_SCRIPTS: Array<[RegExp, string[]]> = [
  [/install\.python-poetry\.org/, ["poetry"]],
  [/astral\.sh\/uv/, ["uv", "uvx"]],
  [/get\.pnpm\.io/, ["pnpm"]],
  [/bun\.sh\/install/, ["bun"]],
];
/** Any of them: most scripts pipe none, and are read once instead of once per installer. */
const ANY_INSTALLER_SCRIPT = /install\.python-poetry\.org|astral\.sh\/uv|get\.pnpm\.io|bun\.sh\/install/;

interface Availability {
  /** Programs and packages installed globally (npm -g, pip, corepack, apt…). */
  globals: Set<string>;
  /** Packages a `npm install <name>` added to node_modules. */
  local: Set<string>;
  /** Dependency installs so far, and whether each left out devDependencies. */
  installs: Array<{ omitsDev: boolean }>;
  nodeModulesCopied: boolean;
  /** `ENV PATH=/app/node_modules/.bin:$PATH`. */
  binOnPath: boolean;
  nodeEnv?: string;
  /** Something put unknown programs on PATH (a prefix copied in, an installer piped to a shell). */
  opaque: boolean;
}

/** `typescript@5.9` → `typescript`; `@nestjs/cli@10` → `@nestjs/cli`; `poetry==1.8` → `poetry`. */
function packageName(spec: string): string {
  const scoped = spec.startsWith("@");
  const body = scoped ? spec.slice(1) : spec;
  const name = body.split(/[@=<>~!;[\s]/)[0] ?? "";
  return (scoped ? `@${name}` : name).toLowerCase();
}

const JS_INSTALL_ACTIONS = new Set(["install", "i", "add", "in", "ins", "isnt", "ci", "clean-install"]);

/** Apply what one command does to what is available after it. */
/** Programs `apply` reads the words of (the cases of its switch). */
const APPLIED_PROGRAMS = new Set([
  "npm",
  "pnpm",
  "bun",
  "yarn",
  "corepack",
  "pip",
  "pip3",
  "pipx",
  "uv",
  "apt-get",
  "apt",
  "apk",
  "yum",
  "dnf",
  "microdnf",
]);

/** Apply what one command does to what is available after it (`effective` is its effectiveArgv). */
function apply(
  availability: Availability,
  command: ShellCommand,
  effective: string[],
  script: string | undefined,
): void {
  let argv = effective;
  let program = programName(argv[0]);
  if (/^python[0-9.]*$/.test(program) && argv[1] === "-m" && argv[2]) {
    argv = argv.slice(2);
    program = programName(argv[0]);
  }
  // The script as a whole is read once per RUN (`script` is only given with its first command).
  if (script !== undefined && ANY_INSTALLER_SCRIPT.test(script))
    for (const [pattern, tools] of INSTALLER_SCRIPTS)
      if (pattern.test(script)) for (const tool of tools) availability.globals.add(tool);
  if (command.pipedFrom && /^(?:ba|da|z)?sh$/.test(program)) availability.opaque = true;
  // Most commands are none of the programs below: their words need no reading.
  if (!APPLIED_PROGRAMS.has(program)) return;
  const assignments = command.argv.filter((word) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  const rest = argv.slice(1);
  const flags = rest.filter((word) => word.startsWith("-"));
  // Words that are not flags nor flag values (`--omit dev`, `-w api`).
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? "";
    if (/^--(?:omit|only|include|workspace|filter|prefix|cwd|dir)$|^-[wCF]$/.test(word)) i++;
    else if (!word.startsWith("-")) words.push(word);
  }
  const global = flags.includes("-g") || flags.includes("--global") || flags.includes("--location=global");
  switch (program) {
    case "npm":
    case "pnpm":
    case "bun": {
      const action = words[0] ?? "";
      if (!JS_INSTALL_ACTIONS.has(action)) return;
      const packages = words.slice(1);
      if (global) for (const name of packages) availability.globals.add(packageName(name));
      else if (packages.length > 0 && action !== "ci")
        for (const name of packages) availability.local.add(packageName(name));
      else {
        const text = rest.join(" ");
        const inlineEnv = assignments.find((word) => word.startsWith("NODE_ENV="))?.slice(9);
        const nodeEnv = inlineEnv ?? availability.nodeEnv;
        const omitsDev =
          /--omit[= ]dev\b|--production\b|--only[= ]prod|--prod\b|(?:^|\s)-P\b/.test(text) ||
          (nodeEnv === "production" && !/--include[= ]dev\b|--production[= ]false|--dev\b|-D\b/.test(text));
        availability.installs.push({ omitsDev });
      }
      return;
    }
    case "yarn": {
      if (words[0] === "global" && words[1] === "add")
        for (const name of words.slice(2)) availability.globals.add(packageName(name));
      else if (words[0] === "add")
        for (const name of words.slice(1)) availability.local.add(packageName(name));
      else if (words.length === 0 || words[0] === "install") {
        const text = rest.join(" ");
        const nodeEnv =
          assignments.find((word) => word.startsWith("NODE_ENV="))?.slice(9) ?? availability.nodeEnv;
        availability.installs.push({
          omitsDev:
            /--production\b/.test(text) || (nodeEnv === "production" && !/--production[= ]false/.test(text)),
        });
      }
      return;
    }
    case "corepack": {
      const action = words[0];
      if (action === "enable") {
        const names = words.slice(1);
        for (const name of names.length > 0 ? names : ["pnpm", "yarn"]) availability.globals.add(name);
      } else if (action === "prepare" || action === "install" || action === "use") {
        for (const name of words.slice(1)) availability.globals.add(packageName(name));
      }
      return;
    }
    case "pip":
    case "pip3":
    case "pipx":
      if (words[0] === "install")
        for (const name of words.slice(1)) availability.globals.add(packageName(name));
      return;
    case "uv":
      if ((words[0] === "pip" && words[1] === "install") || (words[0] === "tool" && words[1] === "install"))
        for (const name of words.slice(2)) availability.globals.add(packageName(name));
      return;
    case "apt-get":
    case "apt":
    case "apk":
    case "yum":
    case "dnf":
    case "microdnf":
      if (words[0] === "install" || words[0] === "add")
        for (const name of words.slice(1)) {
          availability.globals.add(packageName(name));
          if (name === "node-typescript") availability.globals.add("typescript");
        }
      return;
    default:
      return;
  }
}

/** What a COPY or ENV instruction makes available. */
function applyInstruction(
  availability: Availability,
  stage: StageFacts,
  instruction: InstructionFacts,
): void {
  if (instruction.keyword === "COPY" || instruction.keyword === "ADD") {
    const copy = copyOf(stage, instruction);
    if (!copy) return;
    if (copy.from !== undefined) {
      // `COPY --from=ghcr.io/astral-sh/uv /uv /uvx /bin/`: binaries from an image or a stage.
      if (copy.fromStage === undefined || /\/bin\/?$|\/bin\//.test(copy.absoluteDestination))
        for (const source of copy.sources) availability.globals.add(programName(source));
      if (/astral-sh\/uv/.test(copy.from)) availability.globals.add("uv").add("uvx");
      // A whole prefix (`/usr/local`) from elsewhere: any tool may come with it.
      if (/^\/(?:usr(?:\/local)?(?:\/lib(?:\/node_modules)?)?|opt)?\/?$/.test(copy.absoluteDestination))
        availability.opaque = true;
    }
    if (
      copy.sources.some((source) => /(?:^|\/)node_modules\/?$/.test(source)) ||
      copy.sources.includes(".")
    ) {
      if (copy.fromStage !== undefined) availability.nodeModulesCopied = true;
    }
  } else if (instruction.keyword === "ENV") {
    for (const variable of stage.env) {
      if (variable.instruction !== instruction) continue;
      if (variable.name === "PATH" && /node_modules\/\.bin/.test(variable.value ?? ""))
        availability.binOnPath = true;
      if (variable.name === "NODE_ENV") {
        if (variable.value === undefined) delete availability.nodeEnv;
        else availability.nodeEnv = variable.value;
      }
    }
  }
}

function dependencyOf(
  facts: ProjectFacts,
  target: DockerfileTarget,
  packages: readonly string[],
): "dependency" | "dev" | undefined {
  let found: "dependency" | "dev" | undefined;
  for (const pkg of facts.app.packages) {
    if (!isWithin(pkg.dir, target.context.dir)) continue;
    for (const name of packages) {
      if (pkg.dependencies.has(name)) return "dependency";
      if (pkg.devDependencies.has(name)) found = "dev";
    }
  }
  return found;
}

interface Problem {
  run: RunFacts;
  command: ShellCommand;
  message: string;
  related?: RuleResult["related"];
}

function checkStage(facts: ProjectFacts, target: DockerfileTarget, stage: StageFacts): Problem[] {
  const dockerfile = target.dockerfile;
  const base = rootBase(dockerfile, stage);
  const nodeBase = isOfficialImage(base, ["node"]);
  const pythonBase = isOfficialImage(base, ["python"]);
  if (!nodeBase && !pythonBase) return [];
  const availability: Availability = {
    globals: new Set(),
    local: new Set(),
    installs: [],
    nodeModulesCopied: false,
    binOnPath: false,
    opaque: false,
  };
  const problems: Problem[] = [];
  const chain = stageChain(dockerfile, stage);
  for (const link of chain) {
    for (const instruction of link.instructions) {
      if (instruction.keyword !== "RUN") {
        applyInstruction(availability, link, instruction);
        continue;
      }
      const run = runOf(link, instruction);
      if (!run) continue;
      const own = link.index === stage.index;
      let cd: string | undefined;
      for (const command of run.commands) {
        const argv = effectiveArgv(command.argv);
        if (argv[0] === "cd") cd = argv[1];
        if (own) {
          const problem = checkCommand(facts, target, availability, {
            run,
            command,
            argv,
            cd,
            nodeBase,
            pythonBase,
          });
          if (problem) problems.push(problem);
        }
        apply(availability, command, argv, command === run.commands[0] ? run.script : undefined);
      }
    }
  }
  return problems;
}

function checkCommand(
  facts: ProjectFacts,
  target: DockerfileTarget,
  availability: Availability,
  input: {
    run: RunFacts;
    command: ShellCommand;
    argv: string[];
    cd: string | undefined;
    nodeBase: boolean;
    pythonBase: boolean;
  },
): Problem | undefined {
  const { run, command, argv, cd, nodeBase, pythonBase } = input;
  const program = programName(argv[0]);
  const has = (names: readonly string[]) =>
    availability.opaque || names.some((name) => availability.globals.has(name.toLowerCase()));
  if (pythonBase && PYTHON_TOOLS[program] !== undefined) {
    const pkg = PYTHON_TOOLS[program]!;
    if (has([program, pkg])) return undefined;
    return {
      run,
      command,
      message: `\`${program}\` is not in the \`python\` image and nothing in this stage installs it: the build fails with \`${program}: not found\`; install a pinned version first (\`pip install ${pkg}==<version>\`)`,
    };
  }
  if (!nodeBase) return undefined;
  if (program === "pnpm" || program === "bun") {
    if (has([program])) return undefined;
    const how =
      program === "pnpm"
        ? "`corepack enable pnpm` (or `npm install -g pnpm@<version>`)"
        : "`npm install -g bun@<version>`";
    return {
      run,
      command,
      message: `\`${program}\` is not in the \`node\` image and nothing in this stage installs it: the build fails with \`${program}: not found\`; run ${how} before it`,
    };
  }
  const installed = (packages: readonly string[]) =>
    has(packages) || packages.some((name) => availability.local.has(name));
  // Every dependency install of the stage left out devDependencies, and no node_modules came in.
  const devOmitted =
    availability.installs.length > 0 &&
    availability.installs.every((install) => install.omitsDev) &&
    !availability.nodeModulesCopied;
  // A tool run directly: only global installs (or node_modules/.bin put on PATH) make it a command.
  const tools = JS_TOOLS[program];
  if (tools) {
    if (installed(tools) || has([program])) return undefined;
    const dependency = dependencyOf(facts, target, tools);
    const localPath = /node_modules\/\.bin\//.test(argv[0] ?? "") || availability.binOnPath;
    // `node_modules/.bin/tsc`: there when the lockfile install put the (dev) dependency in.
    if (dependency === "dev" && localPath && devOmitted)
      return {
        run,
        command,
        message: `\`${argv[0]}\` comes from \`${tools.find((name) => dependencyOf(facts, target, [name])) ?? tools[0]}\`, a devDependency, and this stage installs without dev dependencies (\`--omit=dev\` or \`NODE_ENV=production\`): the build fails with \`${argv[0]}: not found\``,
      };
    if (dependency && localPath) return undefined;
    if (dependency)
      return {
        run,
        command,
        message: `\`${program}\` is only in \`node_modules/.bin\`, which is not on the PATH of \`RUN\`: the build fails with \`${program}: not found\`; run it as \`npx ${program}\` or through an npm script`,
      };
    return {
      run,
      command,
      message: `\`${program}\` is not installed: \`${tools[0]}\` is not a dependency and nothing in this stage installs it globally, so the build fails with \`${program}: not found\`; add it with \`npm install -D ${tools[0]}\``,
    };
  }
  // A package script: npm puts node_modules/.bin on PATH, so the tool must be a dependency.
  const name = scriptNameOf(argv);
  if (name === undefined) return undefined;
  let pkg: PackageFacts | undefined = stagePackage(facts, target, stageOf(target, run), run.instruction);
  if (cd !== undefined) {
    if (/\$/.test(cd) || cd.startsWith("/")) return undefined;
    const dir = joinAbsolute(`/${target.context.dir}`, cd).slice(1);
    pkg = facts.app.packageAt(dir);
  }
  if (!pkg) return undefined;
  const commands = scriptCommands(pkg, name);
  if (!commands) return undefined;
  for (const inner of commands) {
    const innerProgram = programName(inner.argv[0]);
    const packages = JS_TOOLS[innerProgram];
    if (!packages || installed(packages) || has([innerProgram])) continue;
    const dependency = dependencyOf(facts, target, packages);
    const runs = `\`${argv.join(" ")}\` runs \`${inner.argv.slice(0, 2).join(" ")}\` (script \`${inner.name}\`)`;
    const related: RuleResult["related"] = [
      { ...at(pkg.file, inner.line), message: `script \`${inner.name}\`` },
    ];
    if (dependency === "dependency") continue;
    if (dependency === "dev") {
      if (!devOmitted) continue;
      return {
        run,
        command,
        related,
        message: `${runs}, but \`${packages[0]}\` is a devDependency and this stage installs without dev dependencies (\`--omit=dev\` or \`NODE_ENV=production\`): the build fails with \`${innerProgram}: not found\``,
      };
    }
    return {
      run,
      command,
      related,
      message: `${runs}, but \`${packages[0]}\` is neither a dependency nor a devDependency in \`${pkg.file}\` and nothing installs it in this stage: the build fails with \`${innerProgram}: not found\`; add it with \`npm install -D ${packages[0]}\``,
    };
  }
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: "SS3004",
    name: "build-tool-not-installed",
    title: "A RUN uses a build tool the image does not have",
    severity: "error",
    category: "builder-only",
    rationale:
      "A tool installed globally on the author's machine (`tsc`, `pnpm`, `poetry`) is not in the image: `npm run build` works locally and the clean build fails with `tsc: not found` (exit 127).",
    fix: "Declare the tool as a (dev) dependency of the project, or install a pinned version in the stage before using it (`corepack enable pnpm`, `pip install poetry==<version>`).",
    examples: {
      bad: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
        "package.json":
          '{\n  "scripts": { "build": "tsc" },\n  "devDependencies": { "@types/node": "^20.19.0" }\n}\n',
      },
      good: {
        Dockerfile:
          "FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
        "package.json":
          '{\n  "scripts": { "build": "tsc" },\n  "devDependencies": { "@types/node": "^20.19.0", "typescript": "~5.9.3" }\n}\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      for (const stage of target.dockerfile.stages) {
        for (const problem of checkStage(facts, target, stage)) {
          const line = commandLine(target.dockerfile, { run: problem.run, command: problem.command });
          const text = target.dockerfile.source.line(line);
          const word = problem.command.argv[0] ?? "";
          const column = Math.max(1, text.indexOf(word) + 1);
          const result: RuleResult = {
            location: at(target.dockerfile.file, line, column),
            message: problem.message,
          };
          if (problem.related) result.related = problem.related;
          results.push(result);
        }
      }
    }
    return results;
  },
};
