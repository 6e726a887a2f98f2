import type { BuildContext, IgnorePattern } from "../../facts/context.js";
import type { Rule, RuleResult } from "../../types.js";
import { instructionAt } from "../helpers.js";
import { reachableStages } from "./support.js";

/** Whether a source excluded by a pattern still has entries re-included by a `!` exception. */
function partlySent(context: BuildContext, path: string): boolean {
  if (!context.dockerignore?.patterns.some((pattern) => pattern.negated)) return false;
  return context.sentEntries().some((entry) => entry.path.startsWith(`${path}/`));
}

export const rule: Rule = {
  meta: {
    id: "SS3006",
    name: "copy-source-missing",
    title: "`COPY` names a file that is not in the build context",
    severity: "error",
    category: "builder-only",
    rationale:
      'A COPY source that does not exist in the context, or that `.dockerignore` leaves out, stops the build with `failed to compute cache key: "/x": not found`: it exists on the author\'s machine (a generated file, a git-ignored file) or the ignore file was written for another purpose.',
    fix: "Commit or generate the file before the build, fix the path, or stop excluding it in `.dockerignore`.",
    examples: {
      bad: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY dist ./dist\nCMD ["node", "dist/server.js"]\n',
        ".dockerignore": "node_modules\ndist\n",
        "package.json": "{}\n",
        "package-lock.json": "{}\n",
        "dist/server.js": "\n",
      },
      good: {
        Dockerfile:
          'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY dist ./dist\nCMD ["node", "dist/server.js"]\n',
        ".dockerignore": "node_modules\n",
        "package.json": "{}\n",
        "package-lock.json": "{}\n",
        "dist/server.js": "\n",
      },
    },
  },
  check(facts) {
    // A tree cut short by the entry limit cannot say what is missing.
    if (facts.tree.problems.some((problem) => /^more than \d+ files/.test(problem.message))) return [];
    const results: RuleResult[] = [];
    for (const target of facts.dockerfiles) {
      const { dockerfile, context } = target;
      const reachable = reachableStages(dockerfile);
      for (const stage of dockerfile.stages) {
        if (!reachable.has(stage.index)) continue;
        for (const copy of stage.copies) {
          if (copy.from !== undefined || copy.heredoc || copy.sources.length === 0) continue;
          const missing: Array<{ source: string; excluded?: IgnorePattern }> = [];
          const emptyGlobs: string[] = [];
          let matched = false;
          for (const source of copy.sources) {
            if (
              /\$/.test(source) ||
              /(?:^|\/)\.\.(?:\/|$)/.test(source) ||
              (copy.keyword === "ADD" && /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(source))
            ) {
              matched = true;
              continue;
            }
            const clean = source
              .replace(/^\.?\/+/, "")
              .replace(/^(?:\.\/)+/, "")
              .replace(/\/+$/, "");
            if (clean === "" || clean === ".") {
              matched = true;
              continue;
            }
            if (/[*?[]/.test(clean)) {
              if (context.match(clean).some((path) => context.includes(path))) matched = true;
              else emptyGlobs.push(source);
              continue;
            }
            if (!context.exists(clean)) missing.push({ source });
            else if (!context.includes(clean) && !partlySent(context, clean)) {
              const excluded = context.excludedBy(clean);
              missing.push(excluded ? { source, excluded } : { source });
            } else matched = true;
          }
          const location = instructionAt(dockerfile, copy.instruction);
          const ignoreFile = context.dockerignore?.file ?? ".dockerignore";
          for (const { source, excluded } of missing) {
            const shown = source.replace(/^\.?\/+/, "").replace(/\/+$/, "");
            const result: RuleResult = {
              location,
              message: excluded
                ? `\`${copy.keyword} ${source}\`: \`${shown}\` is excluded from the build context by \`${ignoreFile}:${excluded.line}\` (\`${excluded.pattern}\`), so the build fails with \`"/${shown}": not found\``
                : `\`${copy.keyword} ${source}\`: \`${shown}\` does not exist in the build context${context.dir === "" ? "" : ` (\`${context.dir}/\`)`}, so the build fails with \`"/${shown}": not found\``,
            };
            if (excluded)
              result.related = [{ file: ignoreFile, line: excluded.line, column: 1, message: "excludes it" }];
            results.push(result);
          }
          if (!matched && missing.length === 0 && emptyGlobs.length > 0) {
            results.push({
              location,
              message: `\`${copy.keyword}\`: ${emptyGlobs.map((glob) => `\`${glob}\``).join(", ")} match${emptyGlobs.length === 1 ? "es" : ""} no file in the build context, so the build fails with \`no source files were specified\``,
            });
          }
        }
      }
    }
    return results;
  },
};
