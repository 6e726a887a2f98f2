/**
 * Runs the rules over a project's facts: applies `.shipshape.yaml` (rules on/off, severity
 * overrides), inline ignores (`# shipshape-ignore SS1001 reason`, `# hadolint ignore=DL3007`),
 * sorts and de-duplicates findings. Pure: no file system, no output.
 */
import type { ShipshapeConfig } from "./config.js";
import type { ProjectFacts } from "./facts/project.js";
import type { SourceText } from "./facts/source.js";
import type { InputProblem } from "./facts/tree.js";
import { RULES } from "./rules/index.js";
import { type Finding, type Rule, SEVERITY_RANK, type Severity } from "./types.js";

export interface CheckResult {
  findings: Finding[];
  /** Findings an inline ignore or the config silenced (counted in the summary, not shown). */
  suppressed: number;
  problems: InputProblem[];
  /** Files the check read (Dockerfiles, compose files, manifests, code). */
  filesChecked: number;
}

export function enabledRules(
  config: ShipshapeConfig = {},
  rules: readonly Rule[] = RULES,
): Array<{ rule: Rule; severity: Severity }> {
  const out: Array<{ rule: Rule; severity: Severity }> = [];
  for (const rule of rules) {
    const setting = config.rules?.[rule.meta.id];
    if (setting === "off" || config.ignore?.includes(rule.meta.id)) continue;
    if (rule.meta.disabledByDefault && setting === undefined) continue;
    out.push({ rule, severity: setting === undefined || setting === "on" ? rule.meta.severity : setting });
  }
  return out;
}

/** Rule ids silenced on a line by comments directly above it (or at its end). */
export function inlineIgnores(
  lines: (line: number) => string,
  line: number,
): { ids: Set<string>; hadolint: Set<string> } {
  const ids = new Set<string>();
  const hadolint = new Set<string>();
  const read = (text: string) => {
    const own = /(?:#|\/\/)\s*shipshape-ignore\s+((?:SS\d{4}[\s,]*)+)/.exec(text);
    if (own?.[1]) for (const id of own[1].match(/SS\d{4}/g) ?? []) ids.add(id);
    const theirs = /#\s*hadolint\s+ignore=([A-Z0-9,\s]+)/.exec(text);
    if (theirs?.[1]) for (const id of theirs[1].split(/[,\s]+/).filter(Boolean)) hadolint.add(id);
  };
  read(lines(line));
  for (let above = line - 1; above >= 1; above--) {
    const text = lines(above);
    if (!/^\s*(?:#|\/\/)/.test(text)) break;
    read(text);
  }
  return { ids, hadolint };
}

/** Whether a file has any ignore comment at all: most have none, and then no line is read. */
const hasIgnoreComments = new WeakMap<SourceText, boolean>();

function isIgnoredInline(facts: ProjectFacts, finding: Finding, rule: Rule): boolean {
  const source = facts.text(finding.location.file);
  if (!source) return false;
  let any = hasIgnoreComments.get(source);
  if (any === undefined) {
    any = /shipshape-ignore|hadolint\s+ignore/.test(source.text);
    hasIgnoreComments.set(source, any);
  }
  if (!any) return false;
  const { ids, hadolint } = inlineIgnores((line) => source.line(line), finding.location.line);
  if (ids.has(rule.meta.id)) return true;
  return (rule.meta.equivalents?.hadolint ?? []).some((id) => hadolint.has(id));
}

export function runRules(
  facts: ProjectFacts,
  config: ShipshapeConfig = {},
  rules: readonly Rule[] = RULES,
): CheckResult {
  const findings: Finding[] = [];
  let suppressed = 0;
  const seen = new Set<string>();
  for (const { rule, severity } of enabledRules(config, rules)) {
    for (const result of rule.check(facts, config)) {
      const finding: Finding = {
        ruleId: rule.meta.id,
        severity,
        category: rule.meta.category,
        location: result.location,
        message: result.message,
      };
      if (result.related && result.related.length > 0) finding.related = result.related;
      if (result.fix) finding.fix = result.fix;
      const key = `${finding.ruleId}|${finding.location.file}|${finding.location.line}|${finding.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (isIgnoredInline(facts, finding, rule)) {
        suppressed++;
        continue;
      }
      findings.push(finding);
    }
  }
  findings.sort(compareFindings);
  return { findings, suppressed, problems: facts.problems, filesChecked: facts.tree.texts.size };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    ordinal(a.location.file, b.location.file) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    ordinal(a.ruleId, b.ruleId)
  );
}

/** Code-unit order: stable across locales, and much cheaper than `localeCompare` in a sort. */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether findings reach the `--fail-on` threshold. */
export function failsAt(findings: readonly Finding[], failOn: Severity | "none"): boolean {
  if (failOn === "none") return false;
  return findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
}
