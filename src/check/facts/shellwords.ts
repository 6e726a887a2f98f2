/**
 * A shell word splitter for reading scripts, not running them: words with quotes removed and
 * escapes applied, control operators (`&&`, `||`, `;`, `|`, `&`, `(`, `)`) and redirections as
 * separate tokens, `#` comments dropped. Expansions (`$X`, `${X:-y}`, `$(cmd)`, backticks) stay
 * as written. Hand-written because it runs on every RUN line of every Dockerfile: shell-quote
 * was half of the time spent reading a Dockerfile.
 */

export type ShellToken = { word: string } | { op: string };

/** Two-character operators; they win over the single characters they start with. */
const TWO_CHAR_OPERATORS = new Set(["&&", "||", ";;", "|&", ">>", "<<", ">&", "<&", "&>", ">|"]);

/** `;`, `|`, `&`, `(`, `)`, `>`, `<`: characters that end a word and start an operator. */
function isSpecialCode(code: number): boolean {
  return (
    code === 59 || code === 124 || code === 38 || code === 40 || code === 41 || code === 62 || code === 60
  );
}

function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** The operator at `i`, which starts with a special character: the longest that fits. */
function operatorAt(text: string, i: number): string {
  const two = text.slice(i, i + 2);
  return TWO_CHAR_OPERATORS.has(two) ? two : (text[i] ?? "");
}

/** Characters a word copies as they are (no quote, escape, expansion, blank or operator). */
function isPlainCode(code: number): boolean {
  return !(
    isSpaceCode(code) ||
    isSpecialCode(code) ||
    code === 92 || // \
    code === 39 || // '
    code === 34 || // "
    code === 36 || // $
    code === 96 // `
  );
}

/** Characters inside double quotes that are copied as they are. */
function isPlainInDoubleQuotes(code: number): boolean {
  return code !== 34 && code !== 92 && code !== 36 && code !== 96;
}

/** Length of an expansion starting at `$` (or a backtick), with nested brackets and quotes. */
function expansionLength(text: string, start: number): number {
  const ch = text[start];
  if (ch === "`") {
    const end = text.indexOf("`", start + 1);
    return end < 0 ? text.length - start : end - start + 1;
  }
  const open = text[start + 1];
  if (open !== "{" && open !== "(") return 1;
  const close = open === "{" ? "}" : ")";
  let depth = 0;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      i++;
    } else if (c === "'" && open === "(") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return text.length - start;
      i = end;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return i - start + 1;
  }
  return text.length - start;
}

export function shellTokens(text: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  scanShell(
    text,
    (word) => tokens.push({ word }),
    (op) => tokens.push({ op }),
  );
  return tokens;
}

/** The tokens of `shellTokens`, handed over one by one (no token objects: parseShell reads them as they come). */
export function scanShell(text: string, onWord: (word: string) => void, onOp: (op: string) => void): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (isSpaceCode(code)) {
      i++;
      continue;
    }
    if (code === 35) {
      // A comment (`#`) runs to the end of the line.
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (isSpecialCode(code)) {
      const op = operatorAt(text, i);
      onOp(op);
      i += op.length;
      continue;
    }
    // Runs of plain characters are copied with one slice, not character by character.
    let word = "";
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isPlainCode(c)) {
        let j = i + 1;
        while (j < n && isPlainCode(text.charCodeAt(j))) j++;
        word += text.slice(i, j);
        i = j;
      } else if (isSpaceCode(c) || isSpecialCode(c)) {
        break;
      } else if (c === 92) {
        word += text[i + 1] ?? "";
        i += 2;
      } else if (c === 39) {
        const end = text.indexOf("'", i + 1);
        const stop = end < 0 ? n : end;
        word += text.slice(i + 1, stop);
        i = stop + 1;
      } else if (c === 34) {
        i++;
        while (i < n && text.charCodeAt(i) !== 34) {
          const d = text.charCodeAt(i);
          if (isPlainInDoubleQuotes(d)) {
            let j = i + 1;
            while (j < n && isPlainInDoubleQuotes(text.charCodeAt(j))) j++;
            word += text.slice(i, j);
            i = j;
          } else if (d === 92 && i + 1 < n && '"\\$`\n'.includes(text[i + 1] ?? "")) {
            word += text[i + 1];
            i += 2;
          } else if (d === 36 || d === 96) {
            const length = expansionLength(text, i);
            word += text.slice(i, i + length);
            i += length;
          } else {
            word += text[i];
            i++;
          }
        }
        i++;
      } else {
        // `$` or a backtick.
        const length = expansionLength(text, i);
        word += text.slice(i, i + length);
        i += length;
      }
    }
    // A redirection's file descriptor (`2>`) belongs to the operator, as shells read it.
    if ((text[i] === ">" || text[i] === "<") && /^\d+$/.test(word)) {
      const op = operatorAt(text, i);
      onOp(word + op);
      i += op.length;
      continue;
    }
    onWord(word);
  }
}
