/**
 * Small shared pieces for rule modules: locations from facts, edits that keep formatting, and
 * queries many rules ask (the install commands of a stage, the shipped Dockerfiles).
 */
import type { NodePosition, ServiceFacts } from "../facts/compose.js";
import type { DockerfileFacts, InstructionFacts, RunFacts, StageFacts } from "../facts/dockerfile.js";
import type { ProjectFacts } from "../facts/project.js";
import type { ShellCommand } from "../facts/shell.js";
import { effectiveArgv, programName } from "../facts/shell.js";
import type { SourceText } from "../facts/source.js";
import type { Location, TextEdit } from "../types.js";

export function at(file: string, line: number, column = 1): Location {
  return { file, line, column };
}

export function instructionAt(dockerfile: DockerfileFacts, instruction: InstructionFacts): Location {
  return { file: dockerfile.file, line: instruction.line, column: instruction.column };
}

export function nodeAt(file: string, position: NodePosition): Location {
  return { file, line: position.line, column: position.column };
}

export function serviceAt(service: ServiceFacts): Location {
  return nodeAt(service.file, service.position);
}

/** Insert whole lines before a 1-based line, in the file's own line ending. */
export function insertLinesBefore(source: SourceText, line: number, lines: string[]): TextEdit {
  const offset = source.offset(line);
  return { file: source.path, start: offset, end: offset, text: lines.map((l) => l + source.eol).join("") };
}

/** Insert whole lines after the last line of a range. */
export function insertLinesAfter(source: SourceText, line: number, lines: string[]): TextEdit {
  if (line >= source.lineCount) {
    const end = source.text.length;
    const needsBreak = end > 0 && !source.text.endsWith("\n");
    return {
      file: source.path,
      start: end,
      end,
      text: (needsBreak ? source.eol : "") + lines.map((l) => l + source.eol).join(""),
    };
  }
  return insertLinesBefore(source, line + 1, lines);
}

/** Delete whole lines (1-based, inclusive). */
export function deleteLines(source: SourceText, first: number, last = first): TextEdit {
  const start = source.offset(first);
  const end = last >= source.lineCount ? source.text.length : source.offset(last + 1);
  return { file: source.path, start, end, text: "" };
}

/** Replace the first occurrence of `needle` inside [start, end) of a file. */
export function replaceWithin(
  source: SourceText,
  start: number,
  end: number,
  needle: string | RegExp,
  text: string,
): TextEdit | undefined {
  const slice = source.text.slice(start, end);
  const match =
    typeof needle === "string"
      ? { index: slice.indexOf(needle), length: needle.length }
      : (() => {
          const m = needle.exec(slice);
          return m ? { index: m.index, length: m[0].length } : { index: -1, length: 0 };
        })();
  if (match.index < 0) return undefined;
  return { file: source.path, start: start + match.index, end: start + match.index + match.length, text };
}

/** The indentation of a line (for inserting siblings in YAML). */
export function indentOf(source: SourceText, line: number): string {
  return /^\s*/.exec(source.line(line))?.[0] ?? "";
}

export interface InstallCommand {
  run: RunFacts;
  command: ShellCommand;
  /** argv without `sudo`/`VAR=x` wrappers. */
  argv: string[];
  manager:
    | "npm"
    | "yarn"
    | "pnpm"
    | "bun"
    | "pip"
    | "poetry"
    | "uv"
    | "pipenv"
    | "apt-get"
    | "apt"
    | "apk"
    | "yum"
    | "dnf"
    | "gem"
    | "go"
    | "cargo";
  /** The subcommand: `install`, `ci`, `add`, `sync`, `i`. */
  action: string;
  /** Words after the action that are not flags. */
  packages: string[];
  flags: string[];
}

const MANAGERS = new Set([
  "npm",
  "yarn",
  "pnpm",
  "bun",
  "pip",
  "pip3",
  "poetry",
  "uv",
  "pipenv",
  "apt-get",
  "apt",
  "apk",
  "yum",
  "dnf",
  "gem",
  "go",
  "cargo",
]);

