/**
 * `shipshape fix [dir]`: check's mechanical fixes plus the structural ones init knows (a
 * multi-stage Dockerfile, secrets out of ENV, health-gated compose), worked out on a scratch copy
 * of the project, shown as unified diffs, and written only with consent (`--yes` or the prompt).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { OPAQUE_DIRS } from "../check/facts/tree.js";
import { checkDirectory, fixDirectory } from "../check/index.js";
import { UsageError } from "../errors.js";
import { structuralFixes } from "../init/fix.js";
import { type PlannedChange, readText, unifiedDiff } from "../init/write.js";
import type { Output } from "./output.js";
import { confirm } from "./prompt.js";

export interface FixCommandOptions {
  dryRun?: boolean;
  yes?: boolean;
  format: string;
}

export async function runFix(
  dirArg: string | undefined,
  options: FixCommandOptions,
  out: Output,
): Promise<number> {
  if (options.format !== "text" && options.format !== "json")
    throw new UsageError(`--format ${options.format} is not one of text, json`);
  const root = resolve(dirArg ?? ".");
  const before = checkDirectory(root);
  const scratch = mkdtempSync(join(tmpdir(), "shipshape-fix-"));
  try {
    // The scratch copy: everything check reads, none of the dependency or VCS trees.
    cpSync(root, scratch, {
      recursive: true,
      filter: (source) => !OPAQUE_DIRS.has(basename(source)) || source === root,
    });
    const mechanical = fixDirectory(scratch);
    const structural = structuralFixes(mechanical.run.facts, mechanical.run.result);
    const finals = new Map<string, { content: string; why: string[] }>();
    for (const file of mechanical.written) {
      const ids = [
        ...new Set(mechanical.applied.filter((f) => f.location.file === file).map((f) => f.ruleId)),
      ];
      finals.set(file, {
        content: readText(join(scratch, file)) ?? "",
        why: [ids.length > 0 ? `mechanical fixes (${ids.join(", ")})` : "written by a mechanical fix"],
      });
    }
    for (const fix of structural) {
      const entry = finals.get(fix.path) ?? { content: fix.content, why: [] };
      entry.content = fix.content;
      entry.why.push(fix.why);
      finals.set(fix.path, entry);
    }
    const changes: PlannedChange[] = [];
    for (const [path, { content, why }] of [...finals].sort(([a], [b]) => a.localeCompare(b))) {
      const current = readText(join(root, path));
      if (current === content) continue;
      const change: PlannedChange = {
        path,
        status: current === undefined ? "create" : "change",
        why: why.join("; "),
        after: content,
        edit: true,
      };
      if (current !== undefined) change.before = current;
      changes.push(change);
    }
    // What check would still say after these changes.
    for (const change of changes) writeFileSync(join(scratch, change.path), change.after);
    const after = checkDirectory(scratch).result.findings;
    const count = (severity: string, list: { severity: string }[]) =>
      list.filter((f) => f.severity === severity).length;

    if (options.format === "json") {
      out.result(
        JSON.stringify(
          {
            schemaVersion: 1,
            changes: changes.map((c) => ({
              path: c.path,
              status: c.status,
              why: c.why,
              diff: unifiedDiff(c),
            })),
            before: {
              errors: count("error", before.result.findings),
              warnings: count("warning", before.result.findings),
            },
            after: { errors: count("error", after), warnings: count("warning", after) },
          },
          null,
          2,
        ),
      );
    } else {
      if (changes.length === 0) {
        out.info("nothing to fix: no mechanical or structural fix applies");
        return 0;
      }
      for (const change of changes) out.result(`${unifiedDiff(change)}\n`);
      out.result(
        `${changes.length} file${changes.length === 1 ? "" : "s"}: errors ${count("error", before.result.findings)} → ${count("error", after)}, warnings ${count("warning", before.result.findings)} → ${count("warning", after)}`,
      );
      for (const change of changes) out.result(`  ${change.path}: ${change.why}`);
    }
    if (options.dryRun || changes.length === 0) return 0;
    if (!options.yes) {
      if (process.stderr.isTTY !== true || !process.stdin.isTTY)
        throw new UsageError(
          `nothing written: ${changes.length} file${changes.length === 1 ? "" : "s"} to change`,
          {
            hint: "run with --yes to write them, or --dry-run to see only the diffs",
          },
        );
      if (!(await confirm(`Apply these changes to ${changes.map((c) => c.path).join(", ")}? [y/N] `))) {
        out.info("nothing written");
        return 1;
      }
    }
    for (const change of changes) writeFileSync(join(root, change.path), change.after);
    out.info(`wrote ${changes.map((c) => c.path).join(", ")}`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
