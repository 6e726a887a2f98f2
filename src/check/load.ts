/**
 * The file-system adapter of `check`: walks a directory into a ProjectTree without following
 * symlinks, descending into dependency and VCS directories, or reading huge or binary files.
 */
import { closeSync, lstatSync, openSync, readdirSync, readSync, type Stats } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { SourceText } from "./facts/source.js";
import {
  baseName,
  COMPOSE_NAME,
  DOCKERFILE_NAME,
  OPAQUE_DIRS,
  type ProjectTree,
  wantsText,
} from "./facts/tree.js";

export interface LoadLimits {
  /** Text files larger than this are not read (their presence still counts). */
  maxTextBytes: number;
  /** Stop walking after this many entries. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: LoadLimits = { maxTextBytes: 2 * 1024 * 1024, maxEntries: 50_000 };

// ignoreBOM keeps the BOM in the text, so SourceText knows it was there and fixes can keep it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Files whose absence from the check would make the verdict wrong: problems about them are reported. */
function isPrimary(path: string): boolean {
  const name = baseName(path);
  return (
    DOCKERFILE_NAME.test(name) ||
    COMPOSE_NAME.test(name) ||
    name.endsWith(".dockerignore") ||
    name === "package.json"
  );
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export function loadTree(
  root: string,
  skip: (path: string) => boolean = () => false,
  limits = DEFAULT_LIMITS,
): ProjectTree {
  let rootStat: Stats;
  try {
    rootStat = lstatSync(root);
  } catch {
    throw new InputError(
      root,
      undefined,
      "does not exist",
      "give the app's directory (the one with its Dockerfile or package.json)",
    );
  }
  if (!rootStat.isDirectory()) {
    throw new InputError(
      root,
      undefined,
      "is not a directory",
      "give the app's directory (check's --file names a Dockerfile)",
    );
  }
  const tree: ProjectTree = { entries: new Map(), texts: new Map(), opaqueDirs: new Set(), problems: [] };
  const pending: string[] = [""];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let names: string[];
    try {
      names = readdirSync(join(root, dir)).sort();
    } catch (error) {
      tree.problems.push({
        file: dir || ".",
        message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      });
      continue;
    }
    for (const name of names) {
      if (tree.entries.size >= limits.maxEntries) {
        tree.problems.push({
          file: dir || ".",
          message: `more than ${limits.maxEntries} files: the rest were not checked`,
        });
        return tree;
      }
      const path = dir === "" ? name : `${dir}/${name}`;
      if (skip(path)) continue;
      let stat: Stats;
      try {
        stat = lstatSync(join(root, path));
      } catch {
        continue;
      }
      if (stat.isSymbolicLink()) {
        // Never followed: Docker sends the link itself, and a link can point outside the context or loop.
        tree.entries.set(path, { path, kind: "symlink", size: 0 });
        continue;
      }
      if (stat.isDirectory()) {
        tree.entries.set(path, { path, kind: "dir", size: 0 });
        if (OPAQUE_DIRS.has(name)) tree.opaqueDirs.add(path);
        else pending.push(path);
        continue;
      }
      if (!stat.isFile()) {
        tree.entries.set(path, { path, kind: "other", size: 0 });
        continue;
      }
      tree.entries.set(path, { path, kind: "file", size: stat.size });
      if (wantsText(path)) readText(root, path, stat.size, tree, limits);
    }
  }
  return tree;
}

function readText(root: string, path: string, size: number, tree: ProjectTree, limits: LoadLimits): void {
  const primary = isPrimary(path);
  if (size > limits.maxTextBytes) {
    if (primary) {
      const mb = (size / 1024 / 1024).toFixed(1);
      tree.problems.push({
        file: path,
        message: `is ${mb} MB, larger than the ${limits.maxTextBytes / 1024 / 1024} MB shipshape reads: not checked`,
      });
    }
    return;
  }
  let bytes: Buffer;
  try {
    bytes = readHead(join(root, path), size);
  } catch (error) {
    if (primary)
      tree.problems.push({
        file: path,
        message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      });
    return;
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    if (primary) tree.problems.push({ file: path, line: 1, message: "is binary, not text: not checked" });
    return;
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    if (primary) {
      const line = firstInvalidLine(bytes);
      tree.problems.push({ file: path, line, message: "is not valid UTF-8: not checked (save it as UTF-8)" });
    }
    return;
  }
  tree.texts.set(path, new SourceText(path, text));
}

/** The 1-based line of the first byte sequence that is not UTF-8, for the error message. */
function firstInvalidLine(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      try {
        utf8.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return 1;
}
