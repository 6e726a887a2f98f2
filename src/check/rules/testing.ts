/**
 * Test helpers for rule modules: run one rule over a project given as a record of files, and
 * apply its fixes. Used by the `*.test.ts` beside each rule and by the docs-examples test.
 */

import type { ShipshapeConfig } from "../config.js";
import { runRules } from "../engine.js";
import { projectFacts } from "../facts/project.js";
import { treeFromFiles } from "../facts/tree.js";
import { applyFixes } from "../fix.js";
import type { Finding, Rule } from "../types.js";

export function findingsOf(
  rule: Rule,
  files: Record<string, string>,
  config: ShipshapeConfig = {},
): Finding[] {
  const enabled: ShipshapeConfig = { ...config, rules: { [rule.meta.id]: "on", ...config.rules } };
  return runRules(projectFacts(treeFromFiles(files)), enabled, [rule]).findings;
}

/** `file:line` of each finding, for compact assertions. */
export function linesOf(rule: Rule, files: Record<string, string>): string[] {
  return findingsOf(rule, files).map((finding) => `${finding.location.file}:${finding.location.line}`);
}

/** The project after applying the rule's fixes once (unchanged files included). */
export function fixedBy(rule: Rule, files: Record<string, string>): Record<string, string> {
  const findings = findingsOf(rule, files);
  const outcome = applyFixes(findings, (file) => files[file]);
  const result = { ...files };
  for (const [file, text] of outcome.files) result[file] = text;
  return result;
}
