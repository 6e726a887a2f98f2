/**
 * A shell word splitter for reading scripts, not running them: words with quotes removed and
 * escapes applied, control operators (`&&`, `||`, `;`, `|`, `&`, `(`, `)`) and redirections as
 * separate tokens, `#` comments dropped. Expansions (`$X`, `${X:-y}`, `$(cmd)`, backticks) stay
 * as written. Hand-written because it runs on every RUN line of every Dockerfile: shell-quote
 * was half of the time spent reading a Dockerfile.
 */

export type ShellToken = { word: string } | { op: string };

const OPERATORS = [
  "&&",
  "||",
  ";;",
  "|&",
  ">>",
  "<<",
  ">&",
  "<&",
  "&>",
  ">|",
  ";",
  "|",
  "&",
  "(",
  ")",
  ">",
  "<",
];
const SPECIAL = new Set([";", "|", "&", "(", ")", ">", "<"]);

function isSpace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r";
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
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] ?? "";
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === "#") {
      // A comment runs to the end of the line.
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (SPECIAL.has(ch)) {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, i)) ?? ch;
      tokens.push({ op });
      i += op.length;
      continue;
    }
    let word = "";
    while (i < n) {
      const c = text[i] ?? "";
      if (isSpace(c) || SPECIAL.has(c)) break;
      if (c === "\\") {
        word += text[i + 1] ?? "";
        i += 2;
      } else if (c === "'") {
        const end = text.indexOf("'", i + 1);
        const stop = end < 0 ? n : end;
        word += text.slice(i + 1, stop);
        i = stop + 1;
      } else if (c === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          const d = text[i] ?? "";
          if (d === "\\" && i + 1 < n && '"\\$`\n'.includes(text[i + 1] ?? "")) {
            word += text[i + 1];
            i += 2;
          } else if (d === "$" || d === "`") {
            const length = expansionLength(text, i);
            word += text.slice(i, i + length);
            i += length;
          } else {
            word += d;
            i++;
          }
        }
        i++;
      } else if (c === "$" || c === "`") {
        const length = expansionLength(text, i);
        word += text.slice(i, i + length);
        i += length;
      } else {
        word += c;
        i++;
      }
    }
    // A redirection's file descriptor (`2>`) belongs to the operator, as shells read it.
    if (/^\d+$/.test(word) && (text[i] === ">" || text[i] === "<")) {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, i)) ?? text[i] ?? "";
      tokens.push({ op: word + op });
      i += op.length;
      continue;
    }
    tokens.push({ word });
  }
  return tokens;
}
