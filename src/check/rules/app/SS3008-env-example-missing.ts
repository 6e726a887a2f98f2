import type { EnvRead } from "../../facts/app.js";
import type { ProjectFacts } from "../../facts/project.js";
import { findSecretValue, isSecretName, looksRandom } from "../../facts/secrets.js";
import type { Fix, Rule, RuleResult } from "../../types.js";
import { at } from "../helpers.js";
import { shippedReads } from "./SS3007-env-undeclared.js";
import { exampleEnvFiles, firstReads, targetsOf } from "./support.js";

/** A value safe to show in an example file: a code default that is not a secret. */
function exampleValue(read: EnvRead): string {
  const value = read.fallback;
  if (value === undefined || value === "") return "";
  if (isSecretName(read.name) || findSecretValue(value) || looksRandom(value)) return "";
  if (/[\s#"'`$\\]/.test(value) || /:\/\/[^/@\s]*@/.test(value) || value.length > 100) return "";
  return value;
}

/** Where the example file goes: the build context holding all the reads, else the project root. */
function exampleDir(facts: ProjectFacts, reads: readonly EnvRead[]): string {
  for (const target of facts.dockerfiles) {
    if (reads.every((read) => targetsOf(facts, read.file).includes(target))) return target.context.dir;
  }
  return "";
}

export const rule: Rule = {
  meta: {
    id: "SS3008",
    name: "env-example-missing",
    title: "No `.env.example` lists the variables the code reads",
    severity: "info",
    category: "runtime",
    rationale:
      "Nothing tells whoever deploys the app which environment variables it needs: the list lives in the author's own `.env`, so a new environment silently misses some (a disabled integration, a fallback secret).",
    fix: "Commit a `.env.example` with every variable and a placeholder value (never the real values), and keep it next to the code that reads them.",
    examples: {
      bad: {
        "src/index.js":
          "const port = process.env.PORT || 3000;\nconst db = new Pool({ connectionString: process.env.DATABASE_URL });\n",
      },
      good: {
        "src/index.js":
          "const port = process.env.PORT || 3000;\nconst db = new Pool({ connectionString: process.env.DATABASE_URL });\n",
        ".env.example": "PORT=3000\nDATABASE_URL=\n",
      },
    },
  },
  check(facts) {
    if (exampleEnvFiles(facts).length > 0) return [];
    const reads = firstReads(shippedReads(facts));
    if (reads.length === 0) return [];
    const dir = exampleDir(facts, reads);
    const file = dir === "" ? ".env.example" : `${dir}/.env.example`;
    const text = [
      "# Environment variables the app reads. Copy to .env (never commit it) or set them where the app runs.",
      ...reads.map((read) => `${read.name}=${exampleValue(read)}`),
      "",
    ].join("\n");
    const fix: Fix = {
      description: `Create \`${file}\` listing ${reads.length} variable${reads.length === 1 ? "" : "s"}`,
      edits: [{ file, start: 0, end: 0, text }],
      creates: [file],
    };
    return reads.map((read, index): RuleResult => {
      const result: RuleResult = {
        location: at(read.file, read.line, read.column),
        message: `\`${read.name}\` is read here but no \`.env.example\` lists the variables the app needs: a new environment has to guess them`,
      };
      if (index === 0) result.fix = fix;
      return result;
    });
  },
};
