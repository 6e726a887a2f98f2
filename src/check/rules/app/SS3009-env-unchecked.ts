import type { Rule, RuleResult } from "../../types.js";
import { at } from "../helpers.js";
import { firstReads, serverReads } from "./support.js";

export const rule: Rule = {
  meta: {
    id: "SS3009",
    name: "env-unchecked",
    title: "A required variable is used without a check",
    severity: "warning",
    category: "runtime",
    rationale:
      "A variable read without a fallback and passed straight into a call fails far from the cause when it is missing: `pg` quietly connects to localhost, `Buffer.from(undefined)` throws a `TypeError` that never names the variable.",
    fix: "Validate required variables at startup and exit 1 with one line naming the missing one (or use a schema: zod, envalid, pydantic-settings).",
    examples: {
      bad: {
        "src/db.js":
          'const { Pool } = require("pg");\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n',
      },
      good: {
        "src/db.js":
          'const { Pool } = require("pg");\nif (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set");\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n',
      },
    },
  },
  check(facts) {
    const unchecked = serverReads(facts).filter(
      (read) =>
        read.fallback === undefined &&
        read.direct &&
        !read.failsWhenMissing &&
        !facts.app.checkedEnv.has(read.name),
    );
    return firstReads(unchecked).map(
      (read): RuleResult => ({
        location: at(read.file, read.line, read.column),
        message: `\`${read.name}\` goes straight into a call with no check: when it is missing the app fails later and elsewhere, without naming it; check it at startup and exit with a message`,
      }),
    );
  },
};
