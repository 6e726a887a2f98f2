import { describe, expect, it } from "vitest";
import { findingsOf, fixedBy, linesOf } from "../testing.js";
import { rule } from "./SS1107-env-file-committed.js";

const ENV =
  "PORT=3000\nDATABASE_URL=postgres://app:s3cr3t-pass@db:5432/app\nJWT_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0\n";

describe("SS1107 env-file-committed", () => {
  it.each([
    [".gitignore without .env", { ".env": ENV, ".gitignore": "node_modules/\n" }, [".env:2"]],
    ["no .gitignore", { ".env": ENV }, [".env:2"]],
    [
      ".env ignored but not .env.production",
      { ".env.production": ENV, ".gitignore": ".env\n" },
      [".env.production:2"],
    ],
    ["in a subdirectory", { "api/.env": ENV, ".gitignore": "dist/\n" }, ["api/.env:2"]],
    [
      "an exception re-includes it",
      { ".env.local": ENV, ".gitignore": ".env*\n!.env.local\n" },
      [".env.local:2"],
    ],
  ])("fires: %s", (_name, files, expected) => {
    expect(linesOf(rule, files)).toEqual(expected);
  });

  it.each([
    ["ignored", { ".env": ENV, ".gitignore": ".env\n" }],
    ["ignored by a pattern", { ".env.local": ENV, ".gitignore": ".env*\n!.env.example\n" }],
    ["ignored by the directory's .gitignore", { "api/.env": ENV, "api/.gitignore": ".env\n" }],
    ["an example", { ".env.example": ENV }],
    ["no secrets in it", { ".env": "PORT=3000\nNODE_ENV=development\nAPI_KEY=\n" }],
    ["test data", { "test/fixtures/.env": ENV }],
  ])("clean: %s", (_name, files) => {
    expect(findingsOf(rule, files)).toEqual([]);
  });

  it("names the secrets, not their values, and says what else to do", () => {
    const [finding] = findingsOf(rule, { ".env": ENV });
    expect(finding?.message).toBe(
      "`.env` holds secrets (DATABASE_URL, JWT_SECRET) and no `.gitignore` ignores it, so it gets committed: ignore it, remove it from the index (`git rm --cached .env`) and rotate the secrets",
    );
  });

  it("appends to .gitignore, exception last", () => {
    const files = { ".env": ENV, ".gitignore": "node_modules/\n!.env.example" };
    const fixed = fixedBy(rule, files);
    expect(fixed[".gitignore"]).toBe("node_modules/\n!.env.example\n.env\n.env.*\n!.env.example\n");
    expect(findingsOf(rule, fixed)).toEqual([]);
  });

  it("creates .gitignore", () => {
    const fixed = fixedBy(rule, { ".env": ENV, ".env.local": ENV });
    expect(fixed[".gitignore"]).toBe(".env\n.env.*\n!.env.example\n");
    expect(findingsOf(rule, fixed)).toEqual([]);
  });
});
