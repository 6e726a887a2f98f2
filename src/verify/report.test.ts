import { describe, expect, it } from "vitest";
import { formatJson, formatJunit, formatMarkdown, formatText, xmlEscape } from "./report.js";
import type { VerifyReport } from "./types.js";

const report: VerifyReport = {
  schemaVersion: 1,
  tool: { name: "shipshape", version: "0.1.0" },
  target: {
    kind: "dir",
    dir: "/work/app",
    image: "shipshape-verify/app:latest",
    imageId: "sha256:0123456789abcdef",
    built: true,
  },
  startedAt: "2026-11-23T02:00:00.000Z",
  durationMs: 31_400,
  ok: false,
  summary: { passed: 1, failed: 1, skipped: 1 },
  checks: [
    {
      id: "build",
      number: 1,
      title: "Clean build",
      status: "pass",
      summary: "built from scratch in 17.1 s",
      evidence: ["context: 9 files"],
      durationMs: 17_100,
    },
    {
      id: "env",
      number: 2,
      title: "Minimal environment",
      status: "fail",
      summary: "absence of DATABASE_URL unnoticed",
      evidence: ["without DATABASE_URL: still running", '  | <xml> & "quotes" \u0007 bell', "| a | table |"],
      fix: "validate required variables at startup",
      durationMs: 6_000,
    },
    {
      id: "signals",
      number: 5,
      title: "Signals",
      status: "skip",
      summary: "nothing to stop",
      evidence: [],
      durationMs: 0,
    },
  ],
  environment: [
    {
      name: "DATABASE_URL",
      source: "compose",
      why: "the compose service's environment",
      required: true,
      secret: false,
      app: true,
    },
  ],
};

/** Well-formed XML: one root, balanced tags, only the five entities, attributes quoted. */
function assertWellFormed(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  const seen: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const match of body.matchAll(tag)) {
    const text = body.slice(last, match.index);
    expect(text).not.toMatch(/<|&(?!(?:amp|lt|gt|quot|apos);)/);
    last = (match.index ?? 0) + match[0].length;
    const [, close, name, attrs, selfClosing] = match as unknown as [string, string, string, string, string];
    expect(attrs).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos);)/);
    if (close) expect(stack.pop()).toBe(name);
    else {
      if (stack.length === 0) expect(seen.filter((n) => !n.includes(" ")).length).toBe(0);
      seen.push(name);
      if (!selfClosing) stack.push(name);
    }
  }
  expect(body.slice(last).trim()).toBe("");
  expect(stack).toEqual([]);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the XML
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  return seen;
}

describe("verify reports", () => {
  it("JUnit: well-formed, one testcase per check, failure with message and evidence, skipped marked", () => {
    const xml = formatJunit(report);
    const tags = assertWellFormed(xml);
    expect(tags.filter((name) => name === "testcase")).toHaveLength(3);
    expect(xml).toContain(
      '<testsuites name="shipshape verify" tests="3" failures="1" errors="0" skipped="1" time="31.400">',
    );
    expect(xml).toContain(
      '<failure message="absence of DATABASE_URL unnoticed" type="env">without DATABASE_URL: still running',
    );
    expect(xml).toContain("&lt;xml&gt; &amp; &quot;quotes&quot;  bell");
    expect(xml).toContain("fix: validate required variables at startup</failure>");
    expect(xml).toContain('<skipped message="nothing to stop"/>');
    expect(xml).toContain('name="1 Clean build" time="17.100"');
  });

  it("xmlEscape drops what XML 1.0 cannot hold", () => {
    expect(xmlEscape("a\u0000b\u001bc<d>")).toBe("abc&lt;d&gt;");
  });

  it("JSON: the report itself, versioned", () => {
    const json = JSON.parse(formatJson(report));
    expect(json.schemaVersion).toBe(1);
    expect(json.checks[1]).toMatchObject({
      id: "env",
      status: "fail",
      fix: "validate required variables at startup",
    });
    expect(json.environment[0]).not.toHaveProperty("value");
  });

  it("text: each check with its mark, evidence and, when it failed, the fix", () => {
    const text = formatText(report);
    expect(text).toContain("shipshape verify /work/app: image shipshape-verify/app:latest (0123456789ab)");
    expect(text).toMatch(/^✓ 1 Clean build {2}built from scratch in 17\.1 s {2}17\.1 s$/m);
    expect(text).toMatch(/^✗ 2 Minimal environment {2}absence of DATABASE_URL unnoticed/m);
    expect(text).toContain("    fix: validate required variables at startup");
    expect(text).toMatch(/^- 5 Signals {2}nothing to stop$/m);
    expect(text).toContain("3 checks: 1 passed, 1 failed, 1 skipped (31.4 s)");
  });

  it("Markdown: a table of checks and the failures' evidence, pipes escaped", () => {
    const markdown = formatMarkdown(report);
    expect(markdown).toContain("### shipshape verify: 1 of 3 checks failed");
    expect(markdown).toContain("| ❌ | 2. Minimal environment | absence of DATABASE_URL unnoticed |");
    expect(markdown).toContain("<details open><summary>❌ 2. Minimal environment");
    expect(markdown).toContain("**Fix:** validate required variables at startup");
    expect(markdown).not.toContain("| ✅ | 1. Clean build | built | x");
  });
});