/** Package-manager commands a stage's RUN instructions execute, in order. */
// Derived once per stage: a dozen rules ask for the same list.
const installsByStage = new WeakMap<StageFacts, InstallCommand[]>();

export function installCommands(stage: StageFacts): InstallCommand[] {
  const known = installsByStage.get(stage);
  if (known) return known;
  const out = findInstallCommands(stage);
  installsByStage.set(stage, out);
  return out;
}

function findInstallCommands(stage: StageFacts): InstallCommand[] {
  const out: InstallCommand[] = [];
  for (const run of stage.runs) {
    for (const command of run.commands) {
      let argv = effectiveArgv(command.argv);
      // `programOf(argv)`: effectiveArgv of words it already stripped leaves them as they are.
      let program = programName(argv[0]);
      // `python -m pip install`, `corepack pnpm install`
      if (/^python[0-9.]*$/.test(program) && argv[1] === "-m" && argv[2]) {
        argv = argv.slice(2);
        program = argv[0] ?? "";
      }
      if (program === "corepack" && argv[1] && MANAGERS.has(argv[1])) {
        argv = argv.slice(1);
        program = argv[0] ?? "";
      }
      if (!MANAGERS.has(program)) continue;
      const rest = argv.slice(1);
      // `uv pip install`: the action is after `pip`.
      const actionIndex = rest.findIndex((word) => !word.startsWith("-"));
      let action = actionIndex < 0 ? "" : (rest[actionIndex] ?? "");
      let after = actionIndex < 0 ? [] : rest.slice(actionIndex + 1);
      if (program === "uv" && action === "pip") {
        action = after.find((word) => !word.startsWith("-")) ?? "";
        after = after.slice(after.indexOf(action) + 1);
      }
      const flags = rest.filter((word) => word.startsWith("-"));
      const packages = after.filter((word) => !word.startsWith("-"));
      const manager = (program === "pip3" ? "pip" : program) as InstallCommand["manager"];
      out.push({ run, command, argv, manager, action, packages, flags });
    }
  }
  return out;
}

/** Whether a command is a JavaScript dependency install (not a global tool install). */
export function isJsDependencyInstall(install: InstallCommand): boolean {
  const { manager, action, flags, packages } = install;
  if (flags.includes("-g") || flags.includes("--global")) return false;
  if (manager === "npm")
    return (
      (action === "install" || action === "i" || action === "ci" || action === "clean-install") &&
      packages.length === 0
    );
  if (manager === "yarn") return (action === "" || action === "install") && packages.length === 0;
  if (manager === "pnpm" || manager === "bun")
    return (action === "install" || action === "i") && packages.length === 0;
  return false;
}

/** The 1-based line where a command appears inside its RUN instruction. */
export function commandLine(
  dockerfile: DockerfileFacts,
  install: { run: RunFacts; command: ShellCommand },
): number {
  const words = install.command.argv.slice(0, 2).join(" ");
  const instruction = install.run.instruction;
  for (let line = instruction.line; line <= instruction.endLine; line++) {
    const text = dockerfile.source.line(line).replace(/\s+/g, " ");
    if (text.includes(words)) return line;
  }
  const first = install.command.argv[0] ?? "";
  for (let line = instruction.line; line <= instruction.endLine; line++) {
    if (first && dockerfile.source.line(line).includes(first)) return line;
  }
  return instruction.line;
}

/** Stages whose files end up in the shipped image. */
export function shippedStages(dockerfile: DockerfileFacts): StageFacts[] {
  return dockerfile.stages.filter((stage) => stage.shipped);
}

/** Every RUN of every stage that ends up in a shipped image, with its Dockerfile. */
export function* shippedRuns(
  facts: ProjectFacts,
): Generator<{ dockerfile: DockerfileFacts; stage: StageFacts; run: RunFacts }> {
  for (const { dockerfile } of facts.dockerfiles) {
    for (const stage of dockerfile.stages) {
      if (!stage.shipped) continue;
      for (const run of stage.runs) yield { dockerfile, stage, run };
    }
  }
}

/** Quote a word for a Dockerfile JSON array. */
export function jsonArray(words: string[]): string {
  return `[${words.map((word) => JSON.stringify(word)).join(", ")}]`;
}
