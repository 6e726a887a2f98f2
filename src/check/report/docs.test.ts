import { describe, expect, it } from "vitest";
import {
  bySeverity,
  countBySeverity,
  displayPath,
  docsUrl,
  fixAdvice,
  fixableCount,
  RULES_DOC_URL,
  ruleLookup,
  summarize,
} from "./docs.js";
import { emptyInput, findings, RULES, reportInput } from "./testing.js";

describe("docsUrl", () => {
  it("points at the rule's anchor in docs/rules.md", () => {
    expect(docsUrl("SS1001")).toBe(
      "https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss1001",
    );
    expect(docsUrl("SS2001").startsWith(RULES_DOC_URL)).toBe(true);
  });
});

describe("counts", () => {
  it("counts findings by severity and the fixable ones", () => {
    expect(countBySeverity(findings())).toEqual({ error: 3, warning: 1, info: 1 });
    expect(countBySeverity([])).toEqual({ error: 0, warning: 0, info: 0 });
    expect(fixableCount(findings())).toBe(2);
  });

  it("summarizes a report, failing at the threshold", () => {
    expect(summarize(reportInput())).toEqual({
      error: 3,
      warning: 1,
      info: 1,
      total: 5,
      suppressed: 2,
      fixable: 2,
      filesChecked: 4,
      filesWithFindings: 2,
      failOn: "error",
      failed: true,
    });
    expect(summarize(reportInput({ failOn: "none" })).failed).toBe(false);
    const infoOnly = findings().filter((finding) => finding.severity === "info");
    const input = reportInput({ failOn: "warning" });
    expect(summarize({ ...input, result: { ...input.result, findings: infoOnly } }).failed).toBe(false);
    expect(summarize(emptyInput()).total).toBe(0);
  });
});

describe("helpers", () => {
  it("joins the display root and a file", () => {
    expect(displayPath(".", "Dockerfile")).toBe("Dockerfile");
    expect(displayPath("", "Dockerfile")).toBe("Dockerfile");
    expect(displayPath("apps/web/", "compose.yaml")).toBe("apps/web/compose.yaml");
    expect(displayPath("apps\\web", "Dockerfile")).toBe("apps/web/Dockerfile");
    expect(displayPath("/srv/app", "Dockerfile")).toBe("/srv/app/Dockerfile");
  });

  it("prefers a finding's mechanical fix over the rule's advice", () => {
    const lookup = ruleLookup(RULES);
    const [withFix] = findings().filter((finding) => finding.ruleId === "SS1001");
    const [advice] = findings().filter((finding) => finding.ruleId === "SS3001");
    expect(fixAdvice(withFix!, lookup("SS1001"))).toEqual({
      description: "Pin `node:20.20.2-bookworm-slim`",
      mechanical: true,
    });
    expect(fixAdvice(advice!, lookup("SS3001"))).toEqual({
      description: "Add `USER node` (or another unprivileged user) before `CMD`.",
      mechanical: false,
    });
    expect(fixAdvice(advice!, undefined)).toEqual({ description: "", mechanical: false });
  });

  it("orders by severity, then place", () => {
    expect(
      [...findings()].sort(bySeverity).map((f) => `${f.severity} ${f.location.file}:${f.location.line}`),
    ).toEqual([
      "error compose.yaml:5",
      "error Dockerfile:1",
      "error Dockerfile:3",
      "warning Dockerfile:1",
      "info Dockerfile:5",
    ]);
  });
});
