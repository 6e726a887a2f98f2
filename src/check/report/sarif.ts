/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). One run; the
 * driver lists every rule with its rationale, fix and docs; results carry a fingerprint that
 * survives line moves (rule + file + the masked text of the line, never the line number).
 */
import { createHash } from "node:crypto";
import type * as Sarif from "sarif";
import { redactLine } from "../facts/secrets.js";
import type { Finding, Location, RuleMeta, Severity } from "../types.js";
import { displayPath, docsUrl, REPO_URL, ruleLookup, TOOL_NAME } from "./docs.js";
import type { ReportInput } from "./report.js";

export const SARIF_SCHEMA_URL = "https://json.schemastore.org/sarif-2.1.0.json";
export const SRCROOT = "%SRCROOT%";

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: "error",
  warning: "warning",
  info: "note",
};
/** GitHub's scale: 7.0–8.9 high, 4.0–6.9 medium. */
const SECURITY_SEVERITY: Partial<Record<Severity, string>> = { error: "8.0", warning: "5.0" };
const SECURITY_CATEGORIES = new Set(["secrets", "hardening"]);

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => (/^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment)))
    .join("/");
}

/**
 * Where a file is, as GitHub resolves it: relative to the directory shipshape ran in (a
 * repository checkout in CI) under %SRCROOT%, or a `file://` URI when the checked directory is
 * outside it (a uriBaseId may only go with a relative reference).
 */
export function artifactLocation(root: string, file: string): Sarif.ArtifactLocation {
  const path = displayPath(root, file).replace(/\\/g, "/");
  if (isAbsolute(path)) return { uri: `file://${path.startsWith("/") ? "" : "/"}${encodePath(path)}` };
  return { uri: encodePath(path.replace(/^\.\//, "")), uriBaseId: SRCROOT };
}

function region(location: Pick<Location, "line" | "column" | "endLine" | "endColumn">): Sarif.Region {
  const out: Sarif.Region = { startLine: location.line, startColumn: Math.max(1, location.column) };
  if (location.endLine !== undefined) out.endLine = location.endLine;
  if (location.endColumn !== undefined) out.endColumn = location.endColumn;
  return out;
}

function physical(root: string, location: Location): Sarif.PhysicalLocation {
  return { artifactLocation: artifactLocation(root, location.file), region: region(location) };
}

function redactedMarkdownBlock(file: string, text: string): string {
  const body = text
    .split("\n")
    .map((line) => redactLine(line))
    .join("\n")
    .replace(/\n$/, "");
  const longestTicks = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestTicks + 1));
  const language = /Dockerfile|Containerfile/.test(file) ? "dockerfile" : /\.ya?ml$/.test(file) ? "yaml" : "";
  return `\`${file}\`:\n\n${fence}${language}\n${body}\n${fence}`;
}

function help(meta: RuleMeta): Sarif.MultiformatMessageString {
  const [badFile, badText] = Object.entries(meta.examples.bad)[0] ?? [];
  const [goodFile, goodText] = Object.entries(meta.examples.good)[0] ?? [];
  const text = [meta.rationale, `Fix: ${meta.fix}`, `Docs: ${docsUrl(meta.id)}`].join("\n\n");
  const markdown = [
    `**${meta.title}**`,
    meta.rationale,
    `**Fix:** ${meta.fix}`,
    ...(badFile !== undefined && badText !== undefined
      ? ["Bad:", redactedMarkdownBlock(badFile, badText)]
      : []),
    ...(goodFile !== undefined && goodText !== undefined
      ? ["Good:", redactedMarkdownBlock(goodFile, goodText)]
      : []),
    `[${meta.id} ${meta.name}](${docsUrl(meta.id)})`,
  ].join("\n\n");
  return { text, markdown };
}

function descriptor(meta: RuleMeta, effective: Severity): Sarif.ReportingDescriptor {
  const security = SECURITY_CATEGORIES.has(meta.category);
  const properties: Sarif.PropertyBag = {
    category: meta.category,
    tags: security ? [meta.category, "security"] : [meta.category],
  };
  const score = SECURITY_SEVERITY[effective];
  if (security && score) properties["security-severity"] = score;
  return {
    id: meta.id,
    name: meta.name,
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.rationale },
    help: help(meta),
    helpUri: docsUrl(meta.id),
    defaultConfiguration: {
      level: LEVEL[meta.severity],
      ...(meta.disabledByDefault ? { enabled: false } : {}),
    },
    properties,
  };
}

