/**
 * Dockerfile facts: stages, the final (shipped) stage, base images with ARG values resolved,
 * effective USER, what is copied from where, what RUN executes, ENV/ARG, EXPOSE, HEALTHCHECK,
 * CMD/ENTRYPOINT. Parsing is dockerfile-ast's (directives, escape, continuations, heredocs,
 * flags); this module turns its syntax tree into facts the rules read.
 */
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import "./dockerfile-ast-cache.js";
import { type ImageRef, parseImageRef, substituteVariables } from "./image.js";
import { parseShell, type ShellCommand } from "./shell.js";
import type { SourceText } from "./source.js";

export interface InstructionFacts {
  keyword: string;
  /** 1-based line of the keyword, and the last line the instruction spans. */
  line: number;
  column: number;
  endLine: number;
  /** Offsets into the source text (end exclusive). */
  start: number;
  end: number;
  /** The arguments after the keyword and flags, continuations joined, heredoc bodies included. */
  args: string;
  flags: Map<string, string[]>;
  stage: number;
}

export interface ExecFacts {
  instruction: InstructionFacts;
  form: "exec" | "shell";
  /** Exec form: the JSON array. Shell form: the words of the command (for reading, not running). */
  argv: string[];
  /** Shell form: the script. */
  script?: string;
}

export interface CopyFacts {
  instruction: InstructionFacts;
  keyword: "COPY" | "ADD";
  /** `--from` as written: a stage name or index, or an image. */
  from?: string;
  /** The stage `--from` names, when it names one. */
  fromStage?: number;
  chown?: string;
  sources: string[];
  destination: string;
  /** Destination made absolute with the WORKDIR in effect. */
  absoluteDestination: string;
  /** Inline files (`COPY <<EOF /path`). */
  heredoc: boolean;
}

export interface RunFacts {
  instruction: InstructionFacts;
  script: string;
  commands: ShellCommand[];
  mounts: Array<Record<string, string>>;
  /** Exec-form RUN. */
  exec: boolean;
}

export interface VariableFacts {
  name: string;
  value?: string;
  instruction: InstructionFacts;
}

export interface StageFacts {
  index: number;
  name?: string;
  from: InstructionFacts;
  /** The base as written, and with ARG values substituted. */
  baseText: string;
  base: ImageRef;
  /** The stage this one builds on (`FROM build AS runtime`), if any. */
  parentStage?: number;
  platform?: string;
  instructions: InstructionFacts[];
  /** The USER in effect at the end of the stage (inherited from a parent stage). */
  user?: { value: string; instruction: InstructionFacts };
  workdir: string;
  env: VariableFacts[];
  args: VariableFacts[];
  labels: VariableFacts[];
  copies: CopyFacts[];
  runs: RunFacts[];
  exposes: Array<{ port: number; protocol: string; instruction: InstructionFacts }>;
  healthcheck?: { instruction: InstructionFacts; none: boolean; exec?: ExecFacts };
  cmd?: ExecFacts;
  entrypoint?: ExecFacts;
  /** Part of the shipped image: the final stage and the stages it builds on. */
  shipped: boolean;
  isFinal: boolean;
}

export interface DockerfileFacts {
  file: string;
  source: SourceText;
  escape: string;
  directives: Array<{ name: string; value: string; line: number }>;
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: VariableFacts[];
  stages: StageFacts[];
  instructions: InstructionFacts[];
  final?: StageFacts;
  /** Problems that stopped part of the file from being read. */
  problems: Array<{ line: number; message: string }>;
}

const KNOWN_KEYWORDS = new Set([
  "FROM",
  "RUN",
  "CMD",
  "LABEL",
  "MAINTAINER",
  "EXPOSE",
  "ENV",
  "ADD",
  "COPY",
  "ENTRYPOINT",
  "VOLUME",
  "USER",
  "WORKDIR",
  "ARG",
  "ONBUILD",
  "STOPSIGNAL",
  "HEALTHCHECK",
  "SHELL",
]);

