import { describe, expect, it } from "vitest";
import type { Finding } from "../types.js";
import { formatMarkdown, inlineHtml, inlineMarkdown, MAX_ROWS } from "./markdown.js";
import { emptyInput, findings, reportInput, SECRET } from "./testing.js";

function withFindings(list: Finding[], overrides: Parameters<typeof reportInput>[0] = {}) {
  const base = reportInput(overrides);
  return { ...base, result: { ...base.result, findings: list, problems: [], suppressed: 0 } };
}

/** GFM splits a table row on `|` not preceded by a backslash. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe("formatMarkdown", () => {
  it("says clearly when there is nothing to report", () => {
    expect(formatMarkdown(emptyInput())).toBe(
      "### ✅ shipshape check: no findings\n\nNo findings in 3 files checked.\n",
    );
  });

  it("has a heading with the counts and one table, most severe first", () => {
    const out = formatMarkdown(reportInput());
    const lines = out.split("\n");
    expect(lines[0]).toBe("### ❌ shipshape check: 5 findings (3 errors, 1 warning, 1 info)");
    expect(lines[2]).toBe(
      "in 2 files of 4 checked · 2 fixable with `shipshape check --fix` (🔧) · 2 suppressed by ignore comments · fails at `--fail-on error`",
    );
    const header = lines.indexOf("| Severity | Rule | Location | Message |");
    expect(lines[header + 1]).toBe("| --- | --- | --- | --- |");
    const rows = lines.slice(header + 2, header + 7);
    expect(rows.map((row) => cells(row).slice(0, 3))).toEqual([
      [
        "❌ error",
        "[SS2001](https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss2001) `secret-in-image`",
        "`compose.yaml:5`",
      ],
      [
        "❌ error",
        "[SS1001](https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss1001) `image-tag-floating`",
        "`Dockerfile:1`",
      ],
      [
        "❌ error",
        "[SS2001](https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss2001) `secret-in-image`",
        "`Dockerfile:3`",
      ],
      [
        "⚠️ warning",
        "[SS3001](https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss3001) `runs-as-root`",
        "`Dockerfile:1`",
      ],
      [
        "ℹ️ info",
        "[SS4001](https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss4001) `npm-install-not-ci`",
        "`Dockerfile:5`",
      ],
    ]);
    expect(cells(rows[1]!)[3]).toBe(
      "`node:latest` moves with every release: pin `node:20.20.2-bookworm-slim` 🔧",
    );
    expect(lines[header + 7]).toBe("");
  });

  it("lists input problems", () => {
    expect(formatMarkdown(reportInput())).toContain(
      "**Not fully checked** (1 problem):\n\n- `compose.override.yaml:3`: is not valid YAML: bad indentation\n",
    );
  });

  it("explains each rule once in a collapsible block", () => {
    const out = formatMarkdown(reportInput());
    expect(out.match(/<details>/g)).toHaveLength(4);
    expect(out).toContain(
      [
        "<details>",
        "<summary><b>SS1001</b> Image tag moves: <code>latest</code>, no tag, or a word tag (1)</summary>",
        "",
        "**Why:** `latest` (what a missing tag means) and word tags like `lts` or `alpine` point at a new image with every release: two builds of the same commit get different runtimes, OS releases and libraries.",
        "",
        "**Fix:** Name an exact version and OS variant (`node:20.20.2-bookworm-slim`), then `shipshape pin` to add the digest. `shipshape check --fix` applies it where marked 🔧.",
        "",
        "[Rule documentation](https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss1001)",
        "",
        "</details>",
      ].join("\n"),
    );
    expect(out).toContain("<summary><b>SS2001</b> A secret is baked into the image (2)</summary>");
  });

  it("never includes source lines", () => {
    const out = formatMarkdown(reportInput());
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain("FAKEFAKE");
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain("FROM node:latest");
  });

  it("escapes pipes and stray backticks so a message stays in its cell", () => {
    const [first] = findings();
    const tricky: Finding = {
      ...first!,
      message: "`a|b` and c | d, a stray ` tick, <script> and *stars* from @octocat",
    };
    const out = formatMarkdown(withFindings([tricky]));
    const row = out.split("\n").find((line) => line.startsWith("| ❌"))!;
    expect(cells(row)).toHaveLength(4);
    expect(cells(row)[3]).toBe(
      "`a\\|b` and c \\| d, a stray \\` tick, \\<script\\> and \\*stars\\* from `@octocat`",
    );
  });

  it("keeps a file name with a backtick or pipe inside its code span", () => {
    const [first] = findings();
    const out = formatMarkdown(
      withFindings([{ ...first!, location: { ...first!.location, file: "we`ird|name" } }]),
    );
    const row = out.split("\n").find((line) => line.startsWith("| ❌"))!;
    expect(cells(row)[2]).toBe("``we`ird\\|name:5``");
  });

  it("caps the table for a comment's size limit", () => {
    const [first] = findings();
    const many = Array.from({ length: MAX_ROWS + 5 }, (_, i) => ({
      ...first!,
      location: { ...first!.location, line: i + 1 },
    }));
    const out = formatMarkdown(withFindings(many));
    expect(out.split("\n").filter((line) => line.startsWith("| ❌"))).toHaveLength(MAX_ROWS);
    expect(out).toContain("…and 5 more: run `shipshape check` to see them all.");
  });

  it("warns without failing when findings stay under --fail-on", () => {
    const info = findings().filter((finding) => finding.severity === "info");
    const out = formatMarkdown(withFindings(info, { failOn: "warning" }));
    expect(out.split("\n")[0]).toBe("### ⚠️ shipshape check: 1 finding (1 info)");
    expect(out).toContain("passes `--fail-on warning`");
  });

  it("heads a report with problems and no findings with a warning", () => {
    const input = reportInput();
    const out = formatMarkdown({ ...input, result: { ...input.result, findings: [] } });
    expect(out.split("\n")[0]).toBe("### ⚠️ shipshape check: no findings");
    expect(out).toContain("No findings in 4 files checked.");
    expect(out).toContain("**Not fully checked**");
  });
});

describe("inline helpers", () => {
  it("keeps code spans as code and escapes the rest", () => {
    expect(inlineMarkdown("use `npm ci` not *this*")).toBe("use `npm ci` not \\*this\\*");
    expect(inlineMarkdown("a | b")).toBe("a \\| b");
    expect(inlineMarkdown("`x|y`")).toBe("`x|y`");
    expect(inlineMarkdown("`x|y`", true)).toBe("`x\\|y`");
  });

  it("turns code spans into <code> and escapes HTML for <summary>", () => {
    expect(inlineHtml('`<b>` & "q"')).toBe("<code>&lt;b&gt;</code> &amp; &quot;q&quot;");
  });
});
