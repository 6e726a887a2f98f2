import { isComposePath, isDockerfilePath } from "../../facts/project.js";
import { findSecretValue, isLocalUrlPassword, redact } from "../../facts/secrets.js";
import { baseName } from "../../facts/tree.js";
import type { Rule, RuleResult } from "../../types.js";
import { isTestPath, withArticle } from "./shared.js";

/** Files other rules judge (env files, compose files, Dockerfiles) or that hold no authored text. */
function checkedElsewhere(path: string): boolean {
  const name = baseName(path);
  return (
    /^\.env(?:\.|$)/.test(name) ||
    isComposePath(path) ||
    isDockerfilePath(path) ||
    name.endsWith(".dockerignore") ||
    /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|poetry\.lock|uv\.lock|Pipfile\.lock|pdm\.lock)$/.test(
      name,
    ) ||
    /\.min\.[cm]?js$/.test(name)
  );
}

export const rule: Rule = {
  meta: {
    id: "SS1111",
    name: "secret-in-source",
    title: "API key, token or private key committed in the code",
    severity: "error",
    category: "secrets",
    rationale:
      "A provider key or private key in a source file is in every clone, every image that copies the source, and git history after it is removed: treat it as leaked.",
    fix: "Read it from the environment (or a mounted secret), remove it from the code and rotate it.",
    examples: {
      bad: {
        "src/ai.ts":
          "import OpenAI from 'openai';\nexport const client = new OpenAI({ apiKey: 'sk-proj-EXAMPLEEXAMPLEEXAMPLEEXAMPLE0000' });\n",
      },
      good: {
        "src/ai.ts":
          "import OpenAI from 'openai';\nexport const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    const files = new Set([...facts.app.sourceFiles, ...facts.tree.texts.keys()]);
    for (const file of [...files].sort()) {
      if (checkedElsewhere(file) || isTestPath(file)) continue;
      const source = facts.text(file);
      if (!source) continue;
      // Google keys in web pages and browser code (Maps, Firebase config) are public by design:
      // they are restricted by referrer, not kept secret.
      const publicGoogleKeys =
        /\.(?:html?|vue|svelte|astro|[jt]sx)$/.test(file) ||
        /\bfirebase\b|\binitializeApp\s*\(|maps\.googleapis\.com/.test(source.text);
      for (let line = 1; line <= source.lineCount; line++) {
        const text = source.line(line);
        if (text.length > 5000) continue;
        const match = findSecretValue(text);
        if (!match) continue;
        if (match.kind === "Google API key" && publicGoogleKeys) continue;
        if (match.kind === "password in a URL" && isLocalUrlPassword(text, match.value)) continue;
        const column = Math.max(text.indexOf(match.value), 0) + 1;
        const what = withArticle(match.kind);
        out.push({
          location: { file, line, column },
          message: `${what[0]!.toUpperCase()}${what.slice(1)} (\`${redact(match.value)}\`) is committed in \`${file}\`: anyone with the repository has it and git history keeps it; read it from the environment and rotate it`,
        });
      }
    }
    return out;
  },
};
