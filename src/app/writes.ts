/**
 * What the app writes at run time: the directories (and files, such as a SQLite database) its code
 * creates or writes to, resolved to paths relative to the app's directory. The image must create
 * them owned by its non-root user and mount a volume there, or a read-only root file system breaks
 * the app (EROFS) and a root-owned WORKDIR does too (EACCES).
 *
 * Node: `fs` / `fs/promises` / `fs-extra` mkdir, writeFile, appendFile, createWriteStream, open with
 * a write flag; multer `dest` and `diskStorage({ destination })`; `new Database("data/app.db")`
 * (better-sqlite3, sqlite3); winston's File transport. Python: `os.makedirs`, `os.mkdir`,
 * `Path(…).mkdir`, `open(…, "w"|"a")`, `Path.write_text`, `sqlite3.connect`, logging file handlers,
 * Django's `MEDIA_ROOT` and sqlite `NAME`, Flask's `UPLOAD_FOLDER`.
 *
 * Paths are evaluated from what the code says: string literals, `path.join`/`path.resolve` of
 * `__dirname` (where the file runs: a TypeScript file compiled by tsc runs from the build's outDir,
 * mirrored from rootDir), `process.cwd()` (the image's WORKDIR, the app's directory), constants
 * (also imported ones), object keys, env reads with a literal default (`process.env.UPLOAD_DIR ||
 * "uploads"`), Python's `Path(__file__).resolve().parent / "media"` and `os.path.join`. Temporary
 * directories (`/tmp`, `os.tmpdir()`, `tempfile`), absolute system paths and `node_modules` are not
 * reported. A path detection cannot settle is reported unsure, with its evidence, never guessed.
 * Pure: the tree in, the paths out.
 */
import { posix } from "node:path";
import type { SourceText } from "../check/facts/source.js";
import { baseName, CODE_FILE, type ProjectTree } from "../check/facts/tree.js";
import { tsconfigOut } from "./node.js";
import type { BuildStep, Detected, Evidence, Stack } from "./types.js";

/** The app root as a virtual absolute path, so that `..` and absolute paths resolve with posix. */
const ROOT = "/__app__";
/** The app's directory in the image init writes (its WORKDIR): `/app/uploads` is the app's `uploads`. */
const IMAGE_ROOT = "/app";

/** Modules whose functions write files (named imports and namespaces are tracked per file). */
const FS_MODULES = /^(?:node:)?fs(?:\/promises)?$|^fs-extra$|^graceful-fs$|^mkdirp$/;

const DIR_METHODS = new Set(["mkdir", "mkdirSync", "ensureDir", "ensureDirSync", "mkdirp", "mkdirpSync"]);
const FILE_METHODS = new Set([
  "writeFile",
  "writeFileSync",
  "appendFile",
  "appendFileSync",
  "createWriteStream",
  "outputFile",
  "outputFileSync",
  "outputJson",
  "outputJsonSync",
]);
const OPEN_METHODS = new Set(["open", "openSync"]);

export interface WritesInput {
  stack: Stack;
  /** The app's directory relative to the project root. */
  dir: string;
  kind: "server" | "next-standalone" | "static";
  build?: BuildStep;
  /** Source files of the project (appFacts().sourceFiles): only the app's are read. */
  sourceFiles: string[];
}

/** A value an expression evaluates to. */
type Value =
  | { t: "str"; s: string }
  | { t: "path"; p: string; exact: boolean }
  | { t: "tmp" }
  | { t: "env"; name: string }
  | { t: "dyn"; text: string };

interface FileContext {
  file: string;
  source: SourceText;
  python: boolean;
  /** Where the file runs (its directory), as a virtual absolute path; undefined: not known. */
  here?: string;
  /** Functions imported from path / node:path under these local names (`join`, `resolve`). */
  pathFns: Set<string>;
}

interface Found {
  /** Relative to the app root, or undefined when the path could not be resolved. */
  path?: string;
  sure: boolean;
  how: string;
  evidence: Evidence[];
}

interface Evaluation {
  value: Value;
  /** Env variables whose literal default the value took. */
  envDefaults: string[];
  /** Definitions followed (constants, object keys), for the evidence. */
  via: Evidence[];
  /** `__dirname` / `__file__` was used: the file's location matters. */
  usedHere: boolean;
}

function lineAt(source: SourceText, offset: number): number {
  return source.position(offset).line;
}

function evidence(source: SourceText, offset: number): Evidence {
  const line = lineAt(source, offset);
  return { file: source.path, line, text: source.line(line).trim().slice(0, 160) };
}

const OPENS = "([{";
const CLOSES = ")]}";

/**
 * Walks code from `from`, skipping string literals: `visit` sees every other character with its
 * index and the bracket depth before it, then brackets change the depth. A number `visit` returns
 * ends the walk with it; a walk that reaches the end returns the text's length.
 */
function walkCode(
  text: string,
  from: number,
  visit: (char: string, index: number, depth: number) => number | undefined,
): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"' || char === "'" || char === "`") {
      i = stringEnd(text, i) - 1;
      continue;
    }
    const stop = visit(char, i, depth);
    if (stop !== undefined) return stop;
    if (OPENS.includes(char)) depth++;
    else if (CLOSES.includes(char)) depth--;
  }
  return text.length;
}

/** The index just past the bracket that closes the one at `open` (strings and nesting respected). */
function closing(text: string, open: number): number {
  return walkCode(text, open, (char, index, depth) =>
    depth === 1 && CLOSES.includes(char) ? index + 1 : undefined,
  );
}

/** The index just past a string literal starting at `start`. */
function stringEnd(text: string, start: number): number {
  const quote = text[start]!;
  const triple = text.startsWith(quote.repeat(3), start) && quote !== "`";
  if (triple) {
    const end = text.indexOf(quote.repeat(3), start + 3);
    return end < 0 ? text.length : end + 3;
  }
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") i++;
    else if (char === quote) return i + 1;
    else if (char === "\n" && quote !== "`") return i;
  }
  return text.length;
}

