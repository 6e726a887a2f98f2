/**
 * Queries the Dockerfile rules share: the stage chain an image is built from, the process the
 * image starts, where in the file a command sits (for anchors and in-line fixes), and where to
 * insert lines that must apply to the running container only (just before CMD/ENTRYPOINT).
 */

import type { PackageFacts } from "../../facts/app.js";
import type { ServiceFacts } from "../../facts/compose.js";
import type {
  CopyFacts,
  DockerfileFacts,
  ExecFacts,
  InstructionFacts,
  RunFacts,
  StageFacts,
} from "../../facts/dockerfile.js";
import type { ImageRef } from "../../facts/image.js";
import type { DockerfileTarget, ProjectFacts } from "../../facts/project.js";
import { effectiveArgv, parseShell, type ShellCommand } from "../../facts/shell.js";
import type { Location, TextEdit } from "../../types.js";
import { commandLine, type InstallCommand, installCommands, isJsDependencyInstall } from "../helpers.js";

// Rules walk the same chains many times (per stage, per command, per path asked about): each
// stage's chain is worked out once. Shared: callers must not modify it.
const chains = new WeakMap<StageFacts, StageFacts[]>();

/** The stages an image is built from, the root (which pulls a base image) first. */
export function stageChain(dockerfile: DockerfileFacts, stage: StageFacts): StageFacts[] {
  const known = chains.get(stage);
  if (known) return known;
  const chain: StageFacts[] = [];
  const seen = new Set<number>();
  let current: StageFacts | undefined = stage;
  while (current && !seen.has(current.index)) {
    seen.add(current.index);
    chain.unshift(current);
    current = current.parentStage === undefined ? undefined : dockerfile.stages[current.parentStage];
  }
  chains.set(stage, chain);
  return chain;
}

const runsByInstruction = new WeakMap<StageFacts, Map<InstructionFacts, RunFacts>>();
const copiesByInstruction = new WeakMap<StageFacts, Map<InstructionFacts, CopyFacts>>();

/** The RUN facts of one of a stage's instructions (an index instead of `stage.runs.find`). */
export function runOf(stage: StageFacts, instruction: InstructionFacts): RunFacts | undefined {
  let index = runsByInstruction.get(stage);
  if (!index) {
    index = new Map();
    // The first run of an instruction wins, as `find` would have it.
    for (const run of stage.runs) if (!index.has(run.instruction)) index.set(run.instruction, run);
    runsByInstruction.set(stage, index);
  }
  return index.get(instruction);
}

/** The COPY/ADD facts of one of a stage's instructions (an index instead of `stage.copies.find`). */
export function copyOf(stage: StageFacts, instruction: InstructionFacts): CopyFacts | undefined {
  let index = copiesByInstruction.get(stage);
  if (!index) {
    index = new Map();
    for (const copy of stage.copies) if (!index.has(copy.instruction)) index.set(copy.instruction, copy);
    copiesByInstruction.set(stage, index);
  }
  return index.get(instruction);
}

/** The stage of a chain that pulls the base image, and that image. */
export function rootOf(
  dockerfile: DockerfileFacts,
  stage: StageFacts,
): { stage: StageFacts; base: ImageRef } {
  const root = stageChain(dockerfile, stage)[0] ?? stage;
  return { stage: root, base: root.base };
}

/** Compose services that build this Dockerfile. */
export function servicesOf(target: DockerfileTarget): ServiceFacts[] {
  const out: ServiceFacts[] = [];
  for (const { compose, service } of target.services) {
    const found = compose.services.find((candidate) => candidate.name === service);
    if (found) out.push(found);
  }
  return out;
}

/** The package.json of the build context, if the project has one there. */
export function contextPackage(facts: ProjectFacts, target: DockerfileTarget): PackageFacts | undefined {
  return facts.app.packageAt(target.context.dir);
}

/** The value of an ENV variable in effect at a line of a stage (parents included). */
export function envAt(stage: StageFacts, name: string, line = Number.POSITIVE_INFINITY): string | undefined {
  let value: string | undefined;
  for (const variable of stage.env) {
    if (variable.name === name && variable.instruction.line < line) value = variable.value ?? "";
  }
  return value;
}

/** `VAR=value` words that prefix a command (`NODE_ENV=production npm ci`). */
export function inlineAssignments(command: ShellCommand): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of command.argv) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
    if (match?.[1]) out.set(match[1], match[2] ?? "");
    else if (word !== "env" && word !== "sudo") break;
  }
  return out;
}

/** JavaScript dependency installs of a stage (not global tool installs). */
const jsInstallsOf = new WeakMap<StageFacts, InstallCommand[]>();

