/**
 * The vocabulary of `shipshape check`: where something is, what a rule is, what it found and
 * how to fix it. Everything here is plain data so that reports, fixers, `init` and `verify`
 * can share it.
 */
import type { ShipshapeConfig } from "./config.js";
import type { ProjectFacts } from "./facts/project.js";

export type Severity = "error" | "warning" | "info";
export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];
/** Higher is more severe; used for `--fail-on` and sorting. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type Category = "reproducibility" | "secrets" | "hardening" | "runtime" | "builder-only";
export const CATEGORIES: readonly Category[] = [
  "reproducibility",
  "secrets",
  "hardening",
  "runtime",
  "builder-only",
];

/** A place in a file: 1-based line and column, as editors and SARIF count them. */
export interface Position {
  line: number;
  column: number;
}

export interface Location {
  /** Path relative to the checked directory, with forward slashes. */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** Replace the text between two offsets of a file (0-based, end exclusive). */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  /** What the fix does, in the imperative: "Use `npm ci`". */
  description: string;
  /** Edits to existing files, and files to create (start = end = 0 on an absent file). */
  edits: TextEdit[];
  /** Files the fix creates; their content is the edit text. */
  creates?: string[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  category: Category;
  location: Location;
  /** Specific to this case: names the image, the variable, the file. */
  message: string;
  /** Other places that are part of the same problem (the `.env` a COPY copies, say). */
  related?: Array<Location & { message: string }>;
  fix?: Fix;
}

/** Equivalent checks in the tools users already know, so their habits and ignores carry over. */
export interface Equivalents {
  hadolint?: string[];
  trivy?: string[];
  checkov?: string[];
  dockle?: string[];
  dclint?: string[];
}

export interface RuleMeta {
  id: string;
  /** kebab-case name, stable like the id. */
  name: string;
  title: string;
  severity: Severity;
  category: Category;
  /** Why it matters, in one or two sentences. */
  rationale: string;
  /** How to fix it, in one sentence. */
  fix: string;
  equivalents?: Equivalents;
  /** Off unless enabled in `.shipshape.yaml` (noisy checks some teams want). */
  disabledByDefault?: boolean;
  /** Examples for docs/rules.md; each is checked by a test to fire / stay clean (with `config`). */
  examples: { bad: ExampleProject; good: ExampleProject; config?: ShipshapeConfig };
}

/** A small project for docs and tests: file path → content. The first file is the one shown. */
export type ExampleProject = Record<string, string>;

/** What a rule reports: the engine adds id, severity and category from the metadata. */
export interface RuleResult {
  location: Location;
  message: string;
  related?: Finding["related"];
  fix?: Fix;
}

export interface Rule {
  meta: RuleMeta;
  /** Pure: facts in, findings out. `config` is `.shipshape.yaml` (for rules with settings). */
  check(facts: ProjectFacts, config: ShipshapeConfig): RuleResult[];
}
