/**
 * dockerfile-ast re-tokenizes an instruction's arguments on every call of `getRawArguments()`,
 * and its own parser calls it five times per RUN/COPY/CMD (a heredoc probe, the JSON-form
 * constructor twice over, flags) before our facts ask again. Worse, its parser builds every
 * instruction with arguments twice (once to probe for heredocs, once to keep), and each copy
 * tokenizes again. The arguments depend only on the document text, the instruction's ranges and
 * the escape character, none of which change after parsing: they are kept per document, keyed by
 * those ranges, so each instruction is tokenized once per parse. Only the document being parsed
 * (the latest one) is remembered: nothing is shared between parses.
 * Callers receive a copy because `ModifiableInstruction.getArguments()` shifts the flags off
 * the array it is given.
 *
 * The heredoc probe itself (a whole instruction object, flags and JSON form included, built only
 * to look for `<<WORD` arguments) is skipped when the instruction has no `<` at all: it could
 * find nothing there.
 *
 * The constructor of every JSON-capable instruction (RUN, COPY, ADD, CMD, ENTRYPOINT, SHELL,
 * VOLUME) reads its arguments for a JSON array, tokenizing them (and their flags) to do so. An
 * instruction without a `[` on its line has no JSON array to find: the constructor leaves it as
 * it would have (no brackets, no strings) without tokenizing anything, and the arguments are
 * tokenized later only if something asks for them.
 */
import { type Dockerfile, Instruction, JSONInstruction } from "dockerfile-ast";
import { Parser } from "dockerfile-ast/lib/parser.js";
import { Util } from "dockerfile-ast/lib/util.js";

type RawArguments = ReturnType<Instruction["getArguments"]>;
/** `getRawArguments` is private in the typings; it is what the parser and every accessor call. */
interface Tokenizing {
  getRawArguments(this: Instruction): RawArguments;
}
interface Internals {
  document: unknown;
  escapeChar: string;
}

interface Entry {
  endLine: number;
  endCharacter: number;
  lastLine: number;
  lastCharacter: number;
  escapeChar: string;
  args: RawArguments;
}

const prototype = Instruction.prototype as unknown as Tokenizing;
const tokenize = prototype.getRawArguments;
let cachedDocument: unknown;
/** By start position (line and character in one number); the few entries there by end. */
let cached = new Map<number, Entry[]>();

prototype.getRawArguments = function getRawArgumentsOnce(this: Instruction): RawArguments {
  const { document, escapeChar } = this as unknown as Internals;
  if (document !== cachedDocument) {
    cachedDocument = document;
    cached = new Map();
  }
  const { start, end } = this.getInstructionRange();
  const last = this.getRange().end;
  const key = start.line * 4_294_967_296 + start.character;
  let entries = cached.get(key);
  if (entries === undefined) {
    entries = [];
    cached.set(key, entries);
  }
  for (const entry of entries) {
    if (
      entry.endLine === end.line &&
      entry.endCharacter === end.character &&
      entry.lastLine === last.line &&
      entry.lastCharacter === last.character &&
      entry.escapeChar === escapeChar
    )
      return entry.args.slice();
  }
  const args = tokenize.call(this);
  entries.push({
    endLine: end.line,
    endCharacter: end.character,
    lastLine: last.line,
    lastCharacter: last.character,
    escapeChar,
    args,
  });
  return args.slice();
};

interface ParserInternals {
  buffer: string;
  escapeChar: string;
  processArguments(
    dockerfile: Dockerfile,
    instruction: string,
    instructionEnd: number,
    start: number,
    offset: number,
  ): number;
  processHeredocs(instruction: Instruction, offset: number): number;
  processComment(dockerfile: Dockerfile, start: number): number;
  createInstruction(
    dockerfile: Dockerfile,
    instruction: string,
    start: number,
    instructionEnd: number,
    end: number,
  ): Instruction;
}

function hasLessThan(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 60) return true;
  return false;
}

function hasBracket(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 91) return true;
  return false;
}

interface ArgumentsContent {
  getRawArgumentsContent(this: Instruction): string | null;
}

/** Set while an instruction without `[` after its keyword is being constructed. */
let noJsonArray = false;
const argumentsContent = (Instruction.prototype as unknown as ArgumentsContent).getRawArgumentsContent;
// Only JSONInstruction's constructor reads this while `noJsonArray` is set: a `null` there ends
// the constructor just after it set no brackets and no strings, as its loop would have left them.
(JSONInstruction.prototype as unknown as ArgumentsContent).getRawArgumentsContent =
  function getRawArgumentsContent(this: Instruction): string | null {
    return noJsonArray ? null : argumentsContent.call(this);
  };

const createInstruction = (Parser.prototype as unknown as ParserInternals).createInstruction;
/** dockerfile-ast 0.7's `Parser.createInstruction`, telling the constructor when there is no JSON array to look for. */
(Parser.prototype as unknown as ParserInternals).createInstruction = function createInstructionOnce(
  this: ParserInternals,
  dockerfile: Dockerfile,
  instruction: string,
  start: number,
  instructionEnd: number,
  end: number,
): Instruction {
  noJsonArray = !hasBracket(this.buffer, instructionEnd, end);
  try {
    return createInstruction.call(this, dockerfile, instruction, start, instructionEnd, end);
  } finally {
    noJsonArray = false;
  }
};

/** dockerfile-ast 0.7's `Parser.processArguments`, with the heredoc probe skipped where it finds nothing. */
(Parser.prototype as unknown as ParserInternals).processArguments = function processArguments(
  this: ParserInternals,
  dockerfile: Dockerfile,
  instruction: string,
  instructionEnd: number,
  start: number,
  offset: number,
): number {
  const buffer = this.buffer;
  let escaped = false;
  argumentsCheck: for (let i = offset + 1; i < buffer.length; i++) {
    switch (buffer.charAt(i)) {
      case "\r":
      case "\n":
        if (escaped) continue;
        if (!hasLessThan(buffer, start, i)) return i;
        return this.processHeredocs(
          this.createInstruction(dockerfile, instruction, start, instructionEnd, i),
          i,
        );
      case this.escapeChar: {
        const next = buffer.charAt(i + 1);
        if (next === "\n" || next === "\r") {
          escaped = true;
          i++;
        } else if (next === " " || next === "\t") {
          for (let j = i + 2; j < buffer.length; j++) {
            switch (buffer.charAt(j)) {
              case " ":
              case "\t":
                break;
              case "\r":
              case "\n":
                escaped = true;
                i = j;
                continue argumentsCheck;
              default:
                i = j;
                continue argumentsCheck;
            }
          }
          // reached EOF
          return buffer.length;
        }
        continue;
      }
      case "#":
        if (escaped) {
          i = this.processComment(dockerfile, i);
          continue argumentsCheck;
        }
        break;
      case " ":
      case "\t":
        break;
      default:
        if (escaped) escaped = false;
        break;
    }
  }
  return buffer.length;
};

/**
 * dockerfile-ast 0.7's `Util.isUTF8BOM` encodes its argument to a Buffer, then copies it to an
 * array, to compare the first three bytes with EF BB BF (twice per parse). Only U+FEFF encodes
 * to those bytes first (a lone surrogate encodes to EF BF BD): the first UTF-16 unit says it.
 */
Util.isUTF8BOM = (char: string): boolean => char.charCodeAt(0) === 0xfeff;
