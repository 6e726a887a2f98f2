import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3014-schema-at-startup.js";

const db =
  'import { Pool } from "pg";\nexport const pool = new Pool();\n\nexport async function initDb() {\n  await pool.query(`\n    CREATE TABLE IF NOT EXISTS notes (id serial primary key)\n  `);\n}\n';

describe("SS3014 schema-at-startup", () => {
  it.each([
    [
      "called by the server",
      {
        "src/db.ts": db,
        "src/index.ts":
          'import { initDb } from "./db";\napp.listen(3000, () => {\n  initDb().catch(console.error);\n});\n',
      },
      ["src/index.ts:3"],
    ],
    ["no call site", { "src/db.ts": db }, ["src/db.ts:4"]],
    [
      "at module load",
      { "src/db.js": 'pool.query("CREATE TABLE IF NOT EXISTS users (id int)");\n' },
      ["src/db.js:1"],
    ],
    [
      "python",
      {
        "app/db.py":
          'import psycopg\n\ndef create_schema(conn):\n    conn.execute("CREATE TABLE IF NOT EXISTS items (id serial)")\n',
        "app/main.py": "from app.db import create_schema\ncreate_schema(conn)\n",
      },
      ["app/main.py:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    [
      "a migration script",
      { "src/migrate.ts": 'await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (v text)");\n' },
    ],
    ["SQL files", { "migrations/001.sql": "CREATE TABLE notes (id int);\n" }],
    [
      "SQLite owned by the process",
      {
        "server.py":
          'import sqlite3\n\ndef init_db():\n    conn.execute("CREATE TABLE IF NOT EXISTS b (id int)")\n\nDB = init_db()\n',
      },
    ],
    ["a seed script", { "scripts/seed.js": 'await db.query("CREATE TABLE IF NOT EXISTS t (id int)");\n' }],
    [
      "only called from a task script",
      { "src/db.ts": db, "scripts/setup.ts": 'import { initDb } from "../src/db";\nawait initDb();\n' },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("relates the function that creates the table", () => {
    const [finding] = findingsOf(rule, {
      "src/db.ts": db,
      "src/index.ts": 'import { initDb } from "./db";\ninitDb();\n',
    });
    expect(finding?.message).toBe(
      "`initDb()` creates tables (`src/db.ts:6`) from the running app: it races the database being ready and runs in every replica; apply migrations once before the app starts",
    );
    expect(finding?.related).toEqual([
      { file: "src/db.ts", line: 4, column: 1, message: "`initDb` creates the table" },
    ]);
  });
});
