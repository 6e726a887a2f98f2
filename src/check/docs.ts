/**
 * docs/rules.md, generated from the rules' own metadata and examples (run each example, so the
 * page shows what shipshape really says and what `--fix` really writes). A test fails when the
 * committed page differs from what this renders: `npm run docs` regenerates it.
 */
import { runRules } from "./engine.js";
import { projectFacts } from "./facts/project.js";
import { treeFromFiles } from "./facts/tree.js";
import { applyFixes } from "./fix.js";
import { CATEGORIES, type ExampleProject, type Finding, type Rule } from "./types.js";

export interface ExampleRun {
  findings: Finding[];
  fixed?: Record<string, string>;
}

/** Run one rule on an example project (enabled even if off by default); apply its fixes once. */
export function runExample(rule: Rule, files: ExampleProject): ExampleRun {
  const config = { ...rule.meta.examples.config, rules: { [rule.meta.id]: "on" as const } };
  const findings = runRules(projectFacts(treeFromFiles(files)), config, [rule]).findings;
  const fixable = findings.filter((finding) => finding.fix);
  if (fixable.length === 0) return { findings };
  const outcome = applyFixes(fixable, (file) => files[file]);
  const fixed: Record<string, string> = {};
  for (const [file, text] of outcome.files) fixed[file] = text;
  return { findings, fixed };
}

function language(file: string): string {
  if (/Dockerfile|Containerfile/.test(file)) return "dockerfile";
  if (/\.ya?ml$/.test(file)) return "yaml";
  if (/\.json$/.test(file)) return "json";
  if (/\.[cm]?[jt]sx?$/.test(file)) return "js";
  if (/\.py$/.test(file)) return "python";
  if (/\.toml$/.test(file)) return "toml";
  return "text";
}

function fence(file: string, text: string): string {
  const body = text.endsWith("\n") ? text : `${text}\n`;
  return `\`${file}\`\n\n\`\`\`${language(file)}\n${body}\`\`\``;
}

function equivalents(rule: Rule): string {
  const eq = rule.meta.equivalents;
  if (!eq) return "";
  const parts = Object.entries(eq)
    .filter(([, ids]) => ids && ids.length > 0)
    .map(([tool, ids]) => `${tool} ${(ids as string[]).map((id) => `\`${id}\``).join(", ")}`);
  return parts.length > 0 ? parts.join(" · ") : "";
}

export function anchorOf(rule: Rule): string {
  return rule.meta.id.toLowerCase();
}

export function renderRulesMarkdown(rules: readonly Rule[]): string {
  const lines: string[] = [];
  lines.push("# shipshape check rules");
  lines.push("");
  lines.push(
    "<!-- Generated from the rules' metadata by `npm run docs`; edit the rule modules, not this file. -->",
  );
  lines.push("");
  lines.push(
    `${rules.length} rules. Severity is the default; \`.shipshape.yaml\` can change it or turn a rule off (\`rules: { SS1002: info, SS1004: off }\`). ` +
      "A rule marked *off by default* runs only when enabled (`SS1014: on`). Silence one finding with a comment on the line above it: " +
      "`# shipshape-ignore SS1001 reason` (hadolint's `# hadolint ignore=DL3007` is honoured for the rules that map to it).",
  );
  lines.push("");
  const runs = new Map(
    rules.map((rule) => [rule.meta.id, runExample(rule, rule.meta.examples.bad)] as const),
  );
  for (const category of CATEGORIES) {
    const inCategory = rules.filter((rule) => rule.meta.category === category);
    if (inCategory.length === 0) continue;
    lines.push(`## ${category[0]!.toUpperCase()}${category.slice(1)}`);
    lines.push("");
    lines.push("| Rule | Title | Severity | Fix |");
    lines.push("| --- | --- | --- | --- |");
    for (const rule of inCategory) {
      const fixable = runs.get(rule.meta.id)?.fixed ? "`--fix`" : "";
      const severity = rule.meta.disabledByDefault
        ? `${rule.meta.severity} (off by default)`
        : rule.meta.severity;
      lines.push(
        `| [${rule.meta.id}](#${anchorOf(rule)}) | ${rule.meta.title.replace(/\|/g, "\\|")} | ${severity} | ${fixable} |`,
      );
    }
    lines.push("");
  }
  lines.push("---");
  lines.push("");
  for (const rule of rules) {
    const { meta } = rule;
    const run = runs.get(meta.id)!;
    lines.push(`<a id="${anchorOf(rule)}"></a>`);
    lines.push("");
    lines.push(`### ${meta.id} ${meta.name}`);
    lines.push("");
    lines.push(`**${meta.title}**`);
    lines.push("");
    const facts = [
      `severity: ${meta.severity}${meta.disabledByDefault ? " (off by default)" : ""}`,
      `category: ${meta.category}`,
    ];
    if (run.fixed) facts.push("fixable with `--fix`");
    const eq = equivalents(rule);
    if (eq) facts.push(`same as: ${eq}`);
    lines.push(facts.join(" · "));
    lines.push("");
    lines.push(`**Why:** ${meta.rationale}`);
    lines.push("");
    lines.push(`**Fix:** ${meta.fix}`);
    lines.push("");
    if (meta.examples.config) {
      lines.push(`With \`.shipshape.yaml\`: \`${JSON.stringify(meta.examples.config)}\``);
      lines.push("");
    }
    const [badFile, badText] = Object.entries(meta.examples.bad)[0] ?? ["", ""];
    lines.push("Bad:");
    lines.push("");
    lines.push(fence(badFile, badText));
    lines.push("");
    const first = run.findings[0];
    if (first) {
      lines.push(`shipshape says: \`${first.location.file}:${first.location.line}\` ${first.message}`);
      lines.push("");
    }
    const [goodFile, goodText] = Object.entries(meta.examples.good)[0] ?? ["", ""];
    lines.push("Good:");
    lines.push("");
    lines.push(fence(goodFile, goodText));
    lines.push("");
    if (run.fixed) {
      for (const [file, text] of Object.entries(run.fixed)) {
        lines.push(`\`--fix\` writes${meta.examples.bad[file] === undefined ? " (new file)" : ""}:`);
        lines.push("");
        lines.push(fence(file, text));
        lines.push("");
      }
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