function flagsOf(instruction: Instruction): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  const withFlags = instruction as Instruction & {
    getFlags?: () => Array<{ getName(): string; getValue(): string | null }>;
  };
  for (const flag of withFlags.getFlags?.() ?? []) {
    const list = flags.get(flag.getName()) ?? [];
    list.push(flag.getValue() ?? "");
    flags.set(flag.getName(), list);
  }
  return flags;
}

/**
 * Whether dockerfile-ast may find flags on an instruction, so that it need not tokenize the
 * arguments of the many that have none. Every character of a flag comes from the text, which
 * starts with `--`: without a `-` there are none. CMD, ENTRYPOINT, SHELL and VOLUME stop looking
 * at their first argument, RUN, COPY, ADD and FROM at the first argument without `--`: a first
 * word without `--` and without an escape character (`\\` or `` ` ``; dockerfile-ast's tokenizer
 * splits such a word only at blanks, and keeps its characters) ends the search there.
 */
function mayHaveFlags(keyword: string, written: string, raw: string): boolean {
  if (keyword === "CMD" || keyword === "ENTRYPOINT" || keyword === "SHELL" || keyword === "VOLUME")
    return false;
  if (!raw.includes("-")) return false;
  if (keyword !== "RUN" && keyword !== "COPY" && keyword !== "ADD" && keyword !== "FROM") return true;
  if (!raw.startsWith(written)) return true;
  let i = written.length;
  while (i < raw.length && (raw[i] === " " || raw[i] === "\t")) i++;
  const first = i;
  for (; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") break;
    if ((ch === "-" && raw[i + 1] === "-") || ch === "\\" || ch === "`") return true;
  }
  // No first word on the keyword's line: the arguments start further on.
  return i === first;
}

/** Continuation lines for each escape character (compiled once, not per instruction). */
const CONTINUATION: Record<string, RegExp> = { "\\": /\\[ \t]*\r?\n/g, "`": /`[ \t]*\r?\n/g };
const HEREDOC_START = /<<-?\s*["']?[A-Za-z_]/;
const COMMENT_LINES = /^[ \t]*#.*\r?\n/gm;
const KEYWORD_PREFIX = /^\s*[A-Za-z]+/;
/** One `--flag[=value]` with the blanks before it, read where the previous one ended. */
const FLAG_AT = /\s+--[A-Za-z-]+(?:=(?:"[^"]*"|'[^']*'|\S)*)?/y;

/** The argument text of an instruction: everything after the keyword and its `--flags`. */
function argumentText(raw: string, escapeChar: string): string {
  const newline = raw.indexOf("\n");
  // The first line ends at `\r\n` or `\n`: a `\r` before the `\n` is not part of it.
  const firstLine =
    newline < 0 ? raw : raw.slice(0, newline > 0 && raw[newline - 1] === "\r" ? newline - 1 : newline);
  // A heredoc body must stay as written: only the first line has continuations and flags.
  const isHeredoc = HEREDOC_START.test(firstLine);
  // Comment lines inside a continuation go first (as Docker drops them before joining): joined
  // first, a `# note` line would end up inside the instruction's own line.
  let text =
    isHeredoc || newline < 0
      ? raw
      : (raw.slice(0, newline + 1) + raw.slice(newline + 1).replace(COMMENT_LINES, "")).replace(
          CONTINUATION[escapeChar === "`" ? "`" : "\\"] as RegExp,
          " ",
        );
  text = text.replace(KEYWORD_PREFIX, "");
  let flagsEnd = 0;
  for (;;) {
    FLAG_AT.lastIndex = flagsEnd;
    if (!FLAG_AT.test(text)) break;
    flagsEnd = FLAG_AT.lastIndex;
  }
  return (flagsEnd === 0 ? text : text.slice(flagsEnd)).trim();
}

