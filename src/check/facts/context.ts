/**
 * The build context as the engine computes it: the context directory minus what `.dockerignore`
 * excludes (BuildKit's `<Dockerfile>.dockerignore` first, then `<context>/.dockerignore`).
 * Matching is @balena/dockerignore's port of Docker's own rules (`**`, `!` exceptions, leading
 * `/`, last match wins); which line decided is worked out here, for messages and fixes.
 */
import dockerignore, { type Ignore } from "@balena/dockerignore";

// The package is CommonJS with `module.exports = factory`; its types declare an ES default.
const ignore = dockerignore as unknown as (options?: object) => Ignore;

import type { SourceText } from "./source.js";
import { baseName, dirName, type ProjectTree, type TreeEntry, treeHas } from "./tree.js";

export interface IgnorePattern {
  pattern: string;
  negated: boolean;
  line: number;
}

export interface DockerignoreFacts {
  file: string;
  source: SourceText;
  patterns: IgnorePattern[];
}

export interface BuildContext {
  /** Context directory relative to the project root ("" for the root). */
  dir: string;
  dockerignore?: DockerignoreFacts;
  /** Whether a context-relative path is sent to the builder. */
  includes(path: string): boolean;
  /** The `.dockerignore` line that excludes a context-relative path, if one does. */
  excludedBy(path: string): IgnorePattern | undefined;
  /** Whether the path exists in the context directory (excluded or not). */
  exists(path: string): boolean;
  /** Entries of the context directory that are sent (context-relative paths; do not modify). */
  sentEntries(): readonly TreeEntry[];
  /** Context-relative paths matching a COPY source (wildcards as Go's filepath.Match). */
  match(source: string): string[];
}

export function parseDockerignore(source: SourceText): DockerignoreFacts {
  const patterns: IgnorePattern[] = [];
  for (let line = 1; line <= source.lineCount; line++) {
    const text = source.line(line).trim();
    if (text === "" || text.startsWith("#")) continue;
    const negated = text.startsWith("!");
    let pattern = (negated ? text.slice(1) : text).trim();
    if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
    pattern = pattern.replace(/\/+$/, "").replace(/^\.\/+/, "");
    if (pattern === "") continue;
    patterns.push({ pattern, negated, line });
  }
  return { file: source.path, source, patterns };
}

/** The `.dockerignore` that applies to a Dockerfile built with a context directory. */
export function dockerignoreFor(
  tree: ProjectTree,
  dockerfile: string,
  contextDir: string,
): SourceText | undefined {
  const specific = tree.texts.get(`${dockerfile}.dockerignore`);
  if (specific) return specific;
  return tree.texts.get(contextDir === "" ? ".dockerignore" : `${contextDir}/.dockerignore`);
}

function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? "";
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close < 0) out += "\\[";
      else {
        out += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else if (ch === "\\" && i + 1 < glob.length) {
      out += `\\${glob[++i]}`;
    } else out += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** Longer patterns are not matched: no real path is longer (PATH_MAX). */
const MAX_PATTERN_LENGTH = 4096;
/**
 * Runs of `*` a pattern may have. The port compiles patterns to backtracking JS regular expressions
 * (Docker's Go ones run in linear time), so `*a*a*a*a…` on a long name could take minutes.
 */
const MAX_STARS = 6;

/**
 * A pattern as the port should get it, or undefined when it cannot be matched safely. The port
 * copies `(`, `)`, `{`, `}`, `+`, `|`, `^` into its RegExp, where filepath.Match takes them
 * literally (and `foo(` would not compile): they are escaped, as is a `[` that is never closed.
 * A run of `**` directories means what one does.
 */
export function matcherPattern(pattern: string): string | undefined {
  return checkedPattern(pattern)?.safe;
}

/** matcherPattern's answer, with the port's matcher of that pattern alone (compiled by the check). */
function checkedPattern(pattern: string): { safe: string; alone: Ignore } | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return undefined;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === "\\") {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (ch === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close < 0) out += "\\[";
      else {
        out += pattern.slice(i, close + 1);
        i = close;
      }
    } else out += /[(){}+|^]/.test(ch) ? `\\${ch}` : ch;
  }
  out = out.replace(/(?:\*\*\/)+/g, "**/");
  if ((out.match(/\*+/g) ?? []).length > MAX_STARS) return undefined;
  const alone = ignore().add(out);
  try {
    alone.ignores("probe");
  } catch {
    return undefined; // a pattern Docker would reject too (`[z-a]`)
  }
  return { safe: out, alone };
}

