/**
 * The writer: compares a plan with what is on disk (create, unchanged, change), renders unified
 * diffs, and writes only what it is allowed to: new files with consent, changed files with
 * `--force`, source edits only where the line still reads as detected.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { InitPlan } from "./plan.js";

export type ChangeStatus = "create" | "unchanged" | "change";

export interface PlannedChange {
  path: string;
  status: ChangeStatus;
  why: string;
  before?: string;
  after: string;
  /** A source edit of the app (not a file init generates). */
  edit: boolean;
}

/** A file's text, or undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The plan against the directory: what each file would become. */
export function compare(root: string, plan: InitPlan): PlannedChange[] {
  const changes: PlannedChange[] = [];
  for (const file of plan.files) {
    const before = readText(join(root, file.path));
    const change: PlannedChange = {
      path: file.path,
      status: before === undefined ? "create" : before === file.content ? "unchanged" : "change",
      why: file.why,
      after: file.content,
      edit: file.merge === true,
    };
    if (before !== undefined) change.before = before;
    changes.push(change);
  }
  const edited = new Map<string, { before: string; after: string; why: string[] }>();
  for (const edit of plan.edits) {
    const current = edited.get(edit.path) ?? {
      before: readText(join(root, edit.path)) ?? "",
      after: "",
      why: [],
    };
    if (current.after === "") current.after = current.before;
    const lines = current.after.split("\n");
    const line = lines[edit.line - 1];
    if (line === undefined || !line.includes(edit.from)) continue;
    lines[edit.line - 1] = line.replace(edit.from, edit.to);
    current.after = lines.join("\n");
    current.why.push(edit.why);
    edited.set(edit.path, current);
  }
  for (const [path, { before, after, why }] of edited)
    changes.push({
      path,
      status: before === after ? "unchanged" : "change",
      why: why.join("; "),
      before,
      after,
      edit: true,
    });
  return changes;
}

export function unifiedDiff(change: PlannedChange): string {
  return createTwoFilesPatch(
    change.before === undefined ? "/dev/null" : `a/${change.path}`,
    `b/${change.path}`,
    change.before ?? "",
    change.after,
    undefined,
    undefined,
    { context: 3 },
  )
    .split("\n")
    .filter((line) => !/^={10,}$/.test(line) && !line.startsWith("Index: "))
    .join("\n");
}

export interface WriteResult {
  written: string[];
  /** Existing files that differ and were left alone (no --force). */
  kept: string[];
}

/** Write the changes: new files always, source edits always (they were consented to), others with force. */
export function writeChanges(root: string, changes: PlannedChange[], force: boolean): WriteResult {
  const result: WriteResult = { written: [], kept: [] };
  for (const change of changes) {
    if (change.status === "unchanged") continue;
    if (change.status === "change" && !change.edit && !force) {
      result.kept.push(change.path);
      continue;
    }
    const target = join(root, change.path);
    mkdirSync(dirname(target), { recursive: true });
    // A new file must not appear between compare and write; existing ones are replaced whole.
    if (change.status === "create" && existsSync(target)) {
      result.kept.push(change.path);
      continue;
    }
    writeFileSync(target, change.after);
    result.written.push(change.path);
  }
  return result;
}
