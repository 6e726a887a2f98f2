/**
 * A verify report in each output format: text (the human checklist with evidence and fixes),
 * JSON (the VerifyReport itself, schemaVersion 1), JUnit XML (one testcase per check, for CI test
 * reporters) and Markdown (for a pull-request comment). Pure: a report in, a string out.
 */
import pc from "picocolors";
import type { CheckResult, CheckState, VerifyReport } from "./types.js";

export const FORMATS = ["text", "json", "junit", "markdown"] as const;
export type VerifyFormat = (typeof FORMATS)[number];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const MAX_EVIDENCE = 14;

export function stateMark(state: CheckState, colors: ReturnType<typeof pc.createColors>): string {
  switch (state) {
    case "pass":
      return colors.green("✓");
    case "fail":
      return colors.red("✗");
    case "skip":
      return colors.dim("-");
    case "running":
      return colors.cyan("…");
    default:
      return colors.dim("·");
  }
}

function targetLine(report: VerifyReport): string {
  const id = report.target.imageId ? ` (${report.target.imageId.replace(/^sha256:/, "").slice(0, 12)})` : "";
  return report.target.dir
    ? `${report.target.dir}: image ${report.target.image}${id}`
    : `image ${report.target.image}${id}`;
}

export function formatText(report: VerifyReport, options: { color?: boolean } = {}): string {
  const colors = pc.createColors(options.color ?? false);
  const lines: string[] = [`shipshape verify ${targetLine(report)}`, ""];
  for (const check of report.checks) {
    const title = `${check.number} ${check.title}`;
    const time = check.durationMs > 0 ? colors.dim(`  ${seconds(check.durationMs)}`) : "";
    lines.push(`${stateMark(check.status, colors)} ${colors.bold(title)}  ${check.summary}${time}`);
    const evidence = check.evidence.slice(0, MAX_EVIDENCE);
    for (const line of evidence) lines.push(`    ${check.status === "pass" ? colors.dim(line) : line}`);
    if (check.evidence.length > MAX_EVIDENCE)
      lines.push(colors.dim(`    … ${check.evidence.length - MAX_EVIDENCE} more (--format json lists all)`));
    if (check.status === "fail" && check.fix) lines.push(`    ${colors.cyan("fix:")} ${check.fix}`);
  }
  const { passed, failed, skipped } = report.summary;
  lines.push("");
  const verdict = failed > 0 ? colors.red(`${failed} failed`) : `${failed} failed`;
  lines.push(
    `${report.checks.length} checks: ${colors.green(`${passed} passed`)}, ${verdict}, ${skipped} skipped (${seconds(report.durationMs)})`,
  );
  return `${lines.join("\n")}\n`;
}

export function formatJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: keeping only the characters XML 1.0 allows is the point
const NOT_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text safe in XML 1.0: escaped, and without the control characters XML cannot hold. */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function checkBody(check: CheckResult): string {
  return [...check.evidence, ...(check.fix ? [`fix: ${check.fix}`] : [])].join("\n");
}

export function formatJunit(report: VerifyReport): string {
  const { passed, failed, skipped } = report.summary;
  const tests = passed + failed + skipped;
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const suite = `shipshape verify ${report.target.dir ?? report.target.image}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="shipshape verify" tests="${tests}" failures="${failed}" errors="0" skipped="${skipped}" time="${time(report.durationMs)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${tests}" failures="${failed}" errors="0" skipped="${skipped}" time="${time(report.durationMs)}" timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, ""))}">`,
  ];
  for (const check of report.checks) {
    const open = `    <testcase classname="shipshape.verify" name="${xmlEscape(`${check.number} ${check.title}`)}" time="${time(check.durationMs)}"`;
    const body = checkBody(check);
    if (check.status === "fail") {
      lines.push(`${open}>`);
      lines.push(
        `      <failure message="${xmlEscape(check.summary)}" type="${xmlEscape(check.id)}">${xmlEscape(body)}</failure>`,
      );
      lines.push("    </testcase>");
    } else if (check.status === "skip") {
      lines.push(`${open}>`);
      lines.push(`      <skipped message="${xmlEscape(check.summary)}"/>`);
      lines.push("    </testcase>");
    } else if (body) {
      lines.push(`${open}>`);
      lines.push(`      <system-out>${xmlEscape(body)}</system-out>`);
      lines.push("    </testcase>");
    } else lines.push(`${open}/>`);
  }
  lines.push("  </testsuite>", "</testsuites>");
  return `${lines.join("\n")}\n`;
}

/** Text inside a Markdown table cell or list item: no pipes, no newlines, backticks kept. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function formatMarkdown(report: VerifyReport): string {
  const { passed, failed, skipped } = report.summary;
  const icon = { pass: "✅", fail: "❌", skip: "⏭️" } as const;
  const lines = [
    `### shipshape verify: ${failed > 0 ? `${failed} of ${report.checks.length} checks failed` : "all checks passed"}`,
    "",
    `\`${cell(targetLine(report))}\` · ${passed} passed, ${failed} failed, ${skipped} skipped · ${seconds(report.durationMs)}`,
    "",
    "| | Check | Result |",
    "| --- | --- | --- |",
    ...report.checks.map(
      (check) => `| ${icon[check.status]} | ${check.number}. ${check.title} | ${cell(check.summary)} |`,
    ),
  ];
  for (const check of report.checks.filter((c) => c.status === "fail")) {
    lines.push(
      "",
      `<details open><summary>❌ ${check.number}. ${check.title}: ${cell(check.summary)}</summary>`,
      "",
    );
    lines.push("```text", ...check.evidence.map((line) => line.replace(/```/g, "'''")), "```");
    if (check.fix) lines.push("", `**Fix:** ${check.fix}`);
    lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}

export function render(
  report: VerifyReport,
  format: VerifyFormat,
  options: { color?: boolean } = {},
): string {
  switch (format) {
    case "json":
      return formatJson(report);
    case "junit":
      return formatJunit(report);
    case "markdown":
      return formatMarkdown(report);
    default:
      return formatText(report, options);
  }
}
