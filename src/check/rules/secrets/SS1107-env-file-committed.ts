import type { Fix, Rule, RuleResult } from "../../types.js";
import { insertLinesAfter } from "../helpers.js";
import { envSecretEntries, gitIgnored, isTestPath, listNames } from "./shared.js";

const PATTERNS = [".env", ".env.*", "!.env.example"];

export const rule: Rule = {
  meta: {
    id: "SS1107",
    name: "env-file-committed",
    title: "Env file with secrets is not git-ignored",
    severity: "error",
    category: "secrets",
    rationale:
      "An `.env` that `.gitignore` does not list gets committed: every clone, fork and CI log has the credentials, and git history keeps them after the file is deleted.",
    fix: "Add `.env`, `.env.*` and `!.env.example` to `.gitignore`, run `git rm --cached <file>`, rotate the secrets, and commit a `.env.example` with placeholders.",
    examples: {
      bad: {
        ".env":
          "DATABASE_URL=postgres://app:s3cr3t-pass@db:5432/app\nJWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
        ".gitignore": "node_modules/\ndist/\n",
      },
      good: {
        ".env":
          "DATABASE_URL=postgres://app:s3cr3t-pass@db:5432/app\nJWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n",
        ".gitignore": "node_modules/\ndist/\n.env\n.env.*\n!.env.example\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    const gitignore = facts.text(".gitignore");
    const present = new Set(
      (gitignore?.text ?? "")
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean),
    );
    const absent = [".env", ".env.*"].filter((pattern) => !present.has(pattern));
    // The exception goes last: after `.env.*`, an earlier `!.env.example` no longer applies.
    const missing = absent.length > 0 ? [...absent, "!.env.example"] : [];
    const fix: Fix = gitignore
      ? {
          description: `Add ${missing.map((p) => `\`${p}\``).join(", ")} to \`.gitignore\``,
          edits: [insertLinesAfter(gitignore, gitignore.lineCount, missing)],
        }
      : {
          description: "Create `.gitignore` ignoring `.env` files",
          edits: [{ file: ".gitignore", start: 0, end: 0, text: PATTERNS.map((p) => `${p}\n`).join("") }],
          creates: [".gitignore"],
        };
    for (const file of facts.app.envFiles) {
      if (file.example || isTestPath(file.file)) continue;
      const secrets = envSecretEntries(file);
      const first = secrets[0];
      if (!first || gitIgnored(facts, file.file)) continue;
      const result: RuleResult = {
        location: { file: file.file, line: first.line, column: first.column },
        message: `\`${file.file}\` holds secrets (${listNames(secrets.map((s) => s.name))}) and no \`.gitignore\` ignores it, so it gets committed: ignore it, remove it from the index (\`git rm --cached ${file.file}\`) and rotate the secrets`,
      };
      // The root `.gitignore` patterns match at any depth, unless an exception re-includes the file.
      if (missing.length > 0) result.fix = fix;
      out.push(result);
    }
    return out;
  },
};
