/**
 * The project as a tree of entries plus the text of the files the checker reads. Built either
 * from the file system (`src/check/load.ts`) or from a record of contents (tests, docs, fuzzing),
 * so that everything after it is pure.
 */
import { SourceText } from "./source.js";

export type EntryKind = "file" | "dir" | "symlink" | "other";

export interface TreeEntry {
  /** Relative to the project root, forward slashes, no leading `./`. */
  path: string;
  kind: EntryKind;
  size: number;
}

/** Something about the input that stopped a file from being checked (or checked fully). */
export interface InputProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface ProjectTree {
  entries: Map<string, TreeEntry>;
  texts: Map<string, SourceText>;
  /** Directories that exist but were not walked (`node_modules`, `.git`): present, contents unknown. */
  opaqueDirs: Set<string>;
  problems: InputProblem[];
}

/** Files (and directories) whose text the checker reads. */
export const DOCKERFILE_NAME =
  /^(?:Dockerfile|Containerfile)(?:\.[^/]+)?$|^[^/]+\.(?:Dockerfile|Containerfile)$/;
export const COMPOSE_NAME = /^(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$/;
export const CODE_FILE = /\.(?:[cm]?[jt]sx?|py|vue|svelte|astro)$/;
/** Directories that are walked only to note that they exist. */
export const OPAQUE_DIRS = new Set([
  "node_modules",
  ".git",
  ".hg",
  ".svn",
  ".venv",
  "venv",
  "__pycache__",
  ".next",
  ".nuxt",
  ".turbo",
  ".cache",
  "coverage",
  ".pytest_cache",
  ".mypy_cache",
  "target",
]);
/** Directories whose code is build output or vendored, not the app's source. */
export const NON_SOURCE_DIRS =
  /(?:^|\/)(?:dist|build|out|vendor|public|static|\.output|test|tests|__tests__|spec|fixtures)\//;

export function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}

export function dirName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Whether the checker wants the text of this file. */
export function wantsText(path: string): boolean {
  const name = baseName(path);
  if (DOCKERFILE_NAME.test(name) || name.endsWith(".dockerignore") || COMPOSE_NAME.test(name)) return true;
  if (
    name === "package.json" ||
    name === ".gitignore" ||
    name === ".npmrc" ||
    name === ".pypirc" ||
    name === ".yarnrc.yml" ||
    name === ".shipshape.yaml" ||
    name === ".shipshape.yml" ||
    name === "pyproject.toml" ||
    name === "Pipfile" ||
    name === ".nvmrc" ||
    name === ".node-version" ||
    name === ".python-version" ||
    name === "index.html" ||
    // What app detection reads (src/app): build output dirs, workspaces, runtimes, schemas.
    /^tsconfig(?:\.[\w-]+)?\.json$/.test(name) ||
    name === "pnpm-workspace.yaml" ||
    name === "runtime.txt" ||
    name === "schema.prisma" ||
    /^requirements.*\.txt$/.test(name) ||
    /^\.env(?:\.|$)/.test(name) ||
    /\.(?:pem|key)$|^id_(?:rsa|dsa|ecdsa|ed25519)$/.test(name)
  ) {
    return true;
  }
  return CODE_FILE.test(name);
}

/** A tree from a record of file contents: the way tests, docs examples and the fuzzer build one. */
export function treeFromFiles(files: Record<string, string>): ProjectTree {
  const tree: ProjectTree = { entries: new Map(), texts: new Map(), opaqueDirs: new Set(), problems: [] };
  for (const [rawPath, content] of Object.entries(files)) {
    const path = rawPath.replace(/^\.\//, "");
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      tree.entries.set(dir, { path: dir, kind: "dir", size: 0 });
      if (OPAQUE_DIRS.has(parts[i - 1] ?? "")) tree.opaqueDirs.add(dir);
    }
    if (path.endsWith("/")) {
      const dir = path.slice(0, -1);
      tree.entries.set(dir, { path: dir, kind: "dir", size: 0 });
      continue;
    }
    tree.entries.set(path, { path, kind: "file", size: Buffer.byteLength(content) });
    if (wantsText(path)) tree.texts.set(path, new SourceText(path, content));
  }
  return tree;
}

/** Whether a path exists in the tree (inside an opaque directory counts as "maybe": true). */
export function treeHas(tree: ProjectTree, path: string): boolean {
  if (path === "" || path === ".") return true;
  if (tree.entries.has(path)) return true;
  for (const dir of tree.opaqueDirs) if (path.startsWith(`${dir}/`)) return true;
  return false;
}

/** Entries directly or indirectly under a directory ("" is the root). */
export function entriesUnder(tree: ProjectTree, dir: string): TreeEntry[] {
  const prefix = dir === "" ? "" : `${dir}/`;
  const out: TreeEntry[] = [];
  for (const entry of tree.entries.values()) if (entry.path.startsWith(prefix)) out.push(entry);
  return out;
}
