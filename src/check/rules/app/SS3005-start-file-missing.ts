import type { CopyFacts, DockerfileFacts, RunFacts, StageFacts } from "../../facts/dockerfile.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { effectiveArgv, type ShellCommand } from "../../facts/shell.js";
import { baseName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import { copyOf, runOf } from "../dockerfile/query.js";
import { instructionAt } from "../helpers.js";
import {
  bindMountedOver,
  contextPackage,
  isDevDockerfile,
  joinAbsolute,
  ownWorkdirs,
  programName,
  type StartCommand,
  scriptCommands,
  scriptNameOf,
  scriptRelated,
  stageChain,
  startCommands,
  withoutRunner,
  workdirAt,
} from "./support.js";

type Verdict = "yes" | "no" | "unknown";

/** Directories build tools write to, relative to where they run. */
const BUILD_OUTPUTS = ["dist", "build", ".next", "out", ".output", "lib"];

/** Programs whose RUN cannot create files under the app's directory. */
const INERT = new Set([
  "apt-get",
  "apt",
  "apk",
  "yum",
  "dnf",
  "microdnf",
  "rpm",
  "dpkg",
  "useradd",
  "adduser",
  "groupadd",
  "addgroup",
  "usermod",
  "groupmod",
  "userdel",
  "chown",
  "chmod",
  "chgrp",
  "rm",
  "mkdir",
  "echo",
  "printf",
  "true",
  "false",
  "set",
  "export",
  "ls",
  "test",
  "[",
  "update-ca-certificates",
  "ldconfig",
  "corepack",
  "id",
  "whoami",
  "sleep",
  "sed",
  "find",
  "cat",
  "which",
  "command",
  "locale-gen",
  "dpkg-reconfigure",
  "pipx",
]);

/** Build tools and where they write (`--outDir x` and friends add to the defaults). */
const BUILD_TOOLS = new Set([
  "tsc",
  "vite",
  "next",
  "nest",
  "webpack",
  "rollup",
  "esbuild",
  "tsup",
  "parcel",
  "react-scripts",
  "ng",
  "vue-cli-service",
  "astro",
  "nuxt",
  "nuxi",
  "svelte-kit",
  "remix",
  "gatsby",
  "babel",
  "swc",
]);

/** Tools that, without an output directory, write next to their sources. */
const IN_PLACE = new Set(["tsc", "babel", "swc"]);

interface Classified {
  kind: "inert" | "build" | "unknown";
  outputs?: string[];
  inPlace?: boolean;
}

function isUnder(path: string, dir: string): boolean {
  return dir === "/" ? path.startsWith("/") : path === dir || path.startsWith(`${dir}/`);
}

class Producer {
  private readonly dockerfile: DockerfileFacts;
  private readonly memo = new Map<string, Verdict>();
  /** What each RUN command is (its effective words, and how `classify` reads them): asked per path. */
  private readonly commandMemo = new Map<
    ShellCommand,
    { argv: string[]; classified: Classified; redirections: number[] }
  >();

  constructor(
    private readonly facts: ProjectFacts,
    private readonly target: DockerfileTarget,
  ) {
    this.dockerfile = target.dockerfile;
  }

  /** Whether a stage's file system holds a path once the stage is built. */
  stageHas(stage: StageFacts, path: string, depth = 0): Verdict {
    const key = `${stage.index}:${path}`;
    const known = this.memo.get(key);
    if (known) return known;
    this.memo.set(key, "unknown"); // cycles and deep chains stay unknown
    if (depth > 5) return "unknown";
    let unknown = false;
    for (const link of stageChain(this.dockerfile, stage)) {
      for (const instruction of link.instructions) {
        let verdict: Verdict = "no";
        if (instruction.keyword === "COPY" || instruction.keyword === "ADD") {
          const copy = copyOf(link, instruction);
          if (copy) verdict = this.copyVerdict(copy, path, depth);
        } else if (instruction.keyword === "RUN") {
          const run = runOf(link, instruction);
          if (run) verdict = this.runVerdict(run, workdirAt(this.dockerfile, instruction), path);
        }
        if (verdict === "yes") {
          this.memo.set(key, "yes");
          return "yes";
        }
        if (verdict === "unknown") unknown = true;
      }
    }
    // Only a path under a WORKDIR this Dockerfile set can be known to be absent: the base image
    // may hold anything else.
    const result: Verdict =
      unknown || !ownWorkdirs(this.dockerfile, stage).some((dir) => isUnder(path, dir)) ? "unknown" : "no";
    this.memo.set(key, result);
    return result;
  }

  private copyVerdict(copy: CopyFacts, path: string, depth: number): Verdict {
    const dest = copy.absoluteDestination;
    if (path !== dest && !isUnder(path, dest)) return "no";
    if (copy.heredoc) return "unknown";
    if (copy.sources.some((source) => /\$/.test(source))) return "unknown";
    const destIsDir =
      /\/$/.test(copy.destination) || /^\.?\.?$/.test(copy.destination) || copy.sources.length > 1;
    const context = this.target.context;
    if (copy.from === undefined) {
      if (
        copy.keyword === "ADD" &&
        copy.sources.some((source) =>
          /^[a-z][a-z0-9+.-]*:\/\/|^git@|\.(?:tar|tgz|tar\.\w+|txz|tbz2?)$/i.test(source),
        )
      )
        return "unknown";
      for (const source of copy.sources) {
        const clean = source.replace(/^\.?\/+/, "").replace(/\/+$/, "");
        const matches = /[*?[]/.test(clean) ? context.match(clean) : [clean === "" ? "." : clean];
        for (const match of matches) {
          if (!context.exists(match)) continue;
          const full = context.dir === "" ? match : match === "." ? context.dir : `${context.dir}/${match}`;
          const isDir =
            match === "." ||
            this.facts.tree.entries.get(full)?.kind === "dir" ||
            this.facts.tree.opaqueDirs.has(full);
          if (isDir) {
            if (path === dest) continue;
            const rel = dest === "/" ? path.slice(1) : path.slice(dest.length + 1);
            const contextPath = match === "." ? rel : `${match}/${rel}`;
            if (context.exists(contextPath) && context.includes(contextPath)) return "yes";
          } else {
            const placed = destIsDir ? joinAbsolute(dest, baseName(match)) : dest;
            if (placed === path && context.includes(match)) return "yes";
          }
        }
      }
      return "no";
    }
    if (copy.fromStage === undefined) return "unknown"; // an image: anything may be in it
    const from = this.dockerfile.stages[copy.fromStage];
    if (!from) return "unknown";
    let result: Verdict = "no";
    for (const source of copy.sources) {
      if (/[*?[]/.test(source)) return "unknown";
      const absolute = joinAbsolute("/", source);
      const verdicts: Verdict[] = [];
      const placed = destIsDir ? joinAbsolute(dest, baseName(absolute)) : dest;
      if (placed === path) verdicts.push(this.stageHas(from, absolute, depth + 1));
      if (path !== dest && isUnder(path, dest) && !this.isContextFile(from, absolute)) {
        const rel = dest === "/" ? path.slice(1) : path.slice(dest.length + 1);
        verdicts.push(this.stageHas(from, joinAbsolute(absolute, rel), depth + 1));
      }
      if (verdicts.includes("yes")) return "yes";
      if (verdicts.includes("unknown")) result = "unknown";
    }
    return result;
  }

  /** Whether a stage's chain copies a file (not a directory) from the context to exactly this path. */
  private isContextFile(stage: StageFacts, path: string): boolean {
    const context = this.target.context;
    for (const link of stageChain(this.dockerfile, stage))
      for (const copy of link.copies) {
        if (copy.from !== undefined || copy.heredoc) continue;
        const destIsDir =
          /\/$/.test(copy.destination) || /^\.?\.?$/.test(copy.destination) || copy.sources.length > 1;
        for (const source of copy.sources) {
          const clean = source.replace(/^\.?\/+/, "").replace(/\/+$/, "");
          if (clean === "" || /[*?[$]/.test(clean)) continue;
          const full = context.dir === "" ? clean : `${context.dir}/${clean}`;
          if (this.facts.tree.entries.get(full)?.kind !== "file") continue;
          const placed = destIsDir
            ? joinAbsolute(copy.absoluteDestination, baseName(clean))
            : copy.absoluteDestination;
          if (placed === path) return true;
        }
      }
    return false;
  }

  private runVerdict(run: RunFacts, workdir: string, path: string): Verdict {
    let verdict: Verdict = "no";
    let cwd = workdir;
    const name = baseName(path);
    for (const command of run.commands) {
      let known = this.commandMemo.get(command);
      if (!known) {
        const effective = effectiveArgv(command.argv);
        const redirections: number[] = [];
        for (let i = 0; i < effective.length; i++)
          if (effective[i]?.includes(">") && /^\d?>>?$|^&>$/.test(effective[i] ?? "")) redirections.push(i);
        known = { argv: effective, classified: this.classify(effective, 0), redirections };
        this.commandMemo.set(command, known);
      }
      const argv = known.argv;
      if (argv[0] === "cd") {
        cwd = argv[1] && !/\$/.test(argv[1]) ? joinAbsolute(cwd, argv[1]) : "?";
        continue;
      }
      // Redirections write files: `echo … > server.js` (where they are is known per command).
      for (const i of known.redirections) {
        const file = argv[i + 1];
        if (!file || /\$/.test(file) || cwd === "?") verdict = "unknown";
        else if (joinAbsolute(cwd, file) === path) return "yes";
      }
      if (command.text.includes(name)) verdict = "unknown";
      const classified = known.classified;
      if (classified.kind === "unknown") verdict = "unknown";
      if (classified.kind === "build") {
        if (cwd === "?") return "unknown";
        for (const output of classified.outputs ?? [])
          if (isUnder(path, joinAbsolute(cwd, output))) return "yes";
        // tsc without an outDir writes `x.js` next to `x.ts`.
        if (classified.inPlace && /\.[cm]?js$/.test(path) && isUnder(path, cwd)) {
          const rel = cwd === "/" ? path.slice(1) : path.slice(cwd.length + 1);
          const stem = rel.replace(/\.[cm]?js$/, "");
          if ([".ts", ".tsx", ".mts", ".cts", ".jsx"].some((ext) => this.target.context.exists(stem + ext)))
            verdict = "unknown";
        }
      }
    }
    return verdict;
  }

  private classify(raw: string[], depth: number): Classified {
    const argv = withoutRunner(raw);
    const program = programName(argv[0]);
    const words = argv.slice(1);
    if (program === "" || INERT.has(program)) return { kind: "inert" };
    if (argv.some((word) => word === "--version" || word === "-v") && argv.length <= 2)
      return { kind: "inert" };
    if (
      program === "pip" ||
      program === "pip3" ||
      (/^python[0-9.]*$/.test(program) && words[0] === "-m" && /^pip/.test(words[1] ?? ""))
    ) {
      return words.some((word) => /^(?:-t|--target|--prefix|--root|-e|--editable)(?:=|$)/.test(word))
        ? { kind: "unknown" }
        : { kind: "inert" };
    }
    if (program === "npm" || program === "yarn" || program === "pnpm" || program === "bun") {
      const script = scriptNameOf(argv);
      if (script === undefined) {
        const action = words.find((word) => !word.startsWith("-")) ?? "";
        // Installs write node_modules (and nothing else the app starts from).
        if (/^(?:install|i|ci|clean-install|add)$/.test(action) || (program === "yarn" && action === ""))
          return { kind: "build", outputs: ["node_modules"] };
        return /^(?:prune|cache|config|audit|dedupe|rebuild|uninstall|remove|rm|fetch|store|set|version)$/.test(
          action,
        ) || action === ""
          ? { kind: "inert" }
          : { kind: "unknown" };
      }
      const pkg = contextPackage(this.facts, this.target);
      const commands = pkg ? scriptCommands(pkg, script) : undefined;
      if (!commands || depth > 2) return { kind: "unknown" };
      const outputs: string[] = [];
      let inPlace = false;
      let unknown = false;
      for (const command of commands) {
        if (command.cd !== undefined) return { kind: "unknown" };
        const inner = this.classify(command.argv, depth + 1);
        if (inner.kind === "unknown") unknown = true;
        if (inner.kind === "build") {
          outputs.push(...(inner.outputs ?? []));
          inPlace ||= inner.inPlace === true;
        }
      }
      if (outputs.length > 0) {
        // A build script that also runs something else: its outputs are known, the rest is not.
        return unknown ? { kind: "unknown" } : { kind: "build", outputs, inPlace };
      }
      return unknown ? { kind: "unknown" } : { kind: "inert" };
    }
    if (BUILD_TOOLS.has(program)) {
      const sub = words.find((word) => !word.startsWith("-"));
      if (
        (program === "vite" || program === "next" || program === "nest" || program === "parcel") &&
        sub !== "build"
      )
        return program === "vite" && sub === undefined ? { kind: "unknown" } : { kind: "inert" };
      const outputs = [...BUILD_OUTPUTS];
      for (let i = 0; i < words.length; i++) {
        const word = words[i] ?? "";
        const flag =
          /^(--outDir|--outdir|--out-dir|--outfile|--output-path|--output|-o|-d|--dir)(?:=(.*))?$/.exec(word);
        if (!flag) continue;
        const value = flag[2] ?? words[i + 1];
        if (value) outputs.push(value);
      }
      const explicit = words.some((word) => /^(?:--outDir|--outdir|--out-dir)(?:=|$)/.test(word));
      return { kind: "build", outputs, inPlace: IN_PLACE.has(program) && !explicit };
    }
    return { kind: "unknown" };
  }
}

/** Flags of node that take a value. */
const NODE_VALUE_FLAGS = new Set([
  "-r",
  "--require",
  "--import",
  "--loader",
  "--experimental-loader",
  "-C",
  "--conditions",
  "--title",
  "--env-file",
  "--inspect-port",
  "--stack-size",
]);
const NODE_NO_FILE = /^(?:-e|--eval|-p|--print|-c|--check|--test|-i|--interactive|-v|--version|-h|--help)$/;
const PYTHON_VALUE_FLAGS = new Set(["-X", "-W", "--check-hash-based-pycs"]);

interface StartFile {
  /** As written in the command. */
  file: string;
  /** Absolute candidates (with the extensions node would try). */
  candidates: string[];
  runtime: "node" | "python" | "module" | "script";
}

function startFileOf(command: StartCommand, localInstall: boolean): StartFile | undefined {
  const argv = withoutRunner(command.argv);
  const program = programName(argv[0]);
  const words = argv.slice(1);
  const cwd = command.cwd;
  if (cwd === "?") return undefined;
  const absolute = (file: string) => joinAbsolute(cwd, file);
  if (program === "node" || program === "nodejs" || program === "ts-node" || program === "tsx") {
    let file: string | undefined;
    for (let i = 0; i < words.length; i++) {
      const word = words[i] ?? "";
      if (word === "--") {
        file = words[i + 1];
        break;
      }
      if (NODE_NO_FILE.test(word)) return undefined;
      if (NODE_VALUE_FLAGS.has(word)) {
        i++;
        continue;
      }
      if (word.startsWith("-")) continue;
      if (program === "tsx" && word === "watch") continue;
      file = word;
      break;
    }
    if (!file || /\$/.test(file) || file === "." || file === "./") return undefined;
    const base = absolute(file);
    const candidates = /\.(?:[cm]?[jt]s|json|node)$/.test(file)
      ? [base]
      : [
          base,
          `${base}.js`,
          `${base}.mjs`,
          `${base}.cjs`,
          `${base}.json`,
          `${base}/index.js`,
          `${base}/package.json`,
        ];
    return { file, candidates, runtime: "node" };
  }
  if (/^python[0-9.]*$/.test(program)) {
    for (let i = 0; i < words.length; i++) {
      const word = words[i] ?? "";
      if (word === "-m" || word === "-c" || word === "-") return undefined;
      if (PYTHON_VALUE_FLAGS.has(word)) {
        i++;
        continue;
      }
      if (word.startsWith("-")) continue;
      if (/\$/.test(word)) return undefined;
      return { file: word, candidates: [absolute(word)], runtime: "python" };
    }
    return undefined;
  }
  if (/^(?:uvicorn|gunicorn|hypercorn|daphne)$/.test(program)) {
    if (localInstall) return undefined;
    if (words.some((word) => /^(?:--app-dir|--chdir|--pythonpath|--paste|--config|-c)(?:=|$)/.test(word)))
      return undefined;
    const app = words.find((word) => /^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(?:\(.*\))?$/.test(word));
    if (!app) return undefined;
    const module = app.split(":")[0] ?? "";
    const path = module.replace(/\./g, "/");
    return {
      file: app,
      candidates: [absolute(`${path}.py`), absolute(`${path}/__init__.py`)],
      runtime: "module",
    };
  }
  if (/^(?:ba|da)?sh$/.test(program)) {
    const file = words.find((word) => !word.startsWith("-"));
    if (!file || words.includes("-c") || /\$/.test(file)) return undefined;
    return { file, candidates: [absolute(file)], runtime: "script" };
  }
  const first = argv[0] ?? "";
  if (/^\.{0,2}\//.test(first) && !/\$/.test(first))
    return { file: first, candidates: [absolute(first)], runtime: "script" };
  return undefined;
}

function failure(start: StartFile, path: string): string {
  switch (start.runtime) {
    case "node":
      return `\`Cannot find module '${path}'\``;
    case "python":
      return `\`can't open file '${path}': [Errno 2] No such file or directory\``;
    case "module":
      return `\`Could not import module "${start.file.split(":")[0]}"\``;
    default:
      return "`no such file or directory`";
  }
}

export const rule: Rule = {
  meta: {
    id: "SS3005",
    name: "start-file-missing",
    title: "The start command runs a file the image does not contain",
    severity: "error",
    category: "builder-only",
    rationale:
      "The build succeeds and the container exits at once: the file `CMD` runs was built in another stage and never copied, excluded by `.dockerignore`, or only exists on the author's machine (`dist/` built locally).",
    fix: "Copy the file into the final stage (`COPY --from=build /app/dist ./dist`) or build it there, and make sure `.dockerignore` does not exclude it.",
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY --from=build /app/node_modules ./node_modules\nCMD ["node", "dist/server.js"]\n',
        "package.json":
          '{\n  "scripts": { "build": "tsc" },\n  "devDependencies": { "typescript": "~5.9.3" }\n}\n',
        "src/server.ts": 'console.log("hi");\n',
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\nCMD ["node", "dist/server.js"]\n',
        "package.json":
          '{\n  "scripts": { "build": "tsc" },\n  "devDependencies": { "typescript": "~5.9.3" }\n}\n',
        "src/server.ts": 'console.log("hi");\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const dockerfile = target.dockerfile;
      const final = dockerfile.final;
      if (!final || isDevDockerfile(target)) continue;
      const producer = new Producer(facts, target);
      const chain = stageChain(dockerfile, final);
      const localInstall = chain.some((stage) =>
        stage.runs.some((run) =>
          /\bpip3?\s+install\s+(?:[^|&;]*\s)?(?:-e\s+)?\.(?:\s|$|\[)|\bpoetry\s+install|\buv\s+sync|\bpip3?\s+install\s+(?:[^|&;]*\s)?(?:\.\/|\/)/.test(
            run.script,
          ),
        ),
      );
      const reported = new Set<string>();
      for (const command of startCommands(facts, target)) {
        const start = startFileOf(command, localInstall);
        if (!start) continue;
        if (start.candidates.some((candidate) => bindMountedOver(target, candidate))) continue;
        const verdicts = start.candidates.map((candidate) => producer.stageHas(final, candidate));
        if (verdicts.some((verdict) => verdict !== "no")) continue;
        const path = start.candidates[0] ?? "";
        const key = `${command.instruction.line}:${path}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const keyword = command.instruction.keyword;
        const via = command.script
          ? ` (through \`${command.script.pkg.file}\` script \`${command.script.name}\`)`
          : "";
        let hint = "";
        const builder = dockerfile.stages.find(
          (stage) => !chain.includes(stage) && producer.stageHas(stage, path) === "yes",
        );
        const relative = path.startsWith(`${final.workdir}/`)
          ? path.slice(final.workdir.length + 1)
          : undefined;
        if (builder && relative !== undefined) {
          const top = relative.split("/")[0] ?? relative;
          const source = joinAbsolute(final.workdir, top);
          const name = builder.name ?? String(builder.index);
          hint =
            top === relative
              ? `; stage \`${name}\` has it: \`COPY --from=${name} ${source} ./\``
              : `; stage \`${name}\` builds it: \`COPY --from=${name} ${source} ./${top}\``;
        } else if (relative !== undefined) {
          const top = relative.split("/")[0] ?? relative;
          const contextPath = target.context.dir === "" ? top : `${target.context.dir}/${top}`;
          const excluded = target.context.excludedBy(top);
          if (excluded && facts.tree.entries.has(contextPath))
            hint = `; \`${top}\` is excluded by \`${target.context.dockerignore?.file ?? ".dockerignore"}:${excluded.line}\``;
        }
        const result: RuleResult = {
          location: instructionAt(dockerfile, command.instruction),
          message: `\`${keyword}\` runs \`${start.file}\`${via}, but no instruction of the shipped stages puts \`${path}\` in the image: the container exits with ${failure(start, path)}${hint}`,
        };
        const related = scriptRelated(command);
        if (related) result.related = related;
        results.push(result);
      }
    }
    return results;
  },
};
