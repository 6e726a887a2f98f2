/**
 * `--format json`: the result as data, in the versioned schema documented in
 * docs/json-output.md (docs/check-result.schema.json). Additive changes keep `schemaVersion`;
 * renaming, removing or retyping a field bumps it.
 */
import type { Location } from "../types.js";
import {
  docsUrl,
  fixAdvice,
  JSON_SCHEMA_URL,
  JSON_SCHEMA_VERSION,
  ruleLookup,
  summarize,
  TOOL_NAME,
} from "./docs.js";
import type { ReportInput } from "./report.js";

export interface JsonLocation {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface JsonFinding extends JsonLocation {
  ruleId: string;
  ruleName: string;
  title: string;
  severity: "error" | "warning" | "info";
  category: string;
  message: string;
  rationale: string;
  fix: { description: string; mechanical: boolean };
  docs: string;
  related: Array<JsonLocation & { message: string }>;
}

export interface JsonReport {
  $schema: string;
  schemaVersion: number;
  tool: { name: string; version: string };
  root: string;
  summary: {
    errors: number;
    warnings: number;
    info: number;
    suppressed: number;
    fixable: number;
    fixed?: number;
    filesChecked: number;
    failOn: "error" | "warning" | "info" | "none";
    failed: boolean;
  };
  problems: Array<{ file: string; line?: number; column?: number; message: string }>;
  findings: JsonFinding[];
}

function location(loc: Location): JsonLocation {
  const out: JsonLocation = { file: loc.file, line: loc.line, column: loc.column };
  if (loc.endLine !== undefined) out.endLine = loc.endLine;
  if (loc.endColumn !== undefined) out.endColumn = loc.endColumn;
  return out;
}

export function toJsonReport(input: ReportInput): JsonReport {
  const summary = summarize(input);
  const meta = ruleLookup(input.rules);
  return {
    $schema: JSON_SCHEMA_URL,
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: input.toolVersion },
    root: input.root,
    summary: {
      errors: summary.error,
      warnings: summary.warning,
      info: summary.info,
      suppressed: summary.suppressed,
      fixable: summary.fixable,
      ...(input.fixed !== undefined ? { fixed: input.fixed } : {}),
      filesChecked: summary.filesChecked,
      failOn: summary.failOn,
      failed: summary.failed,
    },
    problems: input.result.problems.map((problem) => ({
      file: problem.file,
      ...(problem.line !== undefined ? { line: problem.line } : {}),
      ...(problem.column !== undefined ? { column: problem.column } : {}),
      message: problem.message,
    })),
    findings: input.result.findings.map((finding) => {
      const rule = meta(finding.ruleId);
      return {
        ruleId: finding.ruleId,
        ruleName: rule?.name ?? finding.ruleId,
        title: rule?.title ?? "",
        severity: finding.severity,
        category: finding.category,
        ...location(finding.location),
        message: finding.message,
        rationale: rule?.rationale ?? "",
        fix: fixAdvice(finding, rule),
        docs: docsUrl(finding.ruleId),
        related: (finding.related ?? []).map((related) => ({
          ...location(related),
          message: related.message,
        })),
      };
    }),
  };
}

export function formatJson(input: ReportInput): string {
  return `${JSON.stringify(toJsonReport(input), null, 2)}\n`;
}