/** Top-level comma-separated parts of the text between the brackets at `open` and its match. */
function argumentsAt(text: string, open: number): string[] {
  const end = closing(text, open);
  const inner = text.slice(open + 1, end - 1);
  const parts: string[] = [];
  let start = 0;
  walkCode(inner, 0, (char, index, depth) => {
    if (char === "," && depth === 0) {
      parts.push(inner.slice(start, index).trim());
      start = index + 1;
    }
    return undefined;
  });
  const last = inner.slice(start).trim();
  if (last !== "" || parts.length > 0) parts.push(last);
  return parts;
}

/** An expression's text from `start` to a `;`, a line end, or a closing bracket at depth 0. */
function expressionAt(text: string, start: number): string {
  const end = walkCode(text, start, (char, index, depth) => {
    if (depth !== 0) return undefined;
    if (CLOSES.includes(char) || char === ";" || char === ",") return index;
    // A line that ends in an operator continues on the next one.
    if (char === "\n")
      return /(?:\|\||\?\?|\+|\/|\bor)\s*$/.test(text.slice(start, index)) ? undefined : index;
    if (char === "#" && text[index - 1] !== "{") return index;
    return undefined;
  });
  return text.slice(start, end).trim();
}

/** Whether `offset` is inside a comment (the line starts one, or `//` / `#` comes before it). */
function inComment(source: SourceText, offset: number, python: boolean): boolean {
  const { line, column } = source.position(offset);
  const before = source.line(line).slice(0, column - 1);
  if (python) return /^\s*#/.test(before) || /#[^"']*$/.test(before);
  return /^\s*(?:\/\/|\*|\/\*)/.test(before) || /(?:^|\s)\/\/[^"'`]*$/.test(before);
}

// ---- the expression evaluator ----------------------------------------------------------------

type Token =
  | { k: "str"; s: string; template?: string }
  | { k: "id"; s: string }
  | { k: "num"; s: string }
  | { k: "op"; s: string };

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    // Python string prefixes: r"…", f"…", b"…", rb"…", fr"…".
    const prefix = /^([rRfFbBuU]{1,2})(?=["'])/.exec(text.slice(i, i + 3));
    if (prefix?.[1] && /^(?:[rRbBuU]|[fF]|[rR][fFbB]|[fFbB][rR])$/.test(prefix[1])) {
      const start = i + prefix[1].length;
      const end = stringEnd(text, start);
      const body = text.slice(start + 1, end - 1);
      tokens.push(
        /[fF]/.test(prefix[1])
          ? { k: "str", s: body, template: body.replace(/\{([^{}]*)\}/g, "${$1}") }
          : { k: "str", s: body },
      );
      i = end;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      const end = stringEnd(text, i);
      const triple = text.startsWith(char.repeat(3), i) && char !== "`";
      const body = triple ? text.slice(i + 3, end - 3) : text.slice(i + 1, end - 1);
      tokens.push(
        char === "`" && body.includes("${") ? { k: "str", s: body, template: body } : { k: "str", s: body },
      );
      i = end;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(text.slice(i));
    if (id) {
      tokens.push({ k: "id", s: id[0] });
      i += id[0].length;
      continue;
    }
    const num = /^\d+(?:\.\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ k: "num", s: num[0] });
      i += num[0].length;
      continue;
    }
    const op = /^(?:\|\||\?\?|\?\.|===|!==|==|!=|=>|[()[\]{},.+/:?!=<>*%&|-])/.exec(text.slice(i));
    if (!op) return undefined;
    tokens.push({ k: "op", s: op[0] });
    i += op[0].length;
  }
  return tokens;
}

const DYN = (text: string): Value => ({ t: "dyn", text });

class Evaluator {
  private depth = 0;
  constructor(
    private readonly defs: Definitions,
    private readonly contextOf: (file: string) => FileContext | undefined,
  ) {}

  evaluate(text: string, context: FileContext): Evaluation {
    const evaluation: Evaluation = { value: DYN(text), envDefaults: [], via: [], usedHere: false };
    const tokens = tokenize(text);
    if (!tokens) return evaluation;
    const parser = new Parser(tokens, text, context, this, evaluation);
    const value = parser.expression();
    evaluation.value = parser.done() ? value : DYN(text);
    return evaluation;
  }

  /** The value of a name: a constant of this file, else the one definition in the app. */
  resolveName(name: string, context: FileContext, evaluation: Evaluation, key = false): Value {
    if (this.depth > 8) return DYN(name);
    const local = (key ? this.defs.keys : this.defs.names).get(name) ?? [];
    const candidates = local.filter((def) => def.file === context.file);
    const chosen = candidates.length > 0 ? candidates : local;
    const values = new Map<string, { value: Value; def: Definition; evaluation: Evaluation }>();
    for (const def of chosen) {
      const defContext = this.contextOf(def.file);
      if (!defContext) continue;
      this.depth++;
      const inner = this.evaluate(def.expression, defContext);
      this.depth--;
      if (inner.value.t === "dyn") continue;
      values.set(JSON.stringify(inner.value), { value: inner.value, def, evaluation: inner });
    }
    // Several definitions that disagree: not one path.
    if (values.size !== 1) return DYN(name);
    const [{ value, def, evaluation: inner }] = [...values.values()] as [
      { value: Value; def: Definition; evaluation: Evaluation },
    ];
    evaluation.via.push(def.evidence, ...inner.via);
    evaluation.envDefaults.push(...inner.envDefaults);
    if (inner.usedHere) evaluation.usedHere = true;
    return value;
  }
}

interface Definition {
  file: string;
  expression: string;
  evidence: Evidence;
}

interface Definitions {
  /** `const NAME = …`, `NAME = …` (Python). */
  names: Map<string, Definition[]>;
  /** Object keys and config entries: `uploadDir: …`, `app.config["UPLOAD_FOLDER"] = …`. */
  keys: Map<string, Definition[]>;
}

function asPath(value: Value, context: FileContext, exact = true): Value {
  if (value.t === "str") {
    if (value.s === "") return DYN('""');
    const resolved = value.s.startsWith("/") ? posix.normalize(value.s) : posix.join(ROOT, value.s);
    return { t: "path", p: resolved, exact };
  }
  if (value.t === "path") return value;
  void context;
  return value;
}

