import { describe, expect, it } from "vitest";
import { findingsOf, linesOf } from "../testing.js";
import { rule } from "./SS1110-hardcoded-secret-fallback.js";

describe("SS1110 hardcoded-secret-fallback", () => {
  it.each([
    [
      "|| literal",
      { "src/index.ts": "const a = 1;\nconst JWT_SECRET = process.env.JWT_SECRET || 'supersecretkey';\n" },
      ["src/index.ts:2"],
    ],
    [
      "?? literal",
      { "src/session.js": 'const s = process.env.SESSION_SECRET ?? "dev-session-secret";\n' },
      ["src/session.js:1"],
    ],
    [
      "python os.getenv default",
      { "app/settings.py": 'import os\nSECRET_KEY = os.getenv("SECRET_KEY", "django-insecure-abc")\n' },
      ["app/settings.py:2"],
    ],
    [
      "python environ.get default",
      { "app/config.py": 'import os\ntoken = os.environ.get("API_TOKEN", "abc123")\n' },
      ["app/config.py:2"],
    ],
    [
      "destructuring default",
      { "src/env.ts": "const { DB_PASSWORD = 'postgres' } = process.env;\n" },
      ["src/env.ts:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["not a secret", { "src/index.ts": "const PORT = process.env.PORT || 3000;\n" }],
    ["empty fallback", { "src/index.ts": "const key = process.env.API_KEY || '';\n" }],
    [
      "no fallback",
      { "src/index.ts": "const key = process.env.JWT_SECRET;\nif (!key) throw new Error('JWT_SECRET');\n" },
    ],
    ["a flag", { "src/index.ts": "const auth = process.env.AUTH || 'false';\n" }],
    [
      "a provider key fallback is SS1111's",
      {
        "src/ai.ts": "const k = process.env.OPENAI_API_KEY || 'sk-proj-EXAMPLEEXAMPLEEXAMPLEEXAMPLE0000';\n",
      },
    ],
    ["a test file", { "src/auth.test.ts": "const s = process.env.JWT_SECRET || 'test-secret';\n" }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("redacts the fallback", () => {
    const [finding] = findingsOf(rule, {
      "src/index.ts": "const JWT_SECRET = process.env.JWT_SECRET || 'supersecretkey';\n",
    });
    expect(finding?.message).toBe(
      "`JWT_SECRET` falls back to a hardcoded value (`supe…(14 chars)`) when it is unset: the app then runs with a secret anyone with the code knows instead of failing; require the variable and exit with an error naming it",
    );
    expect(finding?.location.column).toBe(20);
  });
});
