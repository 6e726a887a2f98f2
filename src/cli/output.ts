/**
 * Everything the CLI prints goes through an Output: results to stdout, progress and diagnostics
 * to stderr, colours only where wanted (NO_COLOR, --no-color, FORCE_COLOR, a terminal).
 */
import pc from "picocolors";

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
}

export type Colors = ReturnType<typeof pc.createColors>;

/** Colour decision, in the order the conventions give it: --no-color, NO_COLOR, FORCE_COLOR, a TTY. */
export function wantsColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, stream: Stream): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export interface OutputOptions {
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

export class Output {
  readonly colors: Colors;
  /** Whether stdout gets colours (reports that colour themselves ask this). */
  readonly colorEnabled: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  private readonly io: CliIO;

  constructor(io: CliIO, options: OutputOptions = {}) {
    this.io = io;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.colorEnabled = wantsColor(options.color, io.env, io.stdout);
    this.colors = pc.createColors(this.colorEnabled);
  }

  /** The command's result: always printed, to stdout. */
  result(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Progress and informational lines: stderr, silenced by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** Detail for --verbose only. */
  debug(text: string): void {
    if (this.verbose) this.io.stderr.write(`${this.colors.dim(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.colors.yellow("warning:")} ${text}\n`);
  }

  /** An error line (never silenced), with an optional hint on the next line. */
  error(text: string, hint?: string): void {
    this.io.stderr.write(`${this.colors.red("error:")} ${text}\n`);
    if (hint) this.io.stderr.write(`${this.colors.dim(`hint: ${hint}`)}\n`);
  }
}
