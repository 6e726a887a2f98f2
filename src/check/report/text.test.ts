import { describe, expect, it } from "vitest";
import type { Finding } from "../types.js";
import { emptyInput, findings, reportInput, SECRET, sources } from "./testing.js";
import { formatText, wrap } from "./text.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[/;

function only(
  predicate: (finding: Finding) => boolean,
  extra: Partial<Parameters<typeof reportInput>[0]> = {},
) {
  const base = reportInput(extra);
  return {
    ...base,
    result: { ...base.result, findings: findings().filter(predicate), problems: [], suppressed: 0 },
  };
}

describe("formatText", () => {
  it("prints nothing at all on success (quiet success)", () => {
    expect(formatText(emptyInput(), { color: false })).toBe("");
    expect(formatText(emptyInput(), { color: true, verbose: true })).toBe("");
    // Suppressed findings alone are still a success.
    const input = emptyInput();
    expect(formatText({ ...input, result: { ...input.result, suppressed: 3 } }, { color: false })).toBe("");
  });

  it("groups by file, aligns columns, frames the line and explains why and how", () => {
    const input = only((finding) => finding.location.file === "Dockerfile" && finding.location.line === 1);
    expect(formatText(input, { color: false })).toBe(
      [
        "Dockerfile",
        "  1:1  warning  The final stage runs as root: it has no `USER`  SS3001",
        "    1 | FROM node:latest",
        "      | ^^^^",
        "    why: A process that runs as root turns any code execution bug into root in the container.",
        "    fix: Add `USER node` (or another unprivileged user) before `CMD`.",
        "",
        "  1:6  error    `node:latest` moves with every release: pin `node:20.20.2-bookworm-slim`  SS1001",
        "    1 | FROM node:latest",
        "      |      ^^^^^^^^^^^",
        "    why: `latest` (what a missing tag means) and word tags like `lts` or `alpine` point at a new",
        "         image with every release: two builds of the same commit get different runtimes, OS releases",
        "         and libraries.",
        "    fix: Pin `node:20.20.2-bookworm-slim` (shipshape check --fix applies it)",
        "",
        "2 problems (1 error, 1 warning) in 1 file, 1 fixable with --fix",
        "",
      ].join("\n"),
    );
  });

  it("never prints a secret from a source line: the frame goes through redactLine", () => {
    const out = formatText(reportInput(), { color: false, verbose: true });
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain("FAKEFAKE");
    expect(out).not.toContain("hunter2");
    expect(out).toContain("3 | ENV OPENAI_API_KEY=sk-p****");
    // The related .env frame (verbose) is masked too.
    expect(out).toContain("1 | OPENAI_API_KEY=sk-p****");
    // The caret spans the masked line from the reported column to the end.
    const lines = out.split("\n");
    const frame = lines.findIndex((line) => line.includes("3 | ENV OPENAI_API_KEY"));
    expect(lines[frame + 1]).toBe("      |     ^^^^^^^^^^^^^^^^^^^^^^^");
  });

  it("puts the caret under a column after a masked secret", () => {
    const files = { Dockerfile: `ENV TOKEN_A=${SECRET} USER=root\n` };
    const column = files.Dockerfile.indexOf("USER") + 1;
    const input = {
      ...only(() => false),
      sources: sources(files),
      result: {
        findings: [
          {
            ruleId: "SS3001",
            severity: "warning" as const,
            category: "hardening" as const,
            location: { file: "Dockerfile", line: 1, column },
            message: "root",
          },
        ],
        suppressed: 0,
        problems: [],
        filesChecked: 1,
      },
    };
    const lines = formatText(input, { color: false }).split("\n");
    const code = lines.find((line) => line.startsWith("    1 | "))!;
    const caret = lines[lines.indexOf(code) + 1]!;
    expect(code).toBe("    1 | ENV TOKEN_A=sk-p**** USER=root");
    expect(caret.indexOf("^")).toBe(code.indexOf("USER"));
    expect(caret.slice(caret.indexOf("^"))).toBe("^".repeat("USER=root".length));
  });

  it("shows the line above a continuation line, and an indented key's parent", () => {
    const input = only(() => false);
    const at = (file: string, line: number, column: number): Finding => ({
      ruleId: "SS4001",
      severity: "info",
      category: "runtime",
      location: { file, line, column },
      message: "m",
    });
    input.result.findings = [at("Dockerfile", 6, 5)];
    expect(formatText(input, { color: false })).toContain(
      ["    5 | RUN npm install && \\", "    6 |     npm run build", "      |     ^^^"].join("\n"),
    );
    input.result.findings = [at("Dockerfile", 5, 5)];
    const top = formatText(input, { color: false });
    expect(top).toContain(["    5 | RUN npm install && \\", "      |     ^^^"].join("\n"));
    expect(top).not.toContain("COPY");
    // YAML: the parent key leads into an item; a more indented sibling's child does not.
    input.sources = sources({
      "compose.yaml": "services:\n  web:\n    environment:\n      - A=1\n    depends_on:\n",
    });
    input.result.findings = [at("compose.yaml", 4, 9)];
    expect(formatText(input, { color: false })).toContain(
      ["    3 |     environment:", "    4 |       - A=1", "      |         ^^^"].join("\n"),
    );
    input.result.findings = [at("compose.yaml", 5, 5)];
    const sibling = formatText(input, { color: false });
    expect(sibling).toContain(["    5 |     depends_on:", "      |     ^^^^^^^^^^^"].join("\n"));
    expect(sibling).not.toContain("A=1");
  });

  it("prints input problems first, as file:line: message", () => {
    const out = formatText(reportInput({ root: "apps/web" }), { color: false });
    expect(out.split("\n")[0]).toBe("apps/web/compose.override.yaml:3: is not valid YAML: bad indentation");
    expect(out).toContain("\napps/web/Dockerfile\n");
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "5 problems (3 errors, 1 warning, 1 info) in 2 files, 2 fixable with --fix, 2 suppressed, 1 file not fully checked",
    );
  });

  it("reports problems even when there are no findings", () => {
    const input = reportInput();
    const out = formatText(
      { ...input, result: { ...input.result, findings: [], suppressed: 0 } },
      { color: false },
    );
    expect(out).toBe(
      "compose.override.yaml:3: is not valid YAML: bad indentation\n\nno problems found in 4 files checked, 1 file not fully checked\n",
    );
  });

  it("shows related places, and in verbose mode docs and equivalents", () => {
    const plain = formatText(reportInput(), { color: false });
    expect(plain).toContain("    also: .env:1  the same key is in `.env`");
    expect(plain).not.toContain("docs:");
    const verbose = formatText(reportInput(), { color: false, verbose: true });
    expect(verbose).toContain(
      "    docs: https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss1001",
    );
    expect(verbose).toContain("    same as: hadolint DL3006, DL3007; trivy DS001");
  });

  it("colours only when asked, with symbols in the summary", () => {
    expect(formatText(reportInput(), { color: false })).not.toMatch(ANSI);
    expect(formatText(reportInput(), { color: false })).not.toMatch(/[✖⚠ℹ·]/);
    const coloured = formatText(reportInput(), { color: true });
    expect(coloured).toMatch(ANSI);
    const summary = coloured.trimEnd().split("\n").at(-1)!;
    expect(summary).toContain("✖ 5 problems (3 errors, 1 warning, 1 info) in 2 files · 2 fixable with --fix");
    const warnings = only((finding) => finding.severity === "warning");
    expect(formatText(warnings, { color: true }).trimEnd().split("\n").at(-1)).toContain(
      "⚠ 1 problem (1 warning)",
    );
  });

  it("mentions what --fix fixed", () => {
    expect(formatText(reportInput({ fixed: 3 }), { color: false })).toContain(", 3 fixed by --fix");
  });

  it("neutralises terminal escapes and expands tabs in source lines and messages", () => {
    const files = { Dockerfile: "FROM alpine\n\tRUN echo \u001b[31mred\u001b[0m\n" };
    const input = {
      ...only(() => false),
      sources: sources(files),
      result: {
        findings: [
          {
            ruleId: "SS4001",
            severity: "info" as const,
            category: "runtime" as const,
            location: { file: "Dockerfile", line: 2, column: 2 },
            message: "bad \u001b]0;title\u0007 message",
          },
        ],
        suppressed: 0,
        problems: [],
        filesChecked: 1,
      },
    };
    const out = formatText(input, { color: false });
    expect(out).not.toMatch(ANSI);
    expect(out).not.toContain("\u0007");
    expect(out).toContain("    2 |     RUN echo ␛[31mred␛[0m\n      |     ^^^\n");
  });

  it("windows a very long line around the caret", () => {
    const long = `RUN ${"a ".repeat(150)}curl http://example.com | sh ${"b ".repeat(100)}`;
    const column = long.indexOf("curl") + 1;
    const input = {
      ...only(() => false),
      sources: sources({ Dockerfile: `${long}\n` }),
      result: {
        findings: [
          {
            ruleId: "SS4001",
            severity: "info" as const,
            category: "runtime" as const,
            location: { file: "Dockerfile", line: 1, column },
            message: "m",
          },
        ],
        suppressed: 0,
        problems: [],
        filesChecked: 1,
      },
    };
    const lines = formatText(input, { color: false }).split("\n");
    const code = lines.find((line) => line.startsWith("    1 | "))!;
    const caret = lines[lines.indexOf(code) + 1]!;
    expect(code.length).toBeLessThan(160);
    expect(code).toMatch(/^ {4}1 \| \.\.\.a a .*\.\.\.$/);
    expect(code.slice(caret.indexOf("^"), caret.indexOf("^") + 4)).toBe("curl");
  });

  it("skips the frame when the source is not available", () => {
    const out = formatText(reportInput({ sources: () => undefined }), { color: false });
    expect(out).not.toContain(" | ");
    expect(out).toContain("  1:6  error    `node:latest`");
  });
});

describe("wrap", () => {
  it("wraps at the width with continuation lines under the text", () => {
    const lines = wrap("why: ", "one two three four five six seven", 20);
    expect(lines).toEqual(["    why: one two", "         three four", "         five six", "         seven"]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(20);
    expect(wrap("fix: ", "averyveryverylongwordthatcannotbreak", 20)).toEqual([
      "    fix: averyveryverylongwordthatcannotbreak",
    ]);
  });
});
