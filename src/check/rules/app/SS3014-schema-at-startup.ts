import type { Rule, RuleResult } from "../../types.js";
import { at } from "../helpers.js";

/** Files that are one-off tasks, not the web process: their schema work is a migration. */
const TASK_FILE =
  /(?:^|\/)(?:scripts?|bin|tools|seeds?|migrations?|db\/migrate)\/|(?:^|\/)[^/]*(?:seed|setup|init[-_]?db|migrat)[^/]*$/i;

/** SQLite: a file the process owns, so creating its tables at start races nobody. */
const SQLITE = /\bsqlite3?\b|better-sqlite3|bun:sqlite|node:sqlite|\baiosqlite\b/;

export const rule: Rule = {
  meta: {
    id: "SS3014",
    name: "schema-at-startup",
    title: "The web process creates tables at startup",
    severity: "warning",
    category: "runtime",
    rationale:
      "`CREATE TABLE` run by the app when it starts races the database being ready, runs in every replica at once, and cannot evolve the schema: a failure is logged while the app listens and every request needing the table fails.",
    fix: "Move schema changes to versioned migrations applied once before the app starts (a one-off `migrate` service the app depends on with `service_completed_successfully`).",
    examples: {
      bad: {
        "src/db.js":
          'const { Pool } = require("pg");\nconst pool = new Pool();\nasync function initDb() {\n  await pool.query("CREATE TABLE IF NOT EXISTS notes (id serial primary key)");\n}\nmodule.exports = { pool, initDb };\n',
        "src/index.js": 'const { initDb } = require("./db");\napp.listen(3000, () => {\n  initDb();\n});\n',
      },
      good: {
        "migrations/001_notes.sql": "CREATE TABLE notes (id serial primary key);\n",
        "src/index.js": 'const { pool } = require("./db");\napp.listen(3000);\n',
      },
    },
  },
  check(facts) {
    const results: RuleResult[] = [];
    const seen = new Set<string>();
    for (const schema of facts.app.schemaCreation) {
      if (TASK_FILE.test(schema.file)) continue;
      if (SQLITE.test(facts.text(schema.file)?.text ?? "")) continue;
      const key = `${schema.file}:${schema.functionName ?? schema.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!schema.functionName || schema.functionLine === undefined) {
        results.push({
          location: at(schema.file, schema.line, schema.column),
          message:
            "`CREATE TABLE` runs when this module loads: schema changes belong in migrations run once before the app starts",
        });
        continue;
      }
      const name = schema.functionName;
      const definition = {
        ...at(schema.file, schema.functionLine),
        message: `\`${name}\` creates the table`,
      };
      const calls = facts.app
        .calls(name)
        .filter((call) => call.file !== schema.file && !TASK_FILE.test(call.file));
      if (calls.length === 0) {
        // Only called from task scripts (or not at all from the app): a migration in all but name.
        if (facts.app.calls(name).some((call) => TASK_FILE.test(call.file))) continue;
        results.push({
          location: at(schema.file, schema.functionLine),
          message: `\`${name}\` runs \`CREATE TABLE\` from the app's code: schema changes belong in migrations run once before the app starts, not in every replica`,
        });
        continue;
      }
      for (const call of calls)
        results.push({
          location: at(call.file, call.line, call.column),
          message: `\`${name}()\` creates tables (\`${schema.file}:${schema.line}\`) from the running app: it races the database being ready and runs in every replica; apply migrations once before the app starts`,
          related: [definition],
        });
    }
    return results;
  },
};