/** Split an instruction's heredoc: the command line and the bodies it feeds. */
export function splitHeredoc(args: string): { head: string; bodies: string[] } | undefined {
  const firstNewline = args.indexOf("\n");
  const head = firstNewline < 0 ? args : args.slice(0, firstNewline);
  if (!head.includes("<<")) return undefined;
  const markers = [...head.matchAll(/<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)];
  if (markers.length === 0) return undefined;
  const bodies: string[] = [];
  let rest = firstNewline < 0 ? "" : args.slice(firstNewline + 1);
  for (const marker of markers) {
    const name = marker[3] ?? "";
    const lines = rest.split("\n");
    const end = lines.findIndex((line) => line.replace(/\r$/, "").trim() === name);
    const bodyLines = end < 0 ? lines : lines.slice(0, end);
    bodies.push(bodyLines.join("\n"));
    rest = end < 0 ? "" : lines.slice(end + 1).join("\n");
  }
  return { head: head.replace(/<<-?\s*(["']?)[A-Za-z_][A-Za-z0-9_]*\1/g, "").trim(), bodies };
}

/** Exec form when the arguments are a JSON array of strings, as Docker decides. */
export function execFormOf(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  } catch {
    // Not JSON: Docker runs it in shell form.
  }
  return undefined;
}

function execFacts(instruction: InstructionFacts): ExecFacts {
  const argv = execFormOf(instruction.args);
  if (argv) return { instruction, form: "exec", argv };
  const words = parseShell(instruction.args)[0]?.argv ?? [];
  return { instruction, form: "shell", argv: words, script: instruction.args };
}

/** posix join of an absolute directory and a path, with `.` and `..` collapsed. */
export function joinPath(dir: string, path: string): string {
  const joined = path.startsWith("/") ? path : `${dir.endsWith("/") ? dir.slice(0, -1) : dir}/${path}`;
  if (isNormalAbsolute(joined)) return joined;
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * Whether a path is already what `joinPath` makes of it: absolute, with no empty, `.` or `..`
 * part and no `/` at the end (or just `/`). Most paths are, and need no splitting.
 */
function isNormalAbsolute(path: string): boolean {
  if (path.charCodeAt(0) !== 47) return false;
  if (path.length === 1) return true;
  let start = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    const length = i - start;
    if (length === 0) return false;
    if (
      path.charCodeAt(start) === 46 &&
      (length === 1 || (length === 2 && path.charCodeAt(start + 1) === 46))
    )
      return false;
    start = i + 1;
  }
  return true;
}

/** Properties (`ENV a=b c=d`, `LABEL`) through dockerfile-ast, which handles quotes and escapes. */
function propertiesOf(instruction: Instruction): Array<{ name: string; value?: string }> {
  const withProperties = instruction as Instruction & {
    getProperties?: () => Array<{ getName(): string; getValue(): string | null }>;
    getProperty?: () => { getName(): string; getValue(): string | null } | null;
  };
  const list = withProperties.getProperties?.() ?? [];
  const single = withProperties.getProperty?.();
  const all = single ? [single] : list;
  return all.map((property) => {
    const value = property.getValue();
    return value === null ? { name: property.getName() } : { name: property.getName(), value };
  });
}

/**
 * Offsets of dockerfile-ast positions. Its lines end at `\r\n`, `\n` and also a lone `\r` (as
 * LSP counts them), SourceText's only at `\n`: positions go through offsets, never line numbers.
 */
function astOffsets(
  source: SourceText,
  text: string,
): (position: { line: number; character: number }) => number {
  if (!text.includes("\r")) {
    // Without `\r` both count the same lines: SourceText's index answers, none is built.
    const lineCount = source.lineCount;
    return (position) =>
      Math.min(
        text.length,
        (position.line < lineCount ? source.offset(position.line + 1) : text.length) + position.character,
      );
  }
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (code === 13 || code === 10) starts.push(i + 1);
  }
  return (position) => Math.min(text.length, (starts[position.line] ?? text.length) + position.character);
}

export function parseDockerfile(source: SourceText): DockerfileFacts {
  const text = source.text;
  const parsed = DockerfileParser.parse(text);
  const offsetOf = astOffsets(source, text);
  const directives = parsed.getDirectives().map((directive) => ({
    name: directive.getName().toLowerCase(),
    value: directive.getValue(),
    line: source.position(offsetOf(directive.getRange().start)).line,
  }));
  const escapeChar = directives.find((directive) => directive.name === "escape")?.value === "`" ? "`" : "\\";
  const facts: DockerfileFacts = {
    file: source.path,
    source,
    escape: escapeChar,
    directives,
    globalArgs: [],
    stages: [],
    instructions: [],
    problems: [],
  };
  const globalValues = new Map<string, string | undefined>();
  let stage: StageFacts | undefined;
  const stageByName = new Map<string, number>();

  for (const node of parsed.getInstructions()) {
    const range = node.getRange();
    const start = offsetOf(range.start);
    const end = offsetOf(range.end);
    const keyword = node.getKeyword().toUpperCase();
    const position = source.position(start);
    const raw = text.slice(start, end);
    const instruction: InstructionFacts = {
      keyword,
      line: position.line,
      column: position.column,
      endLine: source.position(end).line,
      start,
      end,
      args: argumentText(raw, escapeChar),
      flags: mayHaveFlags(keyword, node.getInstruction(), raw) ? flagsOf(node) : new Map(),
      stage: stage?.index ?? -1,
    };
    facts.instructions.push(instruction);
    if (!KNOWN_KEYWORDS.has(keyword)) {
      facts.problems.push({ line: instruction.line, message: `unknown instruction ${node.getKeyword()}` });
      continue;
    }

    if (keyword === "FROM") {
      const words = instruction.args.split(/\s+/).filter(Boolean);
      const baseText = words[0] ?? "";
      const name = words[1]?.toUpperCase() === "AS" ? words[2] : undefined;
      const substituted = substituteVariables(baseText, globalValues);
      const parentStage = stageByName.get(substituted.toLowerCase());
      const index = facts.stages.length;
      instruction.stage = index;
      stage = {
        index,
        from: instruction,
        baseText,
        base: parseImageRef(substituted),
        instructions: [instruction],
        workdir: "/",
        env: [],
        args: [],
        labels: [],
        copies: [],
        runs: [],
        exposes: [],
        shipped: false,
        isFinal: false,
      };
      if (name) {
        stage.name = name;
        stageByName.set(name.toLowerCase(), index);
      }
      stageByName.set(String(index), index);
      const platform = instruction.flags.get("platform")?.[0];
      if (platform) stage.platform = platform;
      if (parentStage !== undefined) {
        const parent = facts.stages[parentStage];
        stage.parentStage = parentStage;
        if (parent) {
          if (parent.user) stage.user = parent.user;
          stage.workdir = parent.workdir;
          stage.env = [...parent.env];
          if (parent.cmd) stage.cmd = parent.cmd;
          if (parent.entrypoint) stage.entrypoint = parent.entrypoint;
          if (parent.healthcheck) stage.healthcheck = parent.healthcheck;
          stage.exposes = [...parent.exposes];
        }
      }
      facts.stages.push(stage);
      continue;
    }

    if (!stage) {
      if (keyword === "ARG") {
        for (const property of propertiesOf(node)) {
          const variable: VariableFacts = { name: property.name, instruction };
          if (property.value !== undefined) variable.value = property.value;
          facts.globalArgs.push(variable);
          globalValues.set(property.name, property.value);
        }
      } else {
        facts.problems.push({ line: instruction.line, message: `${keyword} before the first FROM` });
      }
      continue;
    }

    instruction.stage = stage.index;
    stage.instructions.push(instruction);
    switch (keyword) {
      case "USER":
        stage.user = { value: instruction.args.split(/\s+/)[0] ?? "", instruction };
        break;
      case "WORKDIR":
        stage.workdir = joinPath(stage.workdir, instruction.args.replace(/^["']|["']$/g, ""));
        break;
      case "ENV":
      case "ARG":
      case "LABEL": {
        const list = keyword === "ENV" ? stage.env : keyword === "ARG" ? stage.args : stage.labels;
        for (const property of propertiesOf(node)) {
          const variable: VariableFacts = { name: property.name, instruction };
          if (property.value !== undefined) variable.value = property.value;
          list.push(variable);
        }
        break;
      }
      case "COPY":
      case "ADD":
        stage.copies.push(copyFacts(instruction, keyword, stage, stageByName));
        break;
      case "RUN":
        stage.runs.push(runFacts(instruction));
        break;
      case "EXPOSE":
        for (const word of instruction.args.split(/\s+/).filter(Boolean)) {
          const match = /^(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/i.exec(word);
          if (match?.[1])
            stage.exposes.push({
              port: Number(match[1]),
              protocol: (match[2] ?? "tcp").toLowerCase(),
              instruction,
            });
        }
        break;
      case "HEALTHCHECK": {
        const rest = instruction.args;
        if (/^NONE\b/i.test(rest)) stage.healthcheck = { instruction, none: true };
        else {
          const command = rest.replace(/^CMD\s+/i, "");
          stage.healthcheck = {
            instruction,
            none: false,
            exec: execFacts({ ...instruction, args: command }),
          };
        }
        break;
      }
      case "CMD":
        stage.cmd = execFacts(instruction);
        break;
      case "ENTRYPOINT":
        stage.entrypoint = execFacts(instruction);
        // Docker resets an inherited CMD when ENTRYPOINT is set.
        if (stage.cmd && stage.cmd.instruction.stage !== stage.index) delete stage.cmd;
        break;
      default:
        break;
    }
  }

  const final = facts.stages.at(-1);
  if (final) {
    facts.final = final;
    final.isFinal = true;
    let current: StageFacts | undefined = final;
    while (current) {
      current.shipped = true;
      current = current.parentStage === undefined ? undefined : facts.stages[current.parentStage];
    }
  }
  if (facts.stages.length === 0 && facts.problems.length === 0) {
    facts.problems.push({
      line: 1,
      message: "no FROM instruction: this is not a Dockerfile Docker can build",
    });
  }
  return facts;
}

function copyFacts(
  instruction: InstructionFacts,
  keyword: "COPY" | "ADD",
  stage: StageFacts,
  stageByName: Map<string, number>,
): CopyFacts {
  const heredoc = splitHeredoc(instruction.args);
  const head = heredoc ? heredoc.head : instruction.args;
  const words = execFormOf(head) ?? parseShell(head)[0]?.argv ?? [];
  const destination = words.at(-1) ?? "";
  const sources = heredoc ? [] : words.slice(0, -1);
  const copy: CopyFacts = {
    instruction,
    keyword,
    sources,
    destination,
    absoluteDestination: joinPath(stage.workdir, destination),
    heredoc: heredoc !== undefined,
  };
  const from = instruction.flags.get("from")?.[0];
  if (from !== undefined) {
    copy.from = from;
    const index = stageByName.get(from.toLowerCase());
    if (index !== undefined) copy.fromStage = index;
  }
  const chown = instruction.flags.get("chown")?.[0];
  if (chown !== undefined) copy.chown = chown;
  return copy;
}

function runFacts(instruction: InstructionFacts): RunFacts {
  const mounts = (instruction.flags.get("mount") ?? []).map((value) => {
    const options: Record<string, string> = {};
    for (const part of value.split(",")) {
      const eq = part.indexOf("=");
      if (eq < 0) options[part] = "true";
      else options[part.slice(0, eq)] = part.slice(eq + 1);
    }
    return options;
  });
  const exec = execFormOf(instruction.args);
  if (exec) {
    return {
      instruction,
      script: exec.join(" "),
      commands: [{ argv: exec, text: exec.join(" ") }],
      mounts,
      exec: true,
    };
  }
  const heredoc = splitHeredoc(instruction.args);
  let script = instruction.args;
  if (heredoc) {
    // `RUN <<EOF` runs the body as a script; `RUN python3 <<EOF` feeds it to a program.
    const interpreter = heredoc.head.trim();
    script =
      interpreter === "" || /^(?:ba|da|z)?sh\b/.test(interpreter) ? heredoc.bodies.join("\n") : interpreter;
  }
  return { instruction, script, commands: parseShell(script), mounts, exec: false };
}

/** The 1-based line of the instruction's source where a piece of text first appears. */
export function lineOfText(facts: DockerfileFacts, instruction: InstructionFacts, needle: string): number {
  for (let line = instruction.line; line <= instruction.endLine; line++) {
    if (facts.source.line(line).includes(needle)) return line;
  }
  return instruction.line;
}
