import { describe, expect, it } from "vitest";
import {
  findSecretValue,
  isExampleSecret,
  isLocalUrlPassword,
  isPlaceholder,
  redact,
  redactLine,
  secretAssignment,
} from "./secrets.js";

describe("secret detection", () => {
  it.each([
    ["OPENAI_API_KEY", "sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000", "OpenAI API key"],
    ["X", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub token"],
    ["AWS", "AKIAABCDEFGHIJKLMNOP", "AWS access key id"],
    ["DATABASE_URL", "postgres://app:hunter22@db:5432/app", "password in a URL"],
    ["JWT_SECRET", "my-jwt-secret", "literal JWT_SECRET"],
  ])("%s=%s is a secret (%s)", (name, value, kind) => {
    expect(secretAssignment(name, value)?.kind).toBe(kind);
  });

  it.each([
    ["JWT_SECRET", "${JWT_SECRET}"],
    ["DB_PASSWORD", ""],
    ["API_KEY", "<your-key>"],
    ["PUBLIC_KEY", "abc123def456"],
    ["DATABASE_URL", "postgres://app:${DB_PASSWORD}@db/app"],
    ["NODE_ENV", "production"],
  ])("%s=%s is not a literal secret", (name, value) => {
    expect(secretAssignment(name, value)).toBeUndefined();
  });

  it("finds a private key header anywhere in a text", () => {
    expect(findSecretValue("x\n-----BEGIN RSA PRIVATE KEY-----\nabc")?.kind).toBe("private key");
  });

  it("treats references and placeholders as placeholders", () => {
    expect(isPlaceholder("$TOKEN")).toBe(true);
    expect(isPlaceholder("changeme")).toBe(true);
    expect(isPlaceholder("s3cr3t-value")).toBe(false);
  });
});

describe("redaction", () => {
  it("shows a prefix and a length, never the value", () => {
    expect(redact("sk-proj-FAKEFAKEFAKEFAKE")).toBe("sk-p…(24 chars)");
    expect(redact("short")).toBe("****");
  });

  it.each([
    ["ENV OPENAI_API_KEY=sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000", "FAKEFAKEFAKE"],
    ["DATABASE_URL=postgresql://postgres:password123@localhost:5432/notes", "password123"],
    ["      POSTGRES_PASSWORD: password123", "password123"],
    ["const JWT_SECRET = process.env.JWT_SECRET || 'supersecretkey';", "supersecretkey"],
    ['SECRET_KEY = os.getenv("SECRET_KEY", "dev-only-key")', "dev-only-key"],
  ])("masks the secret in a source line: %s", (line, secret) => {
    const masked = redactLine(line);
    expect(masked).not.toContain(secret);
    expect(masked).toContain("****");
  });

  it("leaves lines without secrets alone", () => {
    const line = "const PORT = process.env.PORT || 3000;";
    expect(redactLine(line)).toBe(line);
  });
});

describe("values that are not leaks", () => {
  it.each([
    ["sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx", true],
    ["ghp_000000000000000000000000000000", true],
    ["AKIAIOSFODNN7EXAMPLE", true],
    ["sk-proj-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000", false],
    ["npm_Zq3vT8mWx1LpR7nB4kYc9HdJ2sFa6GeU0tQi", false],
  ])("%s is documentation filler: %s", (value, filler) => {
    expect(isExampleSecret(value)).toBe(filler);
  });

  it("knows a URL password for the developer's own machine", () => {
    expect(isLocalUrlPassword("postgres://app:devpass@localhost:5432/app", "devpass")).toBe(true);
    expect(isLocalUrlPassword("postgres://app:devpass@db.prod.internal/app", "devpass")).toBe(false);
  });
});
