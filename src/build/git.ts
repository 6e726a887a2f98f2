/**
 * The git adapter of `build`: which commit the directory is at, when it was made, where its source
 * lives (credentials stripped), and which files have uncommitted changes. `git` is run with a
 * fixed argument list; nothing here decides policy (plan.ts does).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export type GitState =
  | { kind: "none"; reason: string }
  | { kind: "no-commits"; root: string }
  | {
      kind: "repo";
      root: string;
      commit: string;
      /** Seconds since the epoch: the commit's committer time. */
      commitTime: number;
      /** The `origin` remote (or the first one), credentials removed; undefined when there is none. */
      remote?: string;
      /** Uncommitted changes (`git status --porcelain`), paths relative to the repository root. */
      changes: GitChange[];
    };

export interface GitChange {
  /** Relative to the repository root, forward slashes. */
  path: string;
  /** `M`, `A`, `D`, `R`, `??` (untracked)… as `git status --porcelain` writes it. */
  status: string;
}

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-C", dir, ...args], {
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
    // Never prompt (a credential helper asking for a password would hang a build).
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
  });
  return stdout;
}

/** A remote URL without user names, passwords or tokens: `https://tok@github.com/a/b` → `https://github.com/a/b`. */
export function stripCredentials(url: string): string {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*@)?(.*)$/i.exec(trimmed);
  if (scheme) return `${scheme[1]}${scheme[3]}`;
  return trimmed; // scp-like `git@github.com:a/b.git`: `git` is a user name, not a credential
}

/** `git status --porcelain -z` output → changes (renames keep their new path). */
export function parsePorcelain(output: string): GitChange[] {
  const parts = output.split("\0");
  const out: GitChange[] = [];
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i] ?? "";
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2).trim() || entry.slice(0, 2);
    out.push({ path: entry.slice(3), status });
    if (/[RC]/.test(entry.slice(0, 2))) i++; // the rename's source path follows
  }
  return out;
}

export async function gitState(dir: string): Promise<GitState> {
  let root: string;
  try {
    root = (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") return { kind: "none", reason: "git is not installed" };
    return { kind: "none", reason: "not a git repository" };
  }
  let commit: string;
  try {
    commit = (await git(dir, ["rev-parse", "--verify", "HEAD"])).trim();
  } catch {
    return { kind: "no-commits", root };
  }
  const commitTime = Number((await git(dir, ["log", "-1", "--format=%ct", "HEAD"])).trim());
  const changes = parsePorcelain(
    await git(root, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]),
  );
  let remote: string | undefined;
  try {
    const remotes = (await git(dir, ["remote"])).split("\n").filter(Boolean);
    const name = remotes.includes("origin") ? "origin" : remotes[0];
    if (name) remote = stripCredentials((await git(dir, ["remote", "get-url", name])).trim());
  } catch {
    // No remote: the source label is left out.
  }
  return { kind: "repo", root, commit, commitTime, changes, ...(remote ? { remote } : {}) };
}
