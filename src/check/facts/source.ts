/**
 * A text file as the checker sees it: content without BOM, with a line index so that offsets
 * and 1-based line/column positions convert both ways.
 */
import type { Position } from "../types.js";

export class SourceText {
  readonly path: string;
  readonly text: string;
  /** The byte-order mark was present (kept out of `text`; fixes put it back). */
  readonly bom: boolean;
  private readonly lineStarts: number[];

  constructor(path: string, raw: string) {
    this.path = path;
    this.bom = raw.charCodeAt(0) === 0xfeff;
    this.text = this.bom ? raw.slice(1) : raw;
    this.lineStarts = [0];
    for (let i = 0; i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): Position {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  /** 0-based offset of a 1-based line (and column). */
  offset(line: number, column = 1): number {
    const start = this.lineStarts[Math.min(Math.max(line, 1), this.lineStarts.length) - 1] ?? 0;
    return start + column - 1;
  }

  /** The text of a 1-based line, without its line ending. */
  line(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return "";
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    // Only a line that ends in `\r` (CRLF files) needs it cut.
    return end > start && this.text.charCodeAt(end - 1) === 13
      ? this.text.slice(start, end - 1)
      : this.text.slice(start, end);
  }

  /** The line ending the file uses, so inserted lines match it. */
  get eol(): string {
    return this.text.includes("\r\n") ? "\r\n" : "\n";
  }
}
