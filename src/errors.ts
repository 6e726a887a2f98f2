/**
 * Errors that end a command with a clear one-line message instead of a stack trace.
 * The CLI prints `message` (and `hint` when present) and exits with `exitCode`.
 */
export class ShipshapeError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

/** The user asked for something that cannot be done as asked (exit 2). */
export class UsageError extends ShipshapeError {}

/** A file the user gave us is malformed; names the file and, when known, the line (exit 2). */
export class InputError extends ShipshapeError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, problem: string, hint?: string) {
    super(`${line === undefined ? file : `${file}:${line}`}: ${problem}`, hint === undefined ? {} : { hint });
    this.file = file;
    this.line = line;
  }
}

/** No Docker engine answered where we looked (exit 2: nothing was checked). */
export class EngineUnavailableError extends ShipshapeError {}

/** The engine answered but refused or failed an operation. */
export class EngineError extends ShipshapeError {}
