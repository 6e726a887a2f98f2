import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS3008-env-example-missing.js";

const naive = {
  "src/index.ts":
    "const PORT = process.env.PORT || 3000;\nconst OPENAI_API_KEY = process.env.OPENAI_API_KEY;\nconst JWT_SECRET = process.env.JWT_SECRET || 'supersecretkey';\n",
  "src/db.ts": "export const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n});\n",
  ".env": "DATABASE_URL=postgresql://postgres:password123@localhost:5432/notes\nJWT_SECRET=my-super-secret\n",
};

describe("SS3008 env-example-missing", () => {
  it.each([
    [
      "every variable at its first read",
      naive,
      ["src/db.ts:2", "src/index.ts:1", "src/index.ts:2", "src/index.ts:3"],
    ],
    ["python", { "app.py": 'import os\nPORT = int(os.getenv("PORT", "8000"))\n' }, ["app.py:2"]],
    [
      "destructured",
      { "config.js": 'const { API_URL, TIMEOUT = "30" } = process.env;\n' },
      ["config.js:1", "config.js:1"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["an example exists", { ...naive, ".env.example": "PORT=3000\n" }],
    ["a sample exists elsewhere", { ...naive, "config/.env.sample": "PORT=3000\n" }],
    ["no reads", { "src/index.js": "console.log(1);\n" }],
    [
      "ambient and client reads only",
      { "src/a.js": "if (process.env.NODE_ENV) {}\n", "src/main.ts": "import.meta.env.VITE_X;\n" },
    ],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("says what is missing", () => {
    expect(findingsOf(rule, naive)[0]?.message).toBe(
      "`DATABASE_URL` is read here but no `.env.example` lists the variables the app needs: a new environment has to guess them",
    );
  });

  it("creates .env.example with placeholders, never secrets", () => {
    const fixed = fixedBy(rule, naive);
    expect(fixed[".env.example"]).toBe(
      "# Environment variables the app reads. Copy to .env (never commit it) or set them where the app runs.\nDATABASE_URL=\nPORT=3000\nOPENAI_API_KEY=\nJWT_SECRET=\n",
    );
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("creates it in the build context of the code", () => {
    const fixed = fixedBy(rule, {
      "api/Dockerfile": 'FROM node:20.20.2-bookworm-slim\nCOPY . .\nCMD ["node", "server.js"]\n',
      "api/server.js": 'const url = process.env.API_URL ?? "http://localhost:8080";\n',
    });
    expect(fixed["api/.env.example"]).toContain("\nAPI_URL=http://localhost:8080\n");
  });
});
