/**
 * `--format text`: findings grouped by file, each with its position, severity, message and rule
 * id aligned, a code frame (secrets masked), why it matters and how to fix it; input problems
 * first; one summary line last. Nothing at all when there is nothing to report.
 */
import pc from "picocolors";
import type { Finding, Location, RuleMeta, Severity } from "../types.js";
import {
  displayPath,
  docsUrl,
  fixAdvice,
  plural,
  type ReportSummary,
  ruleLookup,
  summarize,
} from "./docs.js";
import { codeFrame, sanitize } from "./frame.js";
import type { ReportInput } from "./report.js";

export interface TextOptions {
  color: boolean;
  /** Also show docs links, equivalent checks of other tools and code frames of related places. */
  verbose?: boolean;
  /** Wrap `why:`/`fix:` text at this width (default 100). */
  width?: number;
}

type Colors = ReturnType<typeof pc.createColors>;

const INDENT = "    ";

function severityColor(c: Colors, severity: Severity): (text: string) => string {
  return severity === "error" ? c.red : severity === "warning" ? c.yellow : c.blue;
}

/** Word-wrap `text` after a label, continuation lines aligned under the text. */
export function wrap(
  label: string,
  text: string,
  width: number,
  paint: (label: string) => string = (plain) => plain,
): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lead = `${INDENT}${paint(label)}`;
  const pad = " ".repeat(INDENT.length + label.length);
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    const prefix = lines.length === 0 ? lead : pad;
    if (current !== "" && pad.length + current.length + 1 + word.length > width) {
      lines.push(`${prefix}${current}`);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  lines.push(`${lines.length === 0 ? lead : pad}${current}`);
  return lines;
}

function position(location: Location): string {
  return `${location.line}:${location.column}`;
}

function frameLines(
  input: ReportInput,
  location: Location,
  c: Colors,
  severity: Severity,
  ascii: boolean,
): string[] {
  const source = input.sources(location.file);
  if (!source) return [];
  return codeFrame(source, location, {
    gutter: c.dim,
    caret: severityColor(c, severity),
    ascii,
    indent: INDENT,
  });
}

function equivalentsText(meta: RuleMeta): string {
  const eq = meta.equivalents ?? {};
  return Object.entries(eq)
    .filter(([, ids]) => Array.isArray(ids) && ids.length > 0)
    .map(([tool, ids]) => `${tool} ${(ids as string[]).join(", ")}`)
    .join("; ");
}

function findingBlock(
  input: ReportInput,
  finding: Finding,
  meta: RuleMeta | undefined,
  widths: { position: number },
  c: Colors,
  options: TextOptions,
  explain: boolean,
): string[] {
  const width = options.width ?? 100;
  const ascii = !options.color;
  const color = severityColor(c, finding.severity);
  const lines: string[] = [];
  lines.push(
    `  ${c.dim(position(finding.location).padEnd(widths.position))}  ${color(finding.severity.padEnd(7))}  ${sanitize(finding.message)}  ${c.dim(finding.ruleId)}`,
  );
  lines.push(...frameLines(input, finding.location, c, finding.severity, ascii));
  for (const related of finding.related ?? []) {
    const place = `${displayPath(input.root, related.file)}:${related.line}`;
    lines.push(`${INDENT}${c.dim("also:")} ${c.dim(sanitize(place))}  ${sanitize(related.message)}`);
    if (options.verbose) lines.push(...frameLines(input, related, c, finding.severity, ascii));
  }
  if (explain && meta?.rationale) lines.push(...wrap("why: ", sanitize(meta.rationale), width, c.dim));
  const advice = fixAdvice(finding, meta);
  if (advice.description) {
    const text = advice.mechanical
      ? `${advice.description} (shipshape check --fix applies it)`
      : advice.description;
    lines.push(...wrap("fix: ", sanitize(text), width, c.green));
  }
  if (options.verbose) {
    const eq = meta ? equivalentsText(meta) : "";
    if (eq) lines.push(`${INDENT}${c.dim(`same as: ${eq}`)}`);
    if (meta) lines.push(`${INDENT}${c.dim(`docs: ${docsUrl(finding.ruleId)}`)}`);
  }
  return lines;
}

function summaryLine(input: ReportInput, summary: ReportSummary, c: Colors, color: boolean): string {
  const parts: string[] = [];
  if (summary.total > 0) {
    const counts = [
      summary.error > 0 ? plural(summary.error, "error") : "",
      summary.warning > 0 ? plural(summary.warning, "warning") : "",
      summary.info > 0 ? `${summary.info} info` : "",
    ].filter(Boolean);
    parts.push(
      `${plural(summary.total, "problem")} (${counts.join(", ")}) in ${plural(summary.filesWithFindings, "file")}`,
    );
  } else {
    parts.push(`no problems found in ${plural(summary.filesChecked, "file")} checked`);
  }
  if (summary.fixable > 0) parts.push(`${summary.fixable} fixable with --fix`);
  if (input.fixed !== undefined && input.fixed > 0) parts.push(`${input.fixed} fixed by --fix`);
  if (summary.suppressed > 0) parts.push(`${summary.suppressed} suppressed`);
  const problemFiles = new Set(input.result.problems.map((problem) => problem.file)).size;
  if (problemFiles > 0) parts.push(`${plural(problemFiles, "file")} not fully checked`);

  const text = parts.join(color ? " · " : ", ");
  if (!color) return text;
  if (summary.error > 0) return c.bold(c.red(`✖ ${text}`));
  if (summary.warning > 0) return c.bold(c.yellow(`⚠ ${text}`));
  if (summary.info > 0) return c.bold(c.blue(`ℹ ${text}`));
  return c.bold(c.yellow(`⚠ ${text}`));
}

export function formatText(input: ReportInput, options: TextOptions): string {
  const { findings, problems } = input.result;
  if (findings.length === 0 && problems.length === 0) return "";
  const c = pc.createColors(options.color);
  const meta = ruleLookup(input.rules);
  const out: string[] = [];

  for (const problem of problems) {
    const place = [displayPath(input.root, problem.file), problem.line]
      .filter((part) => part !== undefined)
      .join(":");
    out.push(`${c.yellow(sanitize(place))}: ${sanitize(problem.message)}`);
  }
  if (problems.length > 0) out.push("");

  const byFile = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byFile.get(finding.location.file) ?? [];
    list.push(finding);
    byFile.set(finding.location.file, list);
  }
  // Why a rule matters is said once, at its first finding (every time with --verbose).
  const explained = new Set<string>();
  for (const [file, list] of byFile) {
    out.push(c.bold(c.underline(sanitize(displayPath(input.root, file)))));
    const widths = { position: Math.max(...list.map((finding) => position(finding.location).length)) };
    for (const finding of list) {
      const explain = options.verbose === true || !explained.has(finding.ruleId);
      explained.add(finding.ruleId);
      out.push(...findingBlock(input, finding, meta(finding.ruleId), widths, c, options, explain));
      out.push("");
    }
  }

  out.push(summaryLine(input, summarize(input), c, options.color));
  return `${out.join("\n")}\n`;
}