/** path.join: strings and paths, the first segment decides the base. */
function joinValues(values: Value[], context: FileContext, resolve: boolean): Value {
  let current: { t: "str"; s: string } | { t: "path"; p: string; exact: boolean } | undefined;
  let exact = true;
  for (const value of values) {
    if (value.t === "tmp") return value;
    if (value.t === "dyn" || value.t === "env") {
      // A dynamic tail below a known directory: the directory is known (a file or subdir in it).
      if (current && current.t === "path") {
        exact = false;
        break;
      }
      return value;
    }
    const piece = value.t === "str" ? value.s : value.p;
    if (current === undefined) {
      current =
        value.t === "path"
          ? value
          : resolve && !piece.startsWith("/")
            ? { t: "path", p: posix.join(ROOT, piece), exact: true }
            : { t: "str", s: piece };
      continue;
    }
    const base = current.t === "path" ? current.p : current.s;
    const next = resolve && piece.startsWith("/") ? piece : posix.join(base, piece);
    current =
      current.t === "path" || next.startsWith("/")
        ? { t: "path", p: next, exact: true }
        : { t: "str", s: next };
    if (value.t === "path" && !value.exact) exact = false;
  }
  if (!current) return DYN("");
  if (current.t === "path") return { ...current, exact: current.exact && exact };
  if (resolve) return asPath(current, context, exact);
  return exact ? current : { t: "path", p: posix.join(ROOT, current.s), exact: false };
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
    private readonly context: FileContext,
    private readonly evaluator: Evaluator,
    private readonly evaluation: Evaluation,
  ) {}

  done(): boolean {
    return this.i >= this.tokens.length;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private isOp(s: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.k === "op" && token.s === s;
  }

  private isId(s: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.k === "id" && token.s === s;
  }

  expression(): Value {
    let left = this.additive();
    while (this.isOp("||") || this.isOp("??") || this.isId("or")) {
      this.i++;
      const right = this.additive();
      // `process.env.X || "uploads"`: the default is what runs when X is not set.
      if (left.t === "env") {
        this.evaluation.envDefaults.push(left.name);
        left = right;
      } else if (left.t === "dyn") left = DYN(this.text);
    }
    return left;
  }

  private additive(): Value {
    let left = this.postfix();
    while (this.isOp("+") || this.isOp("/")) {
      const op = (this.peek() as Token).s;
      this.i++;
      const right = this.postfix();
      if (op === "+") {
        if (left.t === "str" && right.t === "str") left = { t: "str", s: left.s + right.s };
        else if (left.t === "path" && right.t === "str")
          left = { t: "path", p: posix.normalize(left.p + right.s), exact: left.exact };
        else if (left.t === "tmp") left = { t: "tmp" };
        else if (left.t === "path") left = { ...left, exact: false };
        else left = DYN(this.text);
      } else {
        // Python's pathlib `/`.
        if (!this.context.python) return DYN(this.text);
        left = left.t === "tmp" ? left : joinValues([left, right], this.context, false);
      }
    }
    return left;
  }

  private args(): Value[] | undefined {
    if (!this.isOp("(")) return undefined;
    this.i++;
    const values: Value[] = [];
    while (!this.isOp(")")) {
      if (this.done()) return undefined;
      // Keyword arguments (`exist_ok=True`) and object literals are not path segments.
      if (this.peek()?.k === "id" && this.isOp("=", 1)) {
        this.i += 2;
        this.expression();
      } else if (this.isOp("{")) this.skipBalanced();
      else values.push(this.expression());
      if (this.isOp(",")) this.i++;
      else if (!this.isOp(")")) return undefined;
    }
    this.i++;
    return values;
  }

  private skipBalanced(): void {
    let depth = 0;
    do {
      const token = this.peek();
      if (!token) return;
      if (token.k === "op" && (token.s === "(" || token.s === "[" || token.s === "{")) depth++;
      if (token.k === "op" && (token.s === ")" || token.s === "]" || token.s === "}")) depth--;
      this.i++;
    } while (depth > 0);
  }

  /** A dotted name (`path.join`, `process.env.X`, `os.path.dirname`). */
  private dotted(): string {
    let name = (this.peek() as Token).s;
    this.i++;
    while ((this.isOp(".") || this.isOp("?.")) && this.peek(1)?.k === "id") {
      name += `.${(this.peek(1) as Token).s}`;
      this.i += 2;
    }
    return name;
  }

  private here(): Value {
    this.evaluation.usedHere = true;
    return this.context.here ? { t: "path", p: this.context.here, exact: true } : DYN("__dirname");
  }

  private fileValue(): Value {
    this.evaluation.usedHere = true;
    return this.context.here
      ? { t: "path", p: posix.join(this.context.here, baseName(this.context.file)), exact: true }
      : DYN("__filename");
  }

  private primary(): Value {
    const token = this.peek();
    if (!token) return DYN(this.text);
    if (token.k === "str") {
      this.i++;
      return token.template !== undefined ? this.template(token.template) : { t: "str", s: token.s };
    }
    if (token.k === "num") {
      this.i++;
      return { t: "str", s: token.s };
    }
    if (token.k === "op" && token.s === "(") {
      this.i++;
      const value = this.expression();
      if (!this.isOp(")")) return DYN(this.text);
      this.i++;
      return value;
    }
    if (token.k === "id" && token.s === "new") {
      this.i++;
      if (this.peek()?.k !== "id") return DYN(this.text);
      const name = this.dotted();
      const args = this.args() ?? [];
      // `new URL("./uploads", import.meta.url)`: relative to the file.
      if (name === "URL" && args.length === 2 && args[0]?.t === "str" && args[1]?.t === "path") {
        const base = args[1].p;
        return { t: "path", p: posix.join(posix.dirname(base), args[0].s), exact: true };
      }
      return DYN(this.text);
    }
    if (token.k !== "id") return DYN(this.text);
    const name = this.dotted();
    const call = this.isOp("(");
    const args = call ? this.args() : undefined;
    if (call && !args) return DYN(this.text);
    return this.named(name, args);
  }

  private template(body: string): Value {
    // `${__dirname}/uploads`, f"{BASE_DIR}/media": each substitution evaluated, the rest literal.
    const parts: Value[] = [];
    let rest = body;
    for (;;) {
      const open = rest.indexOf("${");
      if (open < 0) break;
      const close = closing(rest, open + 1);
      if (open > 0) parts.push({ t: "str", s: rest.slice(0, open) });
      const inner = this.evaluator.evaluate(rest.slice(open + 2, close - 1), this.context);
      this.evaluation.envDefaults.push(...inner.envDefaults);
      this.evaluation.via.push(...inner.via);
      if (inner.usedHere) this.evaluation.usedHere = true;
      parts.push(inner.value);
      rest = rest.slice(close);
    }
    if (rest !== "") parts.push({ t: "str", s: rest });
    let value: Value | undefined;
    for (const part of parts) {
      if (value === undefined) value = part;
      else if (value.t === "tmp") return value;
      else if (value.t === "str" && part.t === "str") value = { t: "str", s: value.s + part.s };
      else if (value.t === "path" && part.t === "str")
        value = { t: "path", p: posix.normalize(value.p + part.s), exact: value.exact };
      else if (value.t === "path") value = { ...value, exact: false };
      else return DYN(body);
    }
    return value ?? { t: "str", s: "" };
  }

  /** A name or a call, with what follows it (`.parent`, `.resolve()`). */
  private named(name: string, args: Value[] | undefined): Value {
    const python = this.context.python;
    let value: Value;
    const bare = name.replace(/^(?:path|posix|node_path|nodePath)\./, "");
    const pathFunction = name !== bare || this.context.pathFns.has(name);
    if (name === "__dirname" || name === "import.meta.dirname") value = this.here();
    else if (name === "__filename" || name === "import.meta.filename" || name === "__file__")
      value = this.fileValue();
    else if (name === "import.meta.url") value = this.fileValue();
    else if (/^process\.env\.\w+$/.test(name)) value = { t: "env", name: name.slice("process.env.".length) };
    else if (name === "process.cwd" || name === "os.getcwd" || name === "Path.cwd")
      value = { t: "path", p: ROOT, exact: true };
    else if (/^(?:os\.tmpdir|tmpdir|tempfile\.\w+)$/.test(name)) value = { t: "tmp" };
    else if (
      /^(?:fileURLToPath|url\.fileURLToPath|String|str|os\.fspath|os\.path\.abspath|os\.path\.realpath|os\.path\.normpath|os\.path\.expanduser|path\.normalize|Path|pathlib\.Path|PurePath)$/.test(
        name,
      )
    ) {
      value = args?.[0] ? asPathIf(args[0], name, this.context) : DYN(name);
    } else if (args && pathFunction && (bare === "join" || bare === "resolve")) {
      value = joinValues(args, this.context, bare === "resolve");
      if (value.t === "str") value = asPath(value, this.context);
    } else if (args && name === "os.path.join") {
      value = joinValues(args, this.context, false);
      if (value.t === "str") value = asPath(value, this.context);
    } else if (args && ((pathFunction && bare === "dirname") || name === "os.path.dirname")) {
      const inner = args[0] ? asPath(args[0], this.context) : DYN(name);
      value =
        inner.t === "path" && inner.exact ? { t: "path", p: posix.dirname(inner.p), exact: true } : inner;
    } else if (args && /^(?:os\.(?:environ\.get|getenv))$/.test(name) && args[0]?.t === "str") {
      if (args[1] && args[1].t !== "dyn") {
        this.evaluation.envDefaults.push(args[0].s);
        value = args[1];
      } else value = { t: "env", name: args[0].s };
    } else if (!args && /^os\.environ$/.test(name) && this.isOp("[")) {
      this.skipBalanced();
      value = DYN(name);
    } else if (
      !args &&
      /^(?:app\.config|config|settings|current_app\.config)$/.test(name) &&
      this.isOp("[") &&
      this.peek(1)?.k === "str" &&
      this.isOp("]", 2)
    ) {
      const key = (this.peek(1) as { s: string }).s;
      this.i += 3;
      value = this.evaluator.resolveName(key, this.context, this.evaluation, true);
    } else if (!args) {
      const parts = name.split(".");
      // `config.uploadDir`, `settings.MEDIA_ROOT`: the object key's definition; a plain name: the constant.
      value =
        parts.length === 1
          ? this.evaluator.resolveName(name, this.context, this.evaluation)
          : this.evaluator.resolveName(parts.at(-1) as string, this.context, this.evaluation, true);
      if (value.t === "dyn" && parts.length === 1 && python)
        value = this.evaluator.resolveName(name, this.context, this.evaluation, true);
    } else value = DYN(name);
    // Python path chains: `.parent`, `.resolve()`, `.absolute()`.
    for (;;) {
      if (this.isOp(".") && this.peek(1)?.k === "id") {
        const member = (this.peek(1) as Token).s;
        if (member === "parent" && value.t === "path" && value.exact) {
          this.i += 2;
          value = { t: "path", p: posix.dirname(value.p), exact: true };
          continue;
        }
        if ((member === "resolve" || member === "absolute") && this.isOp("(", 2) && this.isOp(")", 3)) {
          this.i += 4;
          if (value.t === "str") value = asPath(value, this.context);
          continue;
        }
      }
      break;
    }
    return value;
  }

  private postfix(): Value {
    const value = this.primary();
    // Anything else chained on (`.toString()`, a subscript): not a path we know.
    if (this.isOp(".") || this.isOp("[") || this.isOp("(") || this.isOp("?.")) {
      while (
        !this.done() &&
        !this.isOp("||") &&
        !this.isOp("??") &&
        !this.isOp("+") &&
        !this.isOp(",") &&
        !this.isOp(")")
      )
        this.i++;
      return value.t === "tmp" ? value : DYN(this.text);
    }
    return value;
  }
}