/** (Worked out once per stage, several rules ask; shared: do not modify.) */
export function jsInstalls(stage: StageFacts): InstallCommand[] {
  let installs = jsInstallsOf.get(stage);
  if (!installs) {
    installs = installCommands(stage).filter(isJsDependencyInstall);
    jsInstallsOf.set(stage, installs);
  }
  return installs;
}

const offsetsCache = new WeakMap<object, Array<number | undefined>>();

/**
 * Offsets in the file where each command of a RUN starts: the commands are found in order, so
 * two `pip install` in one RUN get their own places. Undefined where a command is not found as
 * written (exec form, quoting), and the caller falls back to the line.
 */
function commandOffsets(
  dockerfile: DockerfileFacts,
  run: { instruction: InstructionFacts; commands?: ShellCommand[] },
): Array<number | undefined> {
  const cached = offsetsCache.get(run);
  if (cached) return cached;
  // Searched within the instruction only: a command not found as written must not scan the rest
  // of the file.
  const { start, end, keyword } = run.instruction;
  const text = dockerfile.source.text.slice(start, end);
  let cursor = keyword.length;
  const out: Array<number | undefined> = [];
  for (const command of run.commands ?? []) {
    const match =
      command.argv.length > 0 ? findCommandWords(text, command.argv, dockerfile.escape, cursor) : undefined;
    if (match) {
      out.push(start + match.start);
      cursor = match.end;
    } else out.push(undefined);
  }
  offsetsCache.set(run, out);
  return out;
}

/** `\s` as JavaScript regular expressions read it. */
function isRegExpSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** `[\s;&|(]`: what may stand before a command's first word. */
function isCommandBoundaryBefore(code: number): boolean {
  return isRegExpSpace(code) || code === 59 || code === 38 || code === 124 || code === 40;
}

/** `[\s;&|)]` or the end of the text: what may follow a command's words. */
function isCommandBoundaryAfter(text: string, index: number): boolean {
  if (index >= text.length) return true;
  const code = text.charCodeAt(index);
  return isRegExpSpace(code) || code === 59 || code === 38 || code === 124 || code === 41;
}

/**
 * The end of one separator unit between two words (`[ \t]`, an escaped line break, a line
 * break), or -1 when none starts at `index`.
 */
function separatorUnitEnd(text: string, index: number, escapeChar: string): number {
  const ch = text[index];
  if (ch === " " || ch === "\t" || ch === "\n") return index + 1;
  if (ch === "\r") return text[index + 1] === "\n" ? index + 2 : -1;
  if (ch === escapeChar) {
    if (text[index + 1] === "\n") return index + 2;
    if (text[index + 1] === "\r" && text[index + 2] === "\n") return index + 3;
  }
  return -1;
}

/**
 * Where a command's first one or two words appear in a RUN's text at or after `cursor`: what
 * `/(^|[\s;&|(])(first(?:sep)+second)(?=[\s;&|)]|$)/g` from `cursor` finds, `sep` being a blank,
 * an escaped line break or a line break. Scanned by hand: building that expression per command
 * was the single biggest cost of the rules.
 */
function findCommandWords(
  text: string,
  argv: string[],
  escapeChar: string,
  cursor: number,
): { start: number; end: number } | undefined {
  const first = argv[0] ?? "";
  const second = argv.length > 1 ? (argv[1] ?? "") : undefined;
  // `^` matches only at offset 0, before the first word of the text.
  let at = cursor === 0 ? 0 : cursor + 1;
  for (;;) {
    const found = text.indexOf(first, at);
    // An empty first word is "found" at the end of the text however far past it `at` is.
    if (found < 0 || found < at) return undefined;
    if (
      found === 0 ? cursor === 0 : found - 1 >= cursor && isCommandBoundaryBefore(text.charCodeAt(found - 1))
    ) {
      const wordEnd = found + first.length;
      if (second === undefined) {
        if (isCommandBoundaryAfter(text, wordEnd)) return { start: found, end: wordEnd };
      } else {
        // The separator is greedy: the last place after it where the second word fits wins.
        let best = -1;
        let position = separatorUnitEnd(text, wordEnd, escapeChar);
        while (position >= 0) {
          if (text.startsWith(second, position) && isCommandBoundaryAfter(text, position + second.length))
            best = position + second.length;
          position = separatorUnitEnd(text, position, escapeChar);
        }
        if (best >= 0) return { start: found, end: best };
      }
    }
    at = found + 1;
  }
}

/** The offset of a command in the file, when it can be found as written. */
export function commandOffset(
  dockerfile: DockerfileFacts,
  item: { run: { instruction: InstructionFacts; commands?: ShellCommand[] }; command: ShellCommand },
): number | undefined {
  const index = item.run.commands?.indexOf(item.command) ?? -1;
  if (index < 0) return undefined;
  return commandOffsets(dockerfile, item.run)[index];
}

