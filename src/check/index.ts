/**
 * `check` as a library: load a directory (honouring `.shipshape.yaml`), derive facts, run the
 * rules, and optionally apply mechanical fixes and re-check. The CLI is a thin layer over this.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import ignore from "ignore";
import { InputError } from "../errors.js";
import { CONFIG_FILES, parseConfig, type ShipshapeConfig } from "./config.js";
import { type CheckResult, runRules } from "./engine.js";
import { type ProjectFacts, projectFacts } from "./facts/project.js";
import type { ProjectTree } from "./facts/tree.js";
import { applyFixes } from "./fix.js";
import { loadTree } from "./load.js";
import type { Finding, Severity } from "./types.js";

export { parseConfig, type ShipshapeConfig } from "./config.js";
export { type CheckResult, failsAt, runRules } from "./engine.js";
export { type ProjectFacts, projectFacts } from "./facts/project.js";
export { type ProjectTree, treeFromFiles } from "./facts/tree.js";
export { applyFixes } from "./fix.js";
export { loadTree } from "./load.js";
export { RULES, ruleById } from "./rules/index.js";
export type { Category, Finding, Location, Rule, RuleMeta, Severity } from "./types.js";

export interface CheckOptions {
  /** Dockerfiles to check (paths relative to the current directory or absolute), instead of discovery. */
  files?: string[];
  /** A config file to use instead of `<dir>/.shipshape.yaml`. */
  configFile?: string;
  /** Overrides on top of the config file (from CLI flags). */
  failOn?: Severity | "none";
}

export interface CheckRun {
  dir: string;
  config: ShipshapeConfig;
  configFile?: string;
  tree: ProjectTree;
  facts: ProjectFacts;
  result: CheckResult;
  failOn: Severity | "none";
}

export function loadConfig(dir: string, explicit?: string): { config: ShipshapeConfig; file?: string } {
  const file = explicit
    ? resolve(explicit)
    : CONFIG_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (!file) return { config: {} };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(
      file,
      undefined,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return { config: parseConfig(relativeTo(file), text), file };
}

function relativeTo(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}

function skipper(config: ShipshapeConfig): (path: string) => boolean {
  if (!config.ignorePaths?.length) return () => false;
  const matcher = ignore().add(config.ignorePaths);
  return (path) => matcher.ignores(path);
}

/** A directory read and understood (config, files, facts), without running the rules. */
export interface LoadedProject {
  dir: string;
  config: ShipshapeConfig;
  configFile?: string;
  tree: ProjectTree;
  facts: ProjectFacts;
}

/**
 * Reads a directory the way `check` does (its config's ignorePaths, `--file` Dockerfiles) into
 * facts: what `check`, `pin`, `build` and `verify` all start from.
 */
export function loadProject(
  dirArg: string,
  options: Pick<CheckOptions, "files" | "configFile"> = {},
): LoadedProject {
  const dir = resolve(dirArg);
  const { config, file: configFile } = loadConfig(dir, options.configFile);
  const tree = loadTree(dir, skipper(config));
  const dockerfiles = options.files?.map((file) => {
    const absolute = isAbsolute(file) ? file : resolve(file);
    const inside = relative(dir, absolute);
    if (inside.startsWith("..") || isAbsolute(inside)) {
      throw new InputError(
        file,
        undefined,
        `is outside ${dirArg}`,
        "--file names a Dockerfile inside the checked directory",
      );
    }
    if (!existsSync(absolute)) throw new InputError(file, undefined, "does not exist");
    return inside.split(sep).join("/");
  });
  const facts = projectFacts(tree, dockerfiles ? { dockerfiles } : {});
  return configFile ? { dir, config, configFile, tree, facts } : { dir, config, tree, facts };
}

export function checkDirectory(dirArg: string, options: CheckOptions = {}): CheckRun {
  const project = loadProject(dirArg, options);
  return {
    ...project,
    result: runRules(project.facts, project.config),
    failOn: options.failOn ?? project.config.failOn ?? "error",
  };
}

export interface FixReport {
  run: CheckRun;
  /** Findings whose fix was applied, over all passes. */
  applied: Finding[];
  /** Files written (relative to the directory). */
  written: string[];
}

/**
 * Apply mechanical fixes in place, re-checking after each pass (a fix can make another one
 * applicable or move lines), at most `passes` times. Files are replaced atomically.
 */
export function fixDirectory(dirArg: string, options: CheckOptions = {}, passes = 4): FixReport {
  let run = checkDirectory(dirArg, options);
  const applied: Finding[] = [];
  const written = new Set<string>();
  // A fix that did not make its finding go away is not applied again (it would repeat its edit).
  const tried = new Set<string>();
  const keyOf = (finding: Finding) => `${finding.ruleId}|${finding.location.file}|${finding.message}`;
  for (let pass = 0; pass < passes; pass++) {
    const fixable = run.result.findings.filter((finding) => finding.fix && !tried.has(keyOf(finding)));
    if (fixable.length === 0) break;
    const outcome = applyFixes(fixable, (file) => {
      const source = run.tree.texts.get(file);
      if (source) return source.text;
      const path = join(run.dir, file);
      return existsSync(path) ? readFileSync(path, "utf8") : undefined;
    });
    if (outcome.files.size === 0) break;
    // Fixes skipped for overlapping another one get their turn in the next pass.
    for (const finding of outcome.applied) tried.add(keyOf(finding));
    for (const [file, text] of outcome.files) {
      const path = join(run.dir, file);
      const bom = run.tree.texts.get(file)?.bom ? "\uFEFF" : "";
      const temporary = join(dirname(path), `.${Date.now()}.shipshape-fix.tmp`);
      writeFileSync(temporary, bom + text);
      renameSync(temporary, path);
      written.add(file);
    }
    applied.push(...outcome.applied);
    run = checkDirectory(dirArg, options);
  }
  return { run, applied, written: [...written].sort() };
}
