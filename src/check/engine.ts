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
import { type Finding, type Rule, type RuleResult, SEVERITY_RANK, type Severity } from "./types.js";

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
  const produced: Array<{ rule: Rule; severity: Severity; results: readonly RuleResult[] }> = [];
  let pipeInPath = false;
  for (const { rule, severity } of enabledRules(config, rules)) {
    const output = rule.check(facts, config);
    const results = Array.isArray(output) ? output : [...output];
    for (const result of results) if (result.location.file.includes("|")) pipeInPath = true;
    produced.push({ rule, severity, results });
  }
  // Duplicates (same rule, file, line and message) are found by rule, file and line, then by
  // comparing messages: cheaper than hashing a fresh key string for every finding. With a `|` in
  // a path the joined key could make different findings equal: then it is used as it always was.
  const seen = pipeInPath ? new Set<string>() : undefined;
  const messagesAt = new Map<string, Map<string, Map<number, string[]>>>();
  for (const { rule, severity, results } of produced) {
    for (const result of results) {
      const finding: Finding = {
        ruleId: rule.meta.id,
        severity,
        category: rule.meta.category,
        location: result.location,
        message: result.message,
      };
      if (result.related && result.related.length > 0) finding.related = result.related;
      if (result.fix) finding.fix = result.fix;
      if (seen ? isDuplicateKey(finding, seen) : isDuplicate(finding, messagesAt)) continue;
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

/** Whether a finding repeats an earlier one of its rule (and note it when it does not). */
function isDuplicate(finding: Finding, messagesAt: Map<string, Map<string, Map<number, string[]>>>): boolean {
  const { file, line } = finding.location;
  let files = messagesAt.get(finding.ruleId);
  if (!files) {
    files = new Map();
    messagesAt.set(finding.ruleId, files);
  }
  let lines = files.get(file);
  if (!lines) {
    lines = new Map();
    files.set(file, lines);
  }
  const messages = lines.get(line);
  if (!messages) {
    lines.set(line, [finding.message]);
    return false;
  }
  if (messages.includes(finding.message)) return true;
  messages.push(finding.message);
  return false;
}

/** The same by one joined key (used when a path holds a `|`, which the joined key does not separate). */
function isDuplicateKey(finding: Finding, seen: Set<string>): boolean {
  const key = `${finding.ruleId}|${finding.location.file}|${finding.location.line}|${finding.message}`;
  if (seen.has(key)) return true;
  seen.add(key);
  return false;
}

export function compareFindings(a: Finding, b: Finding): number {
  // Most pairs share their file (and many their rule): equal strings need no collator.
  return (
    (a.location.file === b.location.file ? 0 : byLocale(a.location.file, b.location.file)) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (a.ruleId === b.ruleId ? 0 : byLocale(a.ruleId, b.ruleId))
  );
}

/** `localeCompare`'s order from one collator: `localeCompare` builds a new one on every call. */
const byLocale = new Intl.Collator().compare;

/** Whether findings reach the `--fail-on` threshold. */
export function failsAt(findings: readonly Finding[], failOn: Severity | "none"): boolean {
  if (failOn === "none") return false;
  return findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
}