/** The location of a command inside its RUN (its physical line, the column of its first word). */
export function commandAt(
  dockerfile: DockerfileFacts,
  item: { run: { instruction: InstructionFacts; commands?: ShellCommand[] }; command: ShellCommand },
): Location {
  const offset = commandOffset(dockerfile, item);
  if (offset !== undefined) {
    const position = dockerfile.source.position(offset);
    return { file: dockerfile.file, ...position };
  }
  const line = commandLine(dockerfile, item as Parameters<typeof commandLine>[1]);
  const text = dockerfile.source.line(line);
  const start = commandStartIn(text, item.command.argv);
  return { file: dockerfile.file, line, column: start < 0 ? item.run.instruction.column : start + 1 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The index in a line where a command's first words appear, or -1. */
function commandStartIn(text: string, argv: string[]): number {
  const first = argv[0];
  if (!first) return -1;
  const second = argv[1];
  if (second !== undefined) {
    const both = new RegExp(
      `(?:^|[\\s;&|(])(${escapeRegExp(first)}\\s+${escapeRegExp(second)})(?=\\s|$|[;&|)])`,
    );
    const match = both.exec(text);
    if (match?.[1]) return (match.index ?? 0) + match[0].length - match[1].length;
  }
  const one = new RegExp(`(?:^|[\\s;&|(])(${escapeRegExp(first)})(?=\\s|$|[;&|)])`).exec(text);
  return one?.[1] ? (one.index ?? 0) + one[0].length - one[1].length : -1;
}

/**
 * The span of a command in the file: from its first word to the operator that ends it (`&&`,
 * `||`, `;`, `|`), a line break that is not a continuation, or the end of the instruction.
 */
export function commandSpan(
  dockerfile: DockerfileFacts,
  item: { run: { instruction: InstructionFacts; commands?: ShellCommand[] }; command: ShellCommand },
): { start: number; end: number } | undefined {
  const start = commandOffset(dockerfile, item);
  if (start === undefined) return undefined;
  const source = dockerfile.source;
  const limit = item.run.instruction.end;
  const escapeChar = dockerfile.escape;
  let quote: string | undefined;
  for (let i = start; i < limit; i++) {
    const ch = source.text[i] ?? "";
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ";" || ch === "|" || (ch === "&" && source.text[i + 1] === "&")) return { start, end: i };
    else if (ch === "\n") {
      // Continued when the text before the line break ends with the escape character (blanks
      // aside): looked up in place rather than slicing from the command's start at every line.
      let last = i - 1;
      while (
        last >= start &&
        (source.text[last] === " " || source.text[last] === "\t" || source.text[last] === "\r")
      )
        last--;
      if (last < start || source.text[last] !== escapeChar) return { start, end: i };
    }
  }
  return { start, end: limit };
}

/**
 * An edit at the action word of a command (`install` in `apt-get -y install`), on the command's
 * physical line: insert text after it, or replace it. Undefined when the word is not on that line.
 */
export function editAtAction(
  dockerfile: DockerfileFacts,
  item: { run: { instruction: InstructionFacts }; command: ShellCommand },
  action: string,
  mode: { insertAfter: string } | { replaceWith: string },
): TextEdit | undefined {
  const span = commandSpan(dockerfile, item);
  if (!span) return undefined;
  const source = dockerfile.source;
  const text = source.text.slice(span.start, span.end);
  const match = new RegExp(`(^|\\s)(${escapeRegExp(action)})(?=\\s|$)`).exec(text);
  if (!match?.[2]) return undefined;
  const at = span.start + (match.index ?? 0) + (match[1]?.length ?? 0);
  if ("insertAfter" in mode) {
    const end = at + match[2].length;
    return { file: dockerfile.file, start: end, end, text: mode.insertAfter };
  }
  return { file: dockerfile.file, start: at, end: at + match[2].length, text: mode.replaceWith };
}

/** The process the image starts: ENTRYPOINT words then CMD words (shell form: `sh -c`). */
export interface ImageProcess {
  /** The instruction that names PID 1 (ENTRYPOINT when there is one, else CMD). */
  pid1?: ExecFacts;
  argv: string[];
}

export function processOf(stage: StageFacts): ImageProcess {
  const entrypoint = stage.entrypoint;
  const cmd = stage.cmd;
  if (entrypoint) {
    const words = entrypoint.form === "exec" ? entrypoint.argv : ["/bin/sh", "-c", entrypoint.script ?? ""];
    // A shell-form ENTRYPOINT ignores CMD.
    const rest = entrypoint.form === "exec" && cmd ? argvOf(cmd) : [];
    return { pid1: entrypoint, argv: [...words, ...rest] };
  }
  if (cmd) return { pid1: cmd, argv: argvOf(cmd) };
  return { argv: [] };
}

function argvOf(exec: ExecFacts): string[] {
  return exec.form === "exec" ? exec.argv : ["/bin/sh", "-c", exec.script ?? ""];
}

/** Init processes that forward signals and reap zombies. */
const INITS = new Set(["tini", "tini-static", "dumb-init", "docker-init", "catatonit", "s6-svscan", "init"]);

export function isInit(program: string): boolean {
  const name = program.slice(program.lastIndexOf("/") + 1);
  return INITS.has(name);
}

/**
 * The command the container actually runs, past an init wrapper and `sh -c`: the words of a
 * shell-form command (parsed) or the exec array, without `VAR=x`/`exec` prefixes.
 */
export function mainCommand(stage: StageFacts): { exec?: ExecFacts; argv: string[] } {
  const process = processOf(stage);
  let argv = process.argv;
  let exec = process.pid1;
  if (argv[0] && isInit(argv[0])) {
    let consumed = 1;
    argv = argv.slice(1);
    while (argv[0]?.startsWith("-")) {
      const flag = argv[0];
      argv = argv.slice(1);
      consumed++;
      if (flag === "--") break;
    }
    // The init's child comes from CMD when the exec-form ENTRYPOINT is only the init.
    const entrypoint = stage.entrypoint;
    if (entrypoint?.form === "exec" && stage.cmd && entrypoint.argv.length <= consumed) exec = stage.cmd;
  }
  if ((argv[0] === "/bin/sh" || argv[0] === "sh") && argv[1] === "-c") {
    const commands = parseShell(argv[2] ?? "");
    // Several commands: the shell is what runs them, not one program.
    if (commands.length === 1 && commands[0]) argv = effectiveArgv(commands[0].argv);
  } else argv = effectiveArgv(argv);
  const out: { exec?: ExecFacts; argv: string[] } = { argv };
  if (exec) out.exec = exec;
  return out;
}

/**
 * Insert lines where they affect the running container only: before the final stage's own
 * CMD/ENTRYPOINT (and the comments directly above it), or at the end of the file when that
 * stage has none or builds more after it.
 */
export function insertBeforeRuntime(dockerfile: DockerfileFacts, lines: string[]): TextEdit | undefined {
  const final = dockerfile.final;
  if (!final) return undefined;
  const source = dockerfile.source;
  const own = final.instructions.filter(
    (instruction) => instruction.keyword === "CMD" || instruction.keyword === "ENTRYPOINT",
  );
  const first = own[0];
  const later = first
    ? final.instructions.some(
        (instruction) =>
          instruction.line > first.line &&
          ["RUN", "COPY", "ADD", "USER", "WORKDIR", "ONBUILD"].includes(instruction.keyword),
      )
    : true;
  if (first && !later) {
    let line = first.line;
    while (line > 1 && /^\s*#/.test(source.line(line - 1)) && line - 1 > final.from.line) line--;
    const offset = source.offset(line);
    return {
      file: dockerfile.file,
      start: offset,
      end: offset,
      text: lines.map((l) => l + source.eol).join(""),
    };
  }
  const end = source.text.length;
  const needsBreak = end > 0 && !source.text.endsWith("\n");
  return {
    file: dockerfile.file,
    start: end,
    end,
    text: (needsBreak ? source.eol : "") + lines.map((l) => l + source.eol).join(""),
  };
}

/** The keyword as written (`CMD`, `cmd`), for replacements that keep the author's case. */
export function keywordText(dockerfile: DockerfileFacts, instruction: InstructionFacts): string {
  return dockerfile.source.text.slice(instruction.start, instruction.start + instruction.keyword.length);
}

/** `file:line` for messages. */
export function where(dockerfile: DockerfileFacts, line: number): string {
  return `${dockerfile.file}:${line}`;
}

/** Lockfile names each JavaScript package manager reads. */
export const LOCKFILES: Record<string, string[]> = {
  npm: ["package-lock.json", "npm-shrinkwrap.json"],
  yarn: ["yarn.lock"],
  pnpm: ["pnpm-lock.yaml"],
  bun: ["bun.lock", "bun.lockb"],
};

/** The words of an install up to its action (`apt-get -y install`), for messages. */
export function upToAction(install: { argv: string[]; action: string }): string {
  const index = install.action === "" ? 0 : install.argv.indexOf(install.action);
  return install.argv.slice(0, index < 0 ? 2 : index + 1).join(" ");
}
