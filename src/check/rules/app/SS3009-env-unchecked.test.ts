import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS3009-env-unchecked.js";

describe("SS3009 env-unchecked", () => {
  it.each([
    [
      "object property on its own line",
      { "src/db.ts": "export const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n});\n" },
      ["src/db.ts:2"],
    ],
    [
      "call argument",
      { "src/session.js": 'const key = Buffer.from(process.env.SESSION_SECRET, "utf8");\n' },
      ["src/session.js:1"],
    ],
    ["bracket access", { "src/a.js": 'connect(process.env["REDIS_URL"]);\n' }, ["src/a.js:1"]],
    [
      "once per variable",
      { "src/a.js": "connect(process.env.REDIS_URL);\nreconnect(process.env.REDIS_URL);\n" },
      ["src/a.js:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["a fallback", { "src/a.js": 'connect(process.env.REDIS_URL || "redis://cache:6379");\n' }],
    [
      "checked first",
      {
        "src/a.js":
          'if (!process.env.REDIS_URL) throw new Error("REDIS_URL");\nconnect(process.env.REDIS_URL);\n',
      },
    ],
    [
      "checked by a ternary",
      { "src/a.js": "const c = process.env.REDIS_URL ? connect(process.env.REDIS_URL) : null;\n" },
    ],
    [
      "a zod schema",
      {
        "src/env.ts":
          "const Env = z.object({\n  REDIS_URL: z.string().url(),\n});\nconnect(process.env.REDIS_URL);\n",
      },
    ],
    [
      "a list of required names checked in a loop",
      {
        "src/env.js":
          'for (const key of ["DATABASE_URL", "REDIS_URL"]) {\n  if (!process.env[key]) throw new Error(key);\n}\nconnect(process.env.REDIS_URL);\n',
      },
    ],
    ["assigned, not passed", { "src/a.js": "const url = process.env.REDIS_URL;\n" }],
    ["Number() with a fallback", { "src/a.js": "app.listen(Number(process.env.PORT) || 3000);\n" }],
    ["os.environ raises with the name", { "app.py": 'import os\nconnect(os.environ["REDIS_URL"])\n' }],
    ["client code", { "src/main.ts": "fetch(import.meta.env.VITE_API_URL);\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("explains the failure far from the cause", () => {
    expect(findingsOf(rule, { "src/a.js": "connect(process.env.REDIS_URL);\n" })[0]?.message).toBe(
      "`REDIS_URL` goes straight into a call with no check: when it is missing the app fails later and elsewhere, without naming it; check it at startup and exit with a message",
    );
  });
});
