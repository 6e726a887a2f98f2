/**
 * `--format markdown`: a pull-request comment. A heading with the counts, one table of findings
 * (most severe first), and per rule a collapsible why/fix. No source lines: messages are
 * already redacted, and code frames stay in the terminal.
 */
import type { Finding, RuleMeta, Severity } from "../types.js";
import { bySeverity, displayPath, docsUrl, plural, ruleLookup, summarize } from "./docs.js";
import type { ReportInput } from "./report.js";

/** Rows shown before "…and N more" (a GitHub comment holds 65,536 characters). */
export const MAX_ROWS = 200;

const BADGE: Record<Severity, string> = { error: "❌ error", warning: "⚠️ warning", info: "ℹ️ info" };

/** A code span that survives any content: enough backticks, padded when it starts or ends with one. */
function codeSpan(text: string, inTable: boolean): string {
  const flat = text.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  const body = inTable ? flat.replace(/\|/g, "\\|") : flat;
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

function escapeText(text: string, inTable: boolean): string {
  // A bare `@name` would mention a GitHub user or team: it becomes code.
  return text
    .replace(/\r?\n/g, " ")
    .split(/((?<![\w`])@[A-Za-z0-9][\w./-]*)/)
    .map((part, i) => (i % 2 === 1 ? codeSpan(part, inTable) : part.replace(/[\\`*_[\]<>~&|#]/g, "\\$&")))
    .join("");
}

/**
 * Inline markdown for text that uses `code` spans by convention (messages, titles): spans kept
 * as code, everything else escaped; in a table, `|` escaped everywhere (GFM splits cells first).
 */
export function inlineMarkdown(text: string, inTable = false): string {
  const parts = text.split(/(`[^`\n]+`)/);
  return parts
    .map((part, i) => (i % 2 === 1 ? codeSpan(part.slice(1, -1), inTable) : escapeText(part, inTable)))
    .join("");
}

/** HTML for `<summary>` (where GitHub does not render markdown): escaped, `code` as <code>. */
export function inlineHtml(text: string): string {
  const escaped = text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
  return escaped.replace(/`([^`\n]+)`/g, "<code>$1</code>");
}

function countsText(counts: { error: number; warning: number; info: number }): string {
  return [
    counts.error > 0 ? plural(counts.error, "error") : "",
    counts.warning > 0 ? plural(counts.warning, "warning") : "",
    counts.info > 0 ? `${counts.info} info` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

function row(input: ReportInput, finding: Finding, meta: RuleMeta | undefined): string {
  const rule = `[${finding.ruleId}](${docsUrl(finding.ruleId)})${meta ? ` ${codeSpan(meta.name, true)}` : ""}`;
  const place = codeSpan(`${displayPath(input.root, finding.location.file)}:${finding.location.line}`, true);
  const message = `${inlineMarkdown(finding.message, true)}${finding.fix ? " 🔧" : ""}`;
  return `| ${BADGE[finding.severity]} | ${rule} | ${place} | ${message} |`;
}

function details(meta: RuleMeta, findings: readonly Finding[]): string[] {
  const fixable = findings.some((finding) => finding.fix);
  return [
    "<details>",
    `<summary><b>${inlineHtml(meta.id)}</b> ${inlineHtml(meta.title)} (${findings.length})</summary>`,
    "",
    `**Why:** ${inlineMarkdown(meta.rationale)}`,
    "",
    `**Fix:** ${inlineMarkdown(meta.fix)}${fixable ? " `shipshape check --fix` applies it where marked 🔧." : ""}`,
    "",
    `[Rule documentation](${docsUrl(meta.id)})`,
    "",
    "</details>",
  ];
}

export function formatMarkdown(input: ReportInput): string {
  const summary = summarize(input);
  const { findings, problems } = input.result;
  const meta = ruleLookup(input.rules);
  const out: string[] = [];

  const icon = summary.failed ? "❌" : summary.total > 0 || problems.length > 0 ? "⚠️" : "✅";
  const headline =
    summary.total > 0 ? `${plural(summary.total, "finding")} (${countsText(summary)})` : "no findings";
  out.push(`### ${icon} shipshape check: ${headline}`, "");

  const facts: string[] = [];
  if (summary.total > 0)
    facts.push(`in ${plural(summary.filesWithFindings, "file")} of ${summary.filesChecked} checked`);
  else facts.push(`No findings in ${plural(summary.filesChecked, "file")} checked.`);
  if (summary.fixable > 0) facts.push(`${summary.fixable} fixable with \`shipshape check --fix\` (🔧)`);
  if (input.fixed !== undefined && input.fixed > 0) facts.push(`${input.fixed} fixed by \`--fix\``);
  if (summary.suppressed > 0) facts.push(`${summary.suppressed} suppressed by ignore comments`);
  if (summary.failOn !== "none" && summary.total > 0)
    facts.push(
      summary.failed ? `fails at \`--fail-on ${summary.failOn}\`` : `passes \`--fail-on ${summary.failOn}\``,
    );
  out.push(facts.join(" · "), "");

  if (problems.length > 0) {
    out.push(`**Not fully checked** (${plural(problems.length, "problem")}):`, "");
    for (const problem of problems) {
      const place = [displayPath(input.root, problem.file), problem.line]
        .filter((p) => p !== undefined)
        .join(":");
      out.push(`- ${codeSpan(place, false)}: ${inlineMarkdown(problem.message)}`);
    }
    out.push("");
  }

  if (findings.length > 0) {
    const sorted = [...findings].sort(bySeverity);
    out.push("| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |");
    for (const finding of sorted.slice(0, MAX_ROWS)) out.push(row(input, finding, meta(finding.ruleId)));
    out.push("");
    if (sorted.length > MAX_ROWS) {
      out.push(`…and ${sorted.length - MAX_ROWS} more: run \`shipshape check\` to see them all.`, "");
    }

    const byRule = new Map<string, Finding[]>();
    for (const finding of sorted) {
      const list = byRule.get(finding.ruleId) ?? [];
      list.push(finding);
      byRule.set(finding.ruleId, list);
    }
    for (const [ruleId, list] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
      const rule = meta(ruleId);
      if (rule) out.push(...details(rule, list), "");
    }
  }

  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}
