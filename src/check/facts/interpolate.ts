/**
 * Variable substitution as Compose and the Dockerfile frontend do it: `$X`, `${X}`,
 * `${X:-default}`, `${X-default}`, `${X:+alternative}`, `${X+alternative}`, `${X:?error}`,
 * `${X?error}`, with defaults that hold variables themselves (`${IMAGE:-node:${NODE:-20}}`).
 *
 * Two ways to treat what is not known, for the two kinds of callers:
 * - `keep` (check's facts): an unknown variable stays as written, so the result still says it is
 *   unresolved (`node:${TAG}`) and no rule judges a value nobody chose;
 * - `empty` (verify, which runs the stack): an unknown variable becomes "" as Compose makes it,
 *   and is listed in `missing`.
 * `$$` is a literal `$` in Compose (`dollarEscape`); a Dockerfile escapes with `\$` instead.
 */

export interface InterpolateOptions {
  unknown: "keep" | "empty";
  /** `$$` stands for one literal `$` (Compose). */
  dollarEscape: boolean;
}

export interface Interpolated {
  text: string;
  /** Variables used with no value and no default (each once, in order). */
  missing: string[];
}

const MAX_NESTING = 16;
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * The index of the `}` that closes a `${` whose body starts at `from`, or -1. `budget.left`
 * bounds the characters all calls on one text may scan: a line of unclosed `${` would otherwise
 * rescan to its end from each of them (quadratic); past the budget a `${` counts as unclosed.
 */
function closingBrace(text: string, from: number, budget: { left: number }): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (--budget.left < 0) return -1;
    const ch = text[i];
    if (ch === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

export function interpolate(
  text: string,
  values: ReadonlyMap<string, string | undefined>,
  options: InterpolateOptions,
): Interpolated {
  const missing: string[] = [];
  const out = substitute(text, values, options, missing, { left: 8 * text.length + 64 });
  return { text: out, missing };
}

function substitute(
  text: string,
  values: ReadonlyMap<string, string | undefined>,
  options: InterpolateOptions,
  missing: string[],
  budget: { left: number },
  depth = 0,
): string {
  let dollar = text.indexOf("$");
  // Defaults nested past any real use are left as written rather than recursed into.
  if (dollar < 0 || depth > MAX_NESTING) return text;
  let out = "";
  let copied = 0;
  const miss = (name: string) => {
    if (!missing.includes(name)) missing.push(name);
  };
  while (dollar >= 0) {
    out += text.slice(copied, dollar);
    const next = text[dollar + 1];
    let end = dollar + 1; // where the text after this `$` form resumes
    let replacement = "$";
    if (next === "$" && options.dollarEscape) {
      end = dollar + 2;
    } else if (next === "{") {
      const close = closingBrace(text, dollar + 2, budget);
      const body = close < 0 ? "" : text.slice(dollar + 2, close);
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body)?.[0];
      if (close >= 0 && name) {
        end = close + 1;
        const whole = text.slice(dollar, end);
        const rest = body.slice(name.length);
        const op = /^:?[-+?]/.exec(rest)?.[0];
        const word = op ? rest.slice(op.length) : "";
        const value = values.get(name);
        const set = value !== undefined && (value !== "" || !op?.startsWith(":"));
        if (rest !== "" && !op) {
          // A form this does not know (`${X#prefix}`, `${X/a/b}`): as written.
          replacement = whole;
        } else if (op === ":-" || op === "-") {
          replacement = set
            ? (value as string)
            : substitute(word, values, options, missing, budget, depth + 1);
        } else if (op === ":+" || op === "+") {
          replacement = set ? substitute(word, values, options, missing, budget, depth + 1) : "";
        } else if (set || value !== undefined) {
          replacement = value as string;
        } else {
          miss(name);
          replacement = options.unknown === "keep" ? whole : "";
        }
      }
      // Not a variable (`${`, `${1}`, no closing brace): the `$` is literal.
    } else if (next !== undefined && NAME_START.test(next)) {
      end = dollar + 2;
      while (end < text.length && NAME_PART.test(text[end] as string)) end++;
      const name = text.slice(dollar + 1, end);
      const value = values.get(name);
      if (value !== undefined) replacement = value;
      else {
        miss(name);
        replacement = options.unknown === "keep" ? text.slice(dollar, end) : "";
      }
    }
    out += replacement;
    copied = end;
    dollar = text.indexOf("$", end);
  }
  return out + text.slice(copied);
}
