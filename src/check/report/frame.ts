/**
 * Code frames for terminal output: a source line (secrets masked by redactLine), tabs expanded,
 * control characters made visible, long lines windowed around the finding, and a caret line
 * under the reported span.
 */
import { redactLine } from "../facts/secrets.js";
import type { SourceText } from "../facts/source.js";
import type { Location } from "../types.js";

const TAB_WIDTH = 4;
/** Longest line shown in full; longer ones are cut to a window around the caret. */
const MAX_WIDTH = 140;

/** Make a terminal-hostile character visible (ESC, BEL, CR… as control pictures). */
function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return "\u2421";
  if (code >= 0x80 && code < 0xa0) return "\ufffd";
  return ch;
}

/** Text safe to print to a terminal: control characters (including ESC) shown as symbols, tabs as spaces. */
export function sanitize(text: string): string {
  let out = "";
  for (const ch of text) out += ch === "\t" ? " " : visible(ch);
  return out;
}

interface DisplayLine {
  text: string;
  /** Display column (0-based) of each character index of the redacted line, plus one past the end. */
  columns: number[];
}

function toDisplay(line: string): DisplayLine {
  let text = "";
  const columns: number[] = [];
  for (const ch of line) {
    for (let unit = 0; unit < ch.length; unit++) columns.push(text.length);
    if (ch === "\t") text += " ".repeat(TAB_WIDTH - (text.length % TAB_WIDTH));
    else text += visible(ch);
  }
  columns.push(text.length);
  return { text, columns };
}

/**
 * Where an index of the original line lands in the redacted one: unchanged before the first
 * masked part, shifted after the last, and at the start of the change inside it.
 */
function redactedIndex(original: string, redacted: string, index: number): number {
  if (original === redacted) return Math.min(index, redacted.length);
  let prefix = 0;
  while (prefix < original.length && prefix < redacted.length && original[prefix] === redacted[prefix])
    prefix++;
  let suffix = 0;
  while (
    suffix < original.length - prefix &&
    suffix < redacted.length - prefix &&
    original[original.length - 1 - suffix] === redacted[redacted.length - 1 - suffix]
  )
    suffix++;
  if (index <= prefix) return index;
  if (index >= original.length - suffix) return Math.max(prefix, index - original.length + redacted.length);
  return prefix;
}

export interface FrameOptions {
  /** Colour the gutter (line numbers, `|`). */
  gutter: (text: string) => string;
  /** Colour the caret line. */
  caret: (text: string) => string;
  /** Plain ASCII only (`...` for a cut line). */
  ascii: boolean;
  indent: string;
}

/**
 * The frame for a location: the line (and the one above it when it leads into it: a `\`
 * continuation, or a less indented line such as the parent of a YAML key), then a caret under
 * the span. Empty when the line is not in the source.
 */
export function codeFrame(source: SourceText, location: Location, options: FrameOptions): string[] {
  const lineNo = location.line;
  if (!Number.isInteger(lineNo) || lineNo < 1 || lineNo > source.lineCount) return [];
  const original = source.line(lineNo);
  if (lineNo === source.lineCount && original === "" && lineNo > 1) return [];
  const numbers: number[] = [];
  const above = lineNo > 1 ? source.line(lineNo - 1) : "";
  const indent = (text: string) => (/^[ \t]*/.exec(text)?.[0] ?? "").length;
  const leadsIn = /\\\s*$/.test(above) || (indent(original) > 0 && indent(above) < indent(original));
  if (lineNo > 1 && above.trim() !== "" && leadsIn) numbers.push(lineNo - 1);
  numbers.push(lineNo);

  const redacted = redactLine(original);
  const shown = toDisplay(redacted);
  const at = (index: number) => shown.columns[Math.max(0, Math.min(index, redacted.length))] ?? 0;
  const startIndex = redactedIndex(original, redacted, Math.max(0, location.column - 1));
  let endIndex: number;
  if (location.endLine !== undefined && location.endLine > lineNo) endIndex = redacted.length;
  else if (
    location.endLine === lineNo &&
    location.endColumn !== undefined &&
    location.endColumn > location.column
  )
    endIndex = redactedIndex(original, redacted, location.endColumn - 1);
  else {
    // No end given: underline the word at the column (`node:latest`, `ADD`, `image:`).
    endIndex = startIndex;
    while (endIndex < redacted.length && !/\s/.test(redacted[endIndex] ?? " ")) endIndex++;
  }
  const caretStart = at(startIndex);
  const caretLength = Math.max(1, at(endIndex) - caretStart);

  // Window long lines around the caret (the same window for the context line).
  const ellipsis = options.ascii ? "..." : "…";
  const windowStart =
    shown.text.length > MAX_WIDTH ? Math.max(0, Math.min(caretStart - 40, shown.text.length - MAX_WIDTH)) : 0;
  const cut = (text: string): string => {
    if (text.length <= MAX_WIDTH && windowStart === 0) return text;
    const body = text.slice(windowStart, windowStart + MAX_WIDTH);
    return `${windowStart > 0 ? ellipsis : ""}${body}${windowStart + MAX_WIDTH < text.length ? ellipsis : ""}`;
  };
  const shift = windowStart > 0 ? ellipsis.length - windowStart : 0;

  const width = String(lineNo).length;
  const out: string[] = [];
  for (const n of numbers) {
    const text = n === lineNo ? shown.text : toDisplay(redactLine(source.line(n))).text;
    const body = cut(text);
    out.push(
      `${options.indent}${options.gutter(`${String(n).padStart(width)} |`)}${body === "" ? "" : ` ${body}`}`,
    );
  }
  const visibleLength = Math.max(1, Math.min(caretLength, MAX_WIDTH - (caretStart - windowStart)));
  out.push(
    `${options.indent}${options.gutter(`${" ".repeat(width)} |`)} ${" ".repeat(Math.max(0, caretStart + shift))}${options.caret("^".repeat(visibleLength))}`,
  );
  return out;
}
