/**
 * Shell scripts (RUN, shell-form CMD, package.json scripts) as a list of simple commands,
 * each with its argv and the operator that joins it to the next. Quoting is shell-quote's;
 * variables stay unexpanded (`$X` is kept as written) because their values are not known.
 */
import { parse } from "shell-quote";

export interface ShellCommand {
  argv: string[];
  /** The operator after this command: `&&`, `||`, `;`, `|`, `&` or undefined at the end. */
  next?: string;
  /** The command piped into this one (`curl … | sh` → sh's pipedFrom is curl). */
  pipedFrom?: ShellCommand;
  /** The command's own text, for locating it in the file. */
  text: string;
}

const keepVariables = (name: string): string => `$${name}`;
/** Stands in for a `#` inside a word while shell-quote parses (a private-use character). */
const HASH = "\uE000";

/** Split a script into simple commands. Never throws: unparseable text yields its words. */
export function parseShell(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  // Lines are separate commands unless continued; comments end at the line.
  const lines = script
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line));
  for (const line of lines) {
    let tokens: ReturnType<typeof parse>;
    // A `#` inside a word (`repo.git#main`) is not a comment, but shell-quote reads it as one.
    const protectedLine = line.replace(/(?<=\S)#/g, HASH);
    try {
      tokens = parse(protectedLine, keepVariables).map((token) =>
        typeof token === "string"
          ? token.replaceAll(HASH, "#")
          : "pattern" in token
            ? { ...token, pattern: token.pattern.replaceAll(HASH, "#") }
            : token,
      );
    } catch {
      tokens = line.split(/\s+/).filter(Boolean);
    }
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
    for (const token of tokens) {
      if (typeof token === "string") {
        current.push(token);
      } else if ("op" in token) {
        if (token.op === "glob") current.push((token as { pattern: string }).pattern);
        else if (["&&", "||", ";", "|", "&", ";;", "|&"].includes(token.op)) flush(token.op);
        else if (token.op === "(" || token.op === ")") flush(";");
        else current.push(token.op); // redirections stay as words: `>`, `>>`, `<`
      } else if ("comment" in token) {
        break;
      }
    }
    flush();
  }
  return commands;
}

/** The command without leading `VAR=value` assignments and wrappers like `sudo`, `env`, `exec`. */
export function effectiveArgv(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length) {
    const word = argv[i] ?? "";
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (word === "sudo" || word === "exec" || word === "env" || word === "nohup" || word === "time") i++;
    else if (word === "--" && i > 0) i++;
    else break;
  }
  return argv.slice(i);
}

/** The program name of a command (`/usr/bin/npm` → `npm`). */
export function programOf(argv: string[]): string {
  const first = effectiveArgv(argv)[0] ?? "";
  const slash = first.lastIndexOf("/");
  return slash < 0 ? first : first.slice(slash + 1);
}
