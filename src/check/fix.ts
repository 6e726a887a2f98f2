/**
 * Applies fixes as text edits, so formatting and comments outside the edited spans are kept.
 * Overlapping edits are not applied together: the later one waits for the next pass (the CLI
 * re-checks after fixing, which recomputes it against the new text).
 */
import type { Finding, TextEdit } from "./types.js";

export interface FixOutcome {
  /** New content per file (only files that changed or were created). */
  files: Map<string, string>;
  applied: Finding[];
  skipped: Finding[];
}

/**
 * Apply the fixes of `findings` to `contents` (current text per file; absent = file does not exist).
 * A BOM that was present is the caller's to keep; texts here are without it.
 */
export function applyFixes(
  findings: readonly Finding[],
  contents: (file: string) => string | undefined,
): FixOutcome {
  const perFile = new Map<string, Array<TextEdit & { owner: Finding }>>();
  const applied: Finding[] = [];
  const skipped: Finding[] = [];
  const claimed = new Map<string, Array<[number, number]>>();
  const created = new Set<string>();

  for (const finding of findings) {
    const fix = finding.fix;
    if (!fix) continue;
    const overlaps = fix.edits.some((edit) => {
      if (fix.creates?.includes(edit.file) && (created.has(edit.file) || contents(edit.file) !== undefined))
        return true;
      return (claimed.get(edit.file) ?? []).some(([start, end]) =>
        edit.start === edit.end && start === end
          ? edit.start === start
          : (edit.start < end && start < edit.end) || (edit.start === start && edit.end === end),
      );
    });
    if (overlaps) {
      skipped.push(finding);
      continue;
    }
    for (const edit of fix.edits) {
      const list = perFile.get(edit.file) ?? [];
      list.push({ ...edit, owner: finding });
      perFile.set(edit.file, list);
      const ranges = claimed.get(edit.file) ?? [];
      ranges.push([edit.start, edit.end]);
      claimed.set(edit.file, ranges);
      if (fix.creates?.includes(edit.file)) created.add(edit.file);
    }
    applied.push(finding);
  }

  const files = new Map<string, string>();
  for (const [file, edits] of perFile) {
    let text = contents(file) ?? "";
    // From the end backwards so earlier offsets stay valid; inserts at one offset keep their order.
    const ordered = edits
      .map((edit, index) => ({ edit, index }))
      .sort((a, b) => b.edit.start - a.edit.start || b.index - a.index);
    for (const { edit } of ordered) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    files.set(file, text);
  }
  return { files, applied, skipped };
}
