/**
 * Shell scripts (RUN, shell-form CMD, package.json scripts) as a list of simple commands,
 * each with its argv and the operator that joins it to the next. Variables stay unexpanded
 * (`$X`, `${X}` are kept as written) because their values are not known.
 */
import { scanShell } from "./shellwords.js";

export interface ShellCommand {
  argv: string[];
  /** The operator after this command: `&&`, `||`, `;`, `|`, `&` or undefined at the end. */
  next?: string;
  /** The command piped into this one (`curl … | sh` → sh's pipedFrom is curl). */
  pipedFrom?: ShellCommand;
  /** The command's own text, for locating it in the file. */
  text: string;
}

/** Split a script into simple commands. Never throws: unparseable text yields its words. */
export function parseShell(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  // Lines are separate commands unless continued; comments end at the line.
  // Most scripts are one line: no continuation to join, nothing to split.
  const lines = script.includes("\n")
    ? script
        .replace(/\\\r?\n/g, " ")
        .split(/\r?\n/)
        .filter((line) => !COMMENT_LINE.test(line))
    : COMMENT_LINE.test(script)
      ? []
      : [script];
  let current: string[] = [];
  let previous: ShellCommand | undefined;
  let pipe = false;
  const flush = (op?: string): void => {
    if (current.length > 0) {
      const command: ShellCommand = { argv: current, text: current.join(" ") };
      if (op) command.next = op;
      if (pipe && previous) command.pipedFrom = previous;
      commands.push(command);
      previous = command;
    } else if (previous && op) {
      previous.next = op;
    }
    pipe = op === "|";
    current = [];
  };
  const word = (text: string): void => {
    current.push(text);
  };
  const operator = (op: string): void => {
    if (CONTROL.has(op)) flush(op);
    else if (op === "(" || op === ")") flush(";");
    else current.push(op); // redirections stay as words: `>`, `>>`, `2>`
  };
  for (const line of lines) {
    current = [];
    previous = undefined;
    pipe = false;
    scanShell(line, word, operator);
    flush();
  }
  return commands;
}

const COMMENT_LINE = /^\s*#/;

const CONTROL = new Set(["&&", "||", ";", "|", "&", ";;", "|&"]);

/**
 * The command without leading `VAR=value` assignments and wrappers like `sudo`, `env`, `exec`.
 * Most commands have none: then the words themselves are returned (shared: do not modify).
 */
export function effectiveArgv(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length) {
    const word = argv[i] ?? "";
    if (isAssignmentWord(word)) i++;
    else if (word === "sudo" || word === "exec" || word === "env" || word === "nohup" || word === "time") i++;
    else if (word === "--" && i > 0) i++;
    else break;
  }
  return i === 0 ? argv : argv.slice(i);
}

/** `/^[A-Za-z_][A-Za-z0-9_]*=/` (`NAME=value`), read by hand: it is asked of nearly every command. */
function isAssignmentWord(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (code === 61) return i > 0; // `=`
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
    if (!letter && !(i > 0 && code >= 48 && code <= 57)) return false;
  }
  return false;
}

/** The program a word names (`/usr/bin/npm` → `npm`). */
export function programName(word: string | undefined): string {
  const text = word ?? "";
  const slash = text.lastIndexOf("/");
  return slash < 0 ? text : text.slice(slash + 1);
}

/** The program name of a command (`/usr/bin/npm` → `npm`). */
export function programOf(argv: string[]): string {
  return programName(effectiveArgv(argv)[0]);
}
