import { findSecretValue, isSecretName, redact } from "../../facts/secrets.js";
import type { Rule, RuleResult } from "../../types.js";
import { isTestPath } from "./shared.js";

/** Fallbacks that are flags or nothing, not a secret: `|| false`, `?? ''`. */
const NOT_A_SECRET = /^(?:|true|false|null|undefined|none)$/i;

export const rule: Rule = {
  meta: {
    id: "SS1110",
    name: "hardcoded-secret-fallback",
    title: "Secret read from the environment with a hardcoded fallback",
    severity: "warning",
    category: "secrets",
    rationale:
      "When the variable is missing, the app silently signs tokens or connects with a value anyone who has read the code knows, instead of failing at startup: nothing in the logs shows it.",
    fix: "Require the variable: exit at startup with a message naming it when it is unset.",
    examples: {
      bad: {
        "src/auth.ts": "export const JWT_SECRET = process.env.JWT_SECRET || 'supersecretkey';\n",
      },
      good: {
        "src/auth.ts":
          "const secret = process.env.JWT_SECRET;\nif (!secret) throw new Error('JWT_SECRET is not set');\nexport const JWT_SECRET = secret;\n",
      },
    },
  },
  check(facts) {
    const out: RuleResult[] = [];
    for (const read of facts.app.envReads) {
      if (read.fallback === undefined || !isSecretName(read.name) || isTestPath(read.file)) continue;
      const fallback = read.fallback.trim();
      if (NOT_A_SECRET.test(fallback)) continue;
      // A provider key as the fallback is a committed secret: SS1111 reports it as an error.
      if (findSecretValue(fallback)) continue;
      out.push({
        location: { file: read.file, line: read.line, column: read.column },
        message: `\`${read.name}\` falls back to a hardcoded value (\`${redact(fallback)}\`) when it is unset: the app then runs with a secret anyone with the code knows instead of failing; require the variable and exit with an error naming it`,
      });
    }
    return out;
  },
};
