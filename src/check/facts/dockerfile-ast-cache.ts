/**
 * dockerfile-ast re-tokenizes an instruction's arguments on every call of `getRawArguments()`,
 * and its own parser calls it five times per RUN/COPY/CMD (a heredoc probe, the JSON-form
 * constructor twice over, flags) before our facts ask again. The arguments depend only on the
 * document text, which never changes after parsing, so each instance keeps its first result.
 * Callers receive a copy because `ModifiableInstruction.getArguments()` shifts the flags off
 * the array it is given.
 */
import { Instruction } from "dockerfile-ast";

type RawArguments = ReturnType<Instruction["getArguments"]>;
/** `getRawArguments` is private in the typings; it is what the parser and every accessor call. */
interface Tokenizing {
  getRawArguments(this: Instruction): RawArguments;
}

const prototype = Instruction.prototype as unknown as Tokenizing;
const cached = new WeakMap<Instruction, RawArguments>();
const tokenize = prototype.getRawArguments;

prototype.getRawArguments = function getRawArgumentsOnce(this: Instruction): RawArguments {
  let args = cached.get(this);
  if (args === undefined) {
    args = tokenize.call(this);
    cached.set(this, args);
  }
  return args.slice();
};
