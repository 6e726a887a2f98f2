/**
 * What the build context sends: size, file count and the largest top-level entries. The entries
 * are check's BuildContext (the same `.dockerignore` semantics, the same walk); directories check
 * does not descend into (`node_modules`, `.git`) are measured here when the context sends them,
 * never following a symlink and stopping at a limit.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { BuildContext } from "../check/facts/context.js";
import type { EntryKind, ProjectTree } from "../check/facts/tree.js";

export interface ContextEntry {
  /** Context-relative path (a top-level file or directory). */
  path: string;
  kind: EntryKind;
  bytes: number;
  files: number;
}

export interface ContextReport {
  files: number;
  bytes: number;
  symlinks: number;
  /** The largest top-level entries (directories summed), largest first. */
  largest: ContextEntry[];
  /** The walk stopped at its limit: the numbers are lower bounds. */
  truncated: boolean;
  /** The `.dockerignore` that applied, when there is one. */
  dockerignore?: string;
}

export interface SentFile {
  path: string;
  kind: EntryKind;
  size: number;
}

/** Sums sent files by their top-level entry. Pure. */
export function summarizeContext(
  sent: Iterable<SentFile>,
  options: { truncated?: boolean; dockerignore?: string; top?: number } = {},
): ContextReport {
  const tops = new Map<string, ContextEntry>();
  let files = 0;
  let bytes = 0;
  let symlinks = 0;
  for (const entry of sent) {
    if (entry.kind === "dir") continue;
    const slash = entry.path.indexOf("/");
    const top = slash < 0 ? entry.path : entry.path.slice(0, slash);
    let summary = tops.get(top);
    if (!summary) {
      summary = { path: top, kind: slash < 0 ? entry.kind : "dir", bytes: 0, files: 0 };
      tops.set(top, summary);
    }
    if (entry.kind === "symlink") symlinks++;
    else {
      files++;
      bytes += entry.size;
      summary.files++;
      summary.bytes += entry.size;
    }
  }
  const largest = [...tops.values()]
    .filter((entry) => entry.kind !== "symlink")
    .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path))
    .slice(0, options.top ?? 8);
  const report: ContextReport = { files, bytes, symlinks, largest, truncated: options.truncated ?? false };
  if (options.dockerignore !== undefined) report.dockerignore = options.dockerignore;
  return report;
}

export interface MeasureLimits {
  /** Entries walked inside opaque directories before giving up (the numbers are then lower bounds). */
  maxEntries: number;
}

/**
 * The files a context sends, including the contents of directories check only notes (walked here
 * with lstat: a symlink is counted as itself, never followed).
 */
export function sentFiles(
  root: string,
  tree: ProjectTree,
  context: BuildContext,
  limits: MeasureLimits = { maxEntries: 200_000 },
): { files: SentFile[]; truncated: boolean } {
  const files: SentFile[] = [];
  let truncated = tree.problems.some((problem) => /^more than \d+ files/.test(problem.message));
  const prefix = context.dir === "" ? "" : `${context.dir}/`;
  for (const entry of context.sentEntries()) files.push(entry);
  let walked = 0;
  for (const opaque of [...tree.opaqueDirs].sort()) {
    if (!opaque.startsWith(prefix)) continue;
    const relative = opaque.slice(prefix.length);
    if (!context.includes(relative)) continue;
    const pending = [relative];
    while (pending.length > 0 && !truncated) {
      const dir = pending.pop()!;
      let names: string[];
      try {
        names = readdirSync(join(root, prefix, dir));
      } catch {
        continue;
      }
      for (const name of names) {
        if (++walked > limits.maxEntries) {
          truncated = true;
          break;
        }
        const path = `${dir}/${name}`;
        if (!context.includes(path)) continue;
        let stat: ReturnType<typeof lstatSync>;
        try {
          stat = lstatSync(join(root, prefix, path));
        } catch {
          continue;
        }
        if (stat.isSymbolicLink()) files.push({ path, kind: "symlink", size: 0 });
        else if (stat.isDirectory()) pending.push(path);
        else if (stat.isFile()) files.push({ path, kind: "file", size: stat.size });
      }
    }
  }
  return { files, truncated };
}