export function buildContext(tree: ProjectTree, dir: string, dockerignoreSource?: SourceText): BuildContext {
  const facts = dockerignoreSource ? parseDockerignore(dockerignoreSource) : undefined;
  const usable = new Map<IgnorePattern, string>();
  // Each pattern alone, as checking it compiled it: the matcher of all of them takes the same
  // rules from it (an Ignore added to an Ignore adds its rules), and `excludedBy` asks it alone.
  const single = new Map<IgnorePattern, Ignore>();
  const parts: Array<string | Ignore> = [];
  for (const pattern of facts?.patterns ?? []) {
    const checked = checkedPattern(pattern.pattern);
    if (checked === undefined) continue;
    usable.set(pattern, checked.safe);
    if (pattern.negated) parts.push(`!${checked.safe}`);
    else {
      parts.push(checked.alone);
      single.set(pattern, checked.alone);
    }
  }
  const matcher = facts ? ignore().add(parts) : undefined;
  const prefix = dir === "" ? "" : `${dir}/`;
  const verdicts = new Map<string, boolean>();
  let sent: TreeEntry[] | undefined;

  const excludedBy = (path: string): IgnorePattern | undefined => {
    if (!facts || !matcher?.ignores(path)) return undefined;
    for (let i = facts.patterns.length - 1; i >= 0; i--) {
      const pattern = facts.patterns[i]!;
      const safe = usable.get(pattern);
      if (pattern.negated || safe === undefined) continue;
      let one = single.get(pattern);
      if (!one) {
        one = ignore().add(safe);
        single.set(pattern, one);
      }
      if (one.ignores(path)) return pattern;
    }
    return facts.patterns.find((p) => !p.negated);
  };
  const includes = (path: string): boolean => {
    const clean = cleanPath(path);
    if (clean === "" || clean === ".") return true;
    let verdict = verdicts.get(clean);
    if (verdict === undefined) {
      verdict = !matcher?.ignores(clean);
      verdicts.set(clean, verdict);
    }
    return verdict;
  };
  const context: BuildContext = {
    dir,
    includes,
    excludedBy,
    exists: (path) => treeHas(tree, prefix + cleanPath(path)),
    sentEntries: () => {
      // Computed once: several rules ask, some once per COPY source.
      if (sent) return sent;
      const out: TreeEntry[] = [];
      for (const entry of tree.entries.values()) {
        if (!entry.path.startsWith(prefix) || entry.path === dir) continue;
        const relative = entry.path.slice(prefix.length);
        if (includes(relative)) out.push({ ...entry, path: relative });
      }
      sent = out;
      return sent;
    },
    match: (source) => {
      const clean = source.replace(/^\.?\/+/, "").replace(/\/+$/, "");
      if (clean === "" || clean === ".") return ["."];
      if (!/[*?[]/.test(clean)) return treeHas(tree, prefix + clean) ? [clean] : [];
      const regex = globToRegExp(clean);
      const depth = clean.split("/").length;
      const out: string[] = [];
      for (const entry of tree.entries.values()) {
        if (!entry.path.startsWith(prefix)) continue;
        const relative = entry.path.slice(prefix.length);
        if (relative.split("/").length === depth && regex.test(relative)) out.push(relative);
      }
      return out.sort();
    },
  };
  if (facts) context.dockerignore = facts;
  return context;
}

/**
 * A path without leading `./` or `/` and trailing `/`. Most paths asked about have neither, and
 * are returned without running the two replacements.
 */
function cleanPath(path: string): string {
  if (path.charCodeAt(0) !== 47 && !path.startsWith("./") && !path.endsWith("/")) return path;
  return path.replace(/^\.?\/+/, "").replace(/\/+$/, "");
}

/** Whether a path is inside a directory (or is it). */
export function isWithin(path: string, dir: string): boolean {
  return dir === "" || path === dir || path.startsWith(`${dir}/`);
}

export { baseName, dirName };