/** A descriptor for a finding whose rule the report was not given (kept valid, with what is known). */
function unknownDescriptor(finding: Finding): Sarif.ReportingDescriptor {
  return {
    id: finding.ruleId,
    helpUri: docsUrl(finding.ruleId),
    defaultConfiguration: { level: LEVEL[finding.severity] },
    properties: { category: finding.category, tags: [finding.category] },
  };
}

/** A stable id for an alert: rule, file and the masked, whitespace-normalised line, plus an occurrence count. */
export function fingerprint(input: ReportInput, finding: Finding, seen: Map<string, number>): string {
  const source = input.sources(finding.location.file);
  const line = source ? redactLine(source.line(finding.location.line)).trim().replace(/\s+/g, " ") : "";
  const hash = createHash("sha256")
    .update(`${finding.ruleId}\0${finding.location.file}\0${line === "" ? finding.message : line}`)
    .digest("hex")
    .slice(0, 32);
  const occurrence = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, occurrence);
  return `${hash}:${occurrence}`;
}

/** The finding's mechanical fix as SARIF replacements (character offsets; files with a BOM are left out). */
function fixes(input: ReportInput, finding: Finding): Sarif.Fix[] | undefined {
  const fix = finding.fix;
  if (!fix || fix.edits.length === 0) return undefined;
  if (fix.edits.some((edit) => input.sources(edit.file)?.bom)) return undefined;
  const byFile = new Map<string, Sarif.Replacement[]>();
  for (const edit of fix.edits) {
    const list = byFile.get(edit.file) ?? [];
    const replacement: Sarif.Replacement = {
      deletedRegion: { charOffset: edit.start, charLength: Math.max(0, edit.end - edit.start) },
    };
    if (edit.text !== "") replacement.insertedContent = { text: edit.text };
    list.push(replacement);
    byFile.set(edit.file, list);
  }
  return [
    {
      description: { text: fix.description },
      artifactChanges: [...byFile].map(([file, replacements]) => ({
        artifactLocation: artifactLocation(input.root, file),
        replacements,
      })),
    },
  ];
}

export function toSarif(input: ReportInput): Sarif.Log {
  const meta = ruleLookup(input.rules);
  const { findings, problems } = input.result;
  const effective = new Map<string, Severity>();
  for (const finding of findings)
    if (!effective.has(finding.ruleId)) effective.set(finding.ruleId, finding.severity);

  const rules: Sarif.ReportingDescriptor[] = input.rules.map((rule) =>
    descriptor(rule.meta, effective.get(rule.meta.id) ?? rule.meta.severity),
  );
  const index = new Map(rules.map((rule, i) => [rule.id, i] as const));
  for (const finding of findings) {
    if (index.has(finding.ruleId)) continue;
    index.set(finding.ruleId, rules.length);
    rules.push(unknownDescriptor(finding));
  }

  const seen = new Map<string, number>();
  const results: Sarif.Result[] = findings.map((finding) => {
    const result: Sarif.Result = {
      ruleId: finding.ruleId,
      ruleIndex: index.get(finding.ruleId) ?? 0,
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [{ physicalLocation: physical(input.root, finding.location) }],
      partialFingerprints: { primaryLocationLineHash: fingerprint(input, finding, seen) },
      properties: { category: finding.category, ...(meta(finding.ruleId) ? {} : { unknownRule: true }) },
    };
    if (finding.related && finding.related.length > 0) {
      result.relatedLocations = finding.related.map((related, i) => ({
        id: i + 1,
        physicalLocation: physical(input.root, related),
        message: { text: related.message },
      }));
    }
    const fix = fixes(input, finding);
    if (fix) result.fixes = fix;
    return result;
  });

  const notifications: Sarif.Notification[] = problems.map((problem) => {
    const location: Sarif.PhysicalLocation = { artifactLocation: artifactLocation(input.root, problem.file) };
    if (problem.line !== undefined)
      location.region = region({ line: problem.line, column: problem.column ?? 1 });
    return {
      level: "warning",
      message: { text: problem.message },
      locations: [{ physicalLocation: location }],
    };
  });

  return {
    $schema: SARIF_SCHEMA_URL,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: input.toolVersion,
            semanticVersion: input.toolVersion,
            informationUri: REPO_URL,
            rules,
          },
        },
        originalUriBaseIds: {
          [SRCROOT]: {
            description: { text: "The directory shipshape ran in; file URIs are relative to it." },
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: "utf16CodeUnits",
        results,
        properties: { suppressed: input.result.suppressed, filesChecked: input.result.filesChecked },
      },
    ],
  };
}

export function formatSarif(input: ReportInput): string {
  return `${JSON.stringify(toSarif(input), null, 2)}\n`;
}