function asPathIf(value: Value, _name: string, context: FileContext): Value {
  return value.t === "str" ? asPath(value, context) : value;
}

// ---- definitions and file contexts ---------------------------------------------------------

function definitions(tree: ProjectTree, files: string[]): Definitions {
  const names = new Map<string, Definition[]>();
  const keys = new Map<string, Definition[]>();
  const add = (
    map: Map<string, Definition[]>,
    name: string,
    source: SourceText,
    offset: number,
    at: number,
  ) => {
    const expression = expressionAt(source.text, offset);
    if (expression === "" || expression.length > 300) return;
    const list = map.get(name) ?? [];
    list.push({ file: source.path, expression, evidence: evidence(source, at) });
    map.set(name, list);
  };
  for (const file of files) {
    const source = tree.texts.get(file);
    if (!source) continue;
    const python = file.endsWith(".py");
    if (python) {
      for (const match of source.text.matchAll(
        /^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w[\], .|]+)?=(?!=)[ \t]*/gm,
      ))
        add(names, match[1]!, source, (match.index ?? 0) + match[0].length, match.index ?? 0);
      for (const match of source.text.matchAll(/\bconfig\[\s*["'](\w+)["']\s*\]\s*=(?!=)\s*/g))
        add(keys, match[1]!, source, (match.index ?? 0) + match[0].length, match.index ?? 0);
      for (const match of source.text.matchAll(/^[ \t]+([A-Z][A-Z0-9_]*)[ \t]*=(?!=)[ \t]*/gm))
        add(keys, match[1]!, source, (match.index ?? 0) + match[0].length, match.index ?? 0);
      for (const match of source.text.matchAll(/^([A-Z][A-Z0-9_]*)[ \t]*=(?!=)[ \t]*/gm))
        add(keys, match[1]!, source, (match.index ?? 0) + match[0].length, match.index ?? 0);
    } else {
      for (const match of source.text.matchAll(
        /(?<![\w$.])(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;\n]+)?=(?![=>])\s*/g,
      ))
        add(names, match[1]!, source, (match.index ?? 0) + match[0].length, match.index ?? 0);
      for (const match of source.text.matchAll(/(?<=[{,]\s*)["']?([A-Za-z_$][\w$]*)["']?\s*:\s*(?![\s:])/g)) {
        if (inComment(source, match.index ?? 0, false)) continue;
        add(keys, match[1]!, source, (match.index ?? 0) + match[0].length, match.index ?? 0);
      }
    }
  }
  return { names, keys };
}

/** Local names of functions imported from path, and the fs namespaces and functions of a file. */
function imports(text: string): {
  pathFns: Set<string>;
  fsNamespaces: Set<string>;
  fsFunctions: Map<string, string>;
} {
  const pathFns = new Set<string>();
  const fsNamespaces = new Set<string>();
  const fsFunctions = new Map<string, string>();
  const named = (list: string, module: string) => {
    for (const part of list.split(",")) {
      const [imported, local] = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+|\s*:\s*/)
        .map((word) => word.trim());
      if (!imported) continue;
      if (/^(?:node:)?path(?:\/posix)?$/.test(module)) pathFns.add(local ?? imported);
      else if (FS_MODULES.test(module)) {
        if (imported === "promises") fsNamespaces.add(local ?? imported);
        else fsFunctions.set(local ?? imported, imported);
      }
    }
  };
  for (const match of text.matchAll(
    /\bimport\s+(?:(\*\s+as\s+[A-Za-z_$][\w$]*|[A-Za-z_$][\w$]*)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s*["']([^"']+)["']/g,
  )) {
    const module = match[3]!;
    const def = match[1]?.replace(/^\*\s+as\s+/, "");
    if (def && FS_MODULES.test(module)) {
      fsNamespaces.add(def);
      if (module === "mkdirp") fsFunctions.set(def, "mkdirp");
    }
    if (match[2]) named(match[2], module);
  }
  for (const match of text.matchAll(
    /\b(?:const|let|var)\s+(?:([A-Za-z_$][\w$]*)|\{([^}]*)\})\s*=\s*require\(\s*["']([^"']+)["']\s*\)(\.promises)?/g,
  )) {
    const module = match[3]!;
    if (match[1] && FS_MODULES.test(module)) {
      fsNamespaces.add(match[1]);
      if (module === "mkdirp") fsFunctions.set(match[1], "mkdirp");
    }
    if (match[2]) named(match[2], module);
  }
  return { pathFns, fsNamespaces, fsFunctions };
}

function toJs(path: string): string {
  return path.replace(/\.([cm]?)tsx?$/, (_ext, kind: string) => `.${kind}js`);
}

/**
 * Where a source file runs in the image. A TypeScript file built by tsc (or nest) runs from the
 * outDir, mirrored from rootDir; a bundler puts everything in its outDir; plain JavaScript and
 * Python run where they are. `sure` is false when the mirror's root is not known.
 */
function runtimeDir(
  tree: ProjectTree,
  input: WritesInput,
  file: string,
): { dir?: string; sure: boolean; compiled?: string } {
  const rel = input.dir === "" ? file : file.slice(input.dir.length + 1);
  const source = posix.join(ROOT, posix.dirname(rel));
  if (input.stack === "python" || !/\.[cm]?tsx?$/.test(file)) return { dir: source, sure: true };
  if (input.kind === "next-standalone" || input.kind === "static") return { sure: false };
  const tool = input.build?.tool;
  const outDir = input.build?.outDir;
  if (!outDir || !tool) return { dir: source, sure: true };
  if (tool === "tsc" || tool === "nest") {
    const { rootDir } = tsconfigOut(tree, input.dir);
    if (rootDir !== undefined && (rootDir === "." || rel.startsWith(`${rootDir}/`))) {
      const inside = rootDir === "." ? rel : rel.slice(rootDir.length + 1);
      const compiled = posix.join(outDir, toJs(inside));
      return { dir: posix.join(ROOT, posix.dirname(compiled)), sure: true, compiled };
    }
    // tsc infers the common root of its inputs: a guess without rootDir or a single include.
    const compiled = posix.join(outDir, toJs(rel.replace(/^src\//, "")));
    return { dir: posix.join(ROOT, posix.dirname(compiled)), sure: false, compiled };
  }
  if (/^(?:tsup|esbuild|webpack|rollup)$/.test(tool))
    return { dir: posix.join(ROOT, outDir), sure: true, compiled: `${outDir}/${toJs(baseName(rel))}` };
  return { sure: false };
}

// ---- the write sites -------------------------------------------------------------------------

interface Site {
  offset: number;
  /** The expression of the path. */
  expression: string;
  /** The path names a directory (mkdir, multer's dest) or a file (writeFile, a database). */
  kind: "dir" | "file";
  what: string;
}

function nodeSites(text: string, source: SourceText): Site[] {
  const sites: Site[] = [];
  const { fsNamespaces, fsFunctions } = imports(text);
  const call = /(?<![\w$])((?:[A-Za-z_$][\w$]*\s*\.\s*){0,2})([A-Za-z_$][\w$]*)\s*\(/g;
  const requireCall =
    /\brequire\(\s*["']((?:node:)?fs(?:\/promises)?|fs-extra)["']\s*\)(?:\.promises)?\.(\w+)\s*\(/g;
  const consider = (offset: number, method: string, open: number) => {
    const args = argumentsAt(text, open);
    const path = args[0];
    if (!path) return;
    if (DIR_METHODS.has(method)) sites.push({ offset, expression: path, kind: "dir", what: `${method}()` });
    else if (FILE_METHODS.has(method))
      sites.push({ offset, expression: path, kind: "file", what: `${method}()` });
    else if (OPEN_METHODS.has(method)) {
      const flags = /^["'`]([^"'`]*)["'`]$/.exec(args[1] ?? "")?.[1];
      if (flags && /[wa+]/.test(flags))
        sites.push({ offset, expression: path, kind: "file", what: `${method}(…, "${flags}")` });
    }
  };
  for (const match of text.matchAll(call)) {
    const prefix = match[1]!.replace(/\s+/g, "");
    const name = match[2]!;
    const offset = match.index ?? 0;
    const namespace = prefix.split(".")[0] ?? "";
    let method: string | undefined;
    if (prefix === "" && fsFunctions.has(name)) method = fsFunctions.get(name);
    else if (prefix !== "" && fsNamespaces.has(namespace)) method = name;
    if (!method || inComment(source, offset, false)) continue;
    consider(offset, method, offset + match[0].length - 1);
  }
  for (const match of text.matchAll(requireCall)) {
    const offset = match.index ?? 0;
    if (!inComment(source, offset, false)) consider(offset, match[2]!, offset + match[0].length - 1);
  }
  const imported = (module: RegExp) =>
    new RegExp(`(?:from\\s*|require\\(\\s*)["'](?:${module.source})["']`).test(text);
  // multer: `multer({ dest: "uploads/" })`, `diskStorage({ destination: "uploads" })` or a function
  // that calls back with the directory.
  if (imported(/multer/)) {
    for (const match of text.matchAll(/\b(dest|destination)\s*:\s*/g)) {
      const offset = match.index ?? 0;
      if (inComment(source, offset, false)) continue;
      const start = offset + match[0].length;
      const expression = expressionAt(text, start);
      if (
        /^(?:function\b|async\b|\(|[A-Za-z_$][\w$]*\s*=>)/.test(expression) ||
        /=>/.test(text.slice(start, start + 80).split("\n")[0] ?? "")
      ) {
        const body = text.slice(start, start + 600);
        const callback = /\b(?:cb|callback|done|next)\(\s*null\s*,\s*/.exec(body);
        if (callback)
          sites.push({
            offset,
            expression: expressionAt(text, start + callback.index + callback[0].length),
            kind: "dir",
            what: "multer's diskStorage destination",
          });
        continue;
      }
      sites.push({
        offset,
        expression,
        kind: "dir",
        what: match[1] === "dest" ? "multer's dest" : "multer's diskStorage destination",
      });
    }
  }
  // SQLite: `new Database("data/app.db")` (better-sqlite3), `new sqlite3.Database(…)`, `open({ filename })`.
  if (imported(/better-sqlite3|sqlite3|sqlite|@databases\/sqlite/)) {
    for (const match of text.matchAll(
      /\bnew\s+(?:[A-Za-z_$][\w$]*\.)?(?:Database|verbose\(\)\.Database)\s*\(/g,
    )) {
      const offset = match.index ?? 0;
      if (inComment(source, offset, false)) continue;
      const path = argumentsAt(text, offset + match[0].length - 1)[0];
      if (path) sites.push({ offset, expression: path, kind: "file", what: "a SQLite database" });
    }
    if (imported(/sqlite/))
      sites.push(...valueSites(source, text, /\bfilename\s*:\s*/g, false, "file", "a SQLite database"));
  }
  // winston: `new winston.transports.File({ filename: "logs/error.log" })`.
  if (imported(/winston/)) {
    sites.push(
      ...valueSites(
        source,
        text,
        /\btransports\.File\(\s*\{[^}]*?\bfilename\s*:\s*/g,
        false,
        "file",
        "a winston log file",
      ),
    );
  }
  return sites;
}

/** A site after each match of `pattern` outside a comment: the path is the expression that follows. */
function valueSites(
  source: SourceText,
  text: string,
  pattern: RegExp,
  python: boolean,
  kind: Site["kind"],
  what: string,
): Site[] {
  const sites: Site[] = [];
  for (const match of text.matchAll(pattern)) {
    const offset = match.index ?? 0;
    if (!inComment(source, offset, python))
      sites.push({ offset, expression: expressionAt(text, offset + match[0].length), kind, what });
  }
  return sites;
}

/** The receiver of a method call ending just before `end` (`Path(x).parent`, `UPLOADS`). */
function receiverBefore(text: string, end: number): string {
  let i = end;
  while (i > 0) {
    const char = text[i - 1]!;
    if (char === ")" || char === "]") {
      // Back to the matching opener.
      let depth = 0;
      let j = i - 1;
      for (; j >= 0; j--) {
        const c = text[j];
        if (c === ")" || c === "]") depth++;
        else if (c === "(" || c === "[") {
          depth--;
          if (depth === 0) break;
        }
      }
      i = j;
      continue;
    }
    if (/[\w.]/.test(char)) {
      i--;
      continue;
    }
    break;
  }
  return text.slice(i, end);
}

function pythonSites(text: string, source: SourceText): Site[] {
  const sites: Site[] = [];
  const push = (offset: number, open: number, kind: Site["kind"], what: string, index = 0) => {
    if (inComment(source, offset, true)) return;
    const args = argumentsAt(text, open).filter((arg) => !/^\w+\s*=(?!=)/.test(arg));
    const path = args[index];
    if (path) sites.push({ offset, expression: path, kind, what });
  };
  for (const match of text.matchAll(/\bos\.(makedirs|mkdir)\s*\(/g))
    push(match.index ?? 0, (match.index ?? 0) + match[0].length - 1, "dir", `os.${match[1]}()`);
  for (const match of text.matchAll(/(?<![\w.])sqlite3\.connect\s*\(/g))
    push(match.index ?? 0, (match.index ?? 0) + match[0].length - 1, "file", "a SQLite database");
  for (const match of text.matchAll(
    /\b(?:logging\.)?(?:handlers\.)?(?:Rotating|TimedRotating|Watched)?FileHandler\s*\(/g,
  ))
    push(match.index ?? 0, (match.index ?? 0) + match[0].length - 1, "file", "a log file");
  sites.push(
    ...valueSites(
      source,
      text,
      /\blogging\.basicConfig\s*\([^)]*?\bfilename\s*=\s*/g,
      true,
      "file",
      "a log file",
    ),
  );
  // open(path, "w" | "a" | "x" | "+"), also mode="w".
  for (const match of text.matchAll(/(?<![\w.])open\s*\(/g)) {
    const offset = match.index ?? 0;
    if (inComment(source, offset, true)) continue;
    const args = argumentsAt(text, offset + match[0].length - 1);
    const mode =
      /^[rbfuRBFU]?["']([^"']*)["']$/.exec(args[1] ?? "")?.[1] ??
      /^\s*mode\s*=\s*["']([^"']*)["']/.exec(args.find((arg) => /^\s*mode\s*=/.test(arg)) ?? "")?.[1];
    if (mode && /[wax+]/.test(mode) && args[0])
      sites.push({ offset, expression: args[0], kind: "file", what: `open(…, "${mode}")` });
  }
  // Path(…).mkdir(), UPLOADS.mkdir(), Path(…).write_text(), Path(…).open("w").
  for (const match of text.matchAll(/\.(mkdir|write_text|write_bytes|touch|open)\s*\(/g)) {
    const offset = match.index ?? 0;
    const receiver = receiverBefore(text, offset);
    if (receiver === "" || receiver === "os" || inComment(source, offset, true)) continue;
    const method = match[1]!;
    if (method === "open") {
      const mode = /^["']([^"']*)["']$/.exec(argumentsAt(text, offset + match[0].length - 1)[0] ?? "")?.[1];
      if (!mode || !/[wax+]/.test(mode)) continue;
    }
    const start = offset - receiver.length;
    sites.push({
      offset: start,
      expression: receiver,
      kind: method === "mkdir" ? "dir" : "file",
      what: `${method}()`,
    });
  }
  // Django's MEDIA_ROOT (uploads) and a sqlite database's NAME; Flask's UPLOAD_FOLDER.
  sites.push(...valueSites(source, text, /^(MEDIA_ROOT)\s*=\s*/gm, true, "dir", "Django's MEDIA_ROOT"));
  if (/django\.db\.backends\.sqlite3/.test(text))
    sites.push(...valueSites(source, text, /["']NAME["']\s*:\s*/g, true, "file", "Django's SQLite database"));
  sites.push(
    ...valueSites(
      source,
      text,
      /(?:^[ \t]*|\bconfig\[\s*["'])UPLOAD_FOLDER["']?\s*\]?\s*=(?!=)\s*/gm,
      true,
      "dir",
      "Flask's UPLOAD_FOLDER",
    ),
  );
  return sites;
}

/** Directories whose contents are the app's code: never a volume (it would shadow the code). */
function codeDirectories(tree: ProjectTree, input: WritesInput): Set<string> {
  const dirs = new Set<string>([""]);
  const outDir = input.build?.outDir;
  if (outDir) dirs.add(outDir);
  for (const file of tree.texts.keys()) {
    if (!CODE_FILE.test(file) || (input.dir !== "" && !file.startsWith(`${input.dir}/`))) continue;
    const rel = input.dir === "" ? file : file.slice(input.dir.length + 1);
    let dir = posix.dirname(rel);
    while (dir !== "." && dir !== "") {
      dirs.add(dir);
      dir = posix.dirname(dir);
    }
  }
  return dirs;
}

/** Every path the app writes at run time, sure ones first, each once with its evidence. */
export function writablePaths(tree: ProjectTree, input: WritesInput): Detected<string>[] {
  if (input.kind === "static") return [];
  const files = input.sourceFiles.filter(
    (file) =>
      (input.dir === "" || file.startsWith(`${input.dir}/`)) &&
      !/(?:^|\/)(?:node_modules|scripts|tools|migrations|seeds|seeders|e2e)\//.test(file) &&
      !/\.(?:tsx|jsx|vue|svelte|astro)$/.test(file) &&
      !(input.stack === "node" && file.endsWith(".py")) &&
      !(input.stack === "python" && !file.endsWith(".py")),
  );
  const contexts = new Map<string, FileContext>();
  const contextOf = (file: string): FileContext | undefined => {
    const cached = contexts.get(file);
    if (cached) return cached;
    const source = tree.texts.get(file);
    if (!source) return undefined;
    const runtime = runtimeDir(tree, input, file);
    const context: FileContext = {
      file,
      source,
      python: file.endsWith(".py"),
      pathFns: imports(source.text).pathFns,
    };
    if (runtime.dir) context.here = runtime.dir;
    contexts.set(file, context);
    return context;
  };
  const evaluator = new Evaluator(definitions(tree, files), contextOf);
  const codeDirs = codeDirectories(tree, input);
  const found: Found[] = [];

  for (const file of files) {
    const context = contextOf(file);
    if (!context) continue;
    const text = context.source.text;
    if (text.length > 500_000) continue;
    const sites = context.python ? pythonSites(text, context.source) : nodeSites(text, context.source);
    for (const site of sites) {
      const where = evidence(context.source, site.offset);
      const evaluation = evaluator.evaluate(site.expression, context);
      const runtime = runtimeDir(tree, input, file);
      const out: Found = { sure: false, how: "", evidence: [where, ...evaluation.via] };
      let value = evaluation.value;
      if (value.t === "tmp") continue;
      if (value.t === "str") {
        if (value.s === "" || value.s === ":memory:" || /^file::memory:/.test(value.s)) continue;
        value = asPath(value, context);
      }
      if (value.t !== "path") {
        if (/(?:^|\.)tmpdir\b|\btempfile\b|TMPDIR/.test(site.expression)) continue;
        out.how =
          value.t === "env"
            ? `${site.what}: the path comes from ${value.name}, which has no default in the code`
            : `${site.what}: the path (\`${site.expression.replace(/\s+/g, " ").slice(0, 80)}\`) is only known at run time`;
        found.push(out);
        continue;
      }
      // A path: where is it, relative to the app?
      let absolute = value.p;
      if (absolute === IMAGE_ROOT || absolute.startsWith(`${IMAGE_ROOT}/`))
        absolute = ROOT + absolute.slice(IMAGE_ROOT.length);
      if (!(absolute === ROOT || absolute.startsWith(`${ROOT}/`))) {
        // An absolute path the code names (/tmp, /var/log/…, /data): the system's, not the app's.
        if (!evaluation.usedHere && !site.expression.includes("cwd")) continue;
        out.how = `${site.what}: resolves outside the app's directory (${absolute})`;
        found.push(out);
        continue;
      }
      let rel = posix.relative(ROOT, absolute);
      if (site.kind === "file" && value.exact) rel = posix.dirname(rel) === "." ? "" : posix.dirname(rel);
      if (/(?:^|\/)node_modules(?:\/|$)/.test(rel)) continue;
      out.path = rel === "" ? "." : rel;
      const envNote =
        evaluation.envDefaults.length > 0
          ? ` (the default of ${[...new Set(evaluation.envDefaults)].join(", ")})`
          : "";
      if (rel === "" || codeDirs.has(rel)) {
        out.how =
          rel === ""
            ? `${site.what} in the app's own directory: move ${site.kind === "file" ? "the file" : "it"} into a directory of its own that can be a volume`
            : `${site.what} in ${rel}/, which holds the app's code: a volume there would hide the code; write to a directory of its own`;
        found.push(out);
        continue;
      }
      let how = `${site.what}${envNote}`;
      let sure = true;
      if (evaluation.usedHere && !context.python) {
        const sourceRel = input.dir === "" ? file : file.slice(input.dir.length + 1);
        // Where the same expression points from the source file (ts-node, tests) and from the compiled one.
        const sourceContext: FileContext = { ...context, here: posix.join(ROOT, posix.dirname(sourceRel)) };
        const fromSource = evaluator.evaluate(site.expression, sourceContext).value;
        const same = fromSource.t === "path" && fromSource.p === value.p;
        if (!runtime.dir) {
          sure = false;
          how = `${site.what}: where ${file} runs in the image is not known`;
        } else if (runtime.compiled) {
          how += same
            ? `; resolved alike from ${sourceRel} and its compiled ${runtime.compiled}`
            : `; from the compiled ${runtime.compiled} (from ${sourceRel} itself: ${fromSource.t === "path" ? posix.relative(ROOT, fromSource.p) || "." : "unknown"})`;
          if (!runtime.sure) {
            sure = same;
            if (!same) how += `; tsconfig names no rootDir, so the compiled location is a guess`;
          }
        }
      }
      out.sure = sure;
      out.how = how;
      found.push(out);
    }
  }
  return merge(found);
}

/** One entry per path: sure wins, evidence merged (three at most); unresolved ones kept apart. */
function merge(found: Found[]): Detected<string>[] {
  const byPath = new Map<string, Detected<string>>();
  const unresolved: Detected<string>[] = [];
  for (const item of found) {
    if (item.path === undefined) {
      const key = `${item.evidence[0]?.file}:${item.evidence[0]?.line}`;
      if (unresolved.some((u) => `${u.evidence[0]?.file}:${u.evidence[0]?.line}` === key)) continue;
      unresolved.push({ value: "", evidence: item.evidence.slice(0, 3), sure: false, how: item.how });
      continue;
    }
    const existing = byPath.get(item.path);
    if (!existing) {
      byPath.set(item.path, {
        value: item.path,
        evidence: item.evidence.slice(0, 3),
        sure: item.sure,
        how: item.how,
      });
      continue;
    }
    if (item.sure && !existing.sure) {
      existing.sure = true;
      existing.how = item.how;
      existing.evidence = [...item.evidence, ...existing.evidence];
    } else existing.evidence.push(...item.evidence);
    const seen = new Set<string>();
    existing.evidence = existing.evidence
      .filter((e) => {
        const key = `${e.file}:${e.line}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, 3);
  }
  const paths = [...byPath.values()].sort(
    (a, b) => Number(b.sure) - Number(a.sure) || a.value.localeCompare(b.value),
  );
  return [...paths, ...unresolved];
}

/** `--writable uploads` (or `./uploads`, `/app/uploads`): the path relative to the app, or an error text. */
export function writableOption(path: string): { path: string } | { error: string } {
  let clean = path.trim().replace(/\/+$/, "");
  if (clean === IMAGE_ROOT || clean.startsWith(`${IMAGE_ROOT}/`)) clean = clean.slice(IMAGE_ROOT.length + 1);
  if (clean.startsWith("/"))
    return { error: "give a path inside the app, relative to its directory (e.g. uploads)" };
  const normal = posix.normalize(clean === "" ? "." : clean);
  if (normal === "." || normal === ".." || normal.startsWith("../"))
    return { error: "give a directory inside the app, not the app's directory itself or one outside it" };
  if (/(?:^|\/)node_modules(?:\/|$)/.test(normal))
    return { error: "node_modules is the image's, not a place for data" };
  return { path: normal };
}
