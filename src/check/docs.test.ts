import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderRulesMarkdown, runExample } from "./docs.js";
import { RULES } from "./rules/index.js";
import { CATEGORIES } from "./types.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("rule metadata", () => {
  it("ids are unique, SS + 4 digits, names kebab-case", () => {
    const ids = RULES.map((rule) => rule.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.meta.id).toMatch(/^SS\d{4}$/);
      expect(rule.meta.name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(rule.meta.rationale.length).toBeGreaterThan(20);
      expect(rule.meta.fix.length).toBeGreaterThan(10);
    }
  });

  it("covers all five categories with at least 20 rules", () => {
    expect(RULES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(RULES.map((rule) => rule.meta.category))).toEqual(new Set(CATEGORIES));
  });

  it.each(RULES.map((rule) => [rule.meta.id, rule] as const))(
    "%s: the bad example fires, the good one is clean",
    (_id, rule) => {
      expect(runExample(rule, rule.meta.examples.bad).findings.length).toBeGreaterThan(0);
      expect(runExample(rule, rule.meta.examples.good).findings).toEqual([]);
    },
  );

  it.each(RULES.map((rule) => [rule.meta.id, rule] as const))(
    "%s: a fixed bad example is clean",
    (_id, rule) => {
      const run = runExample(rule, rule.meta.examples.bad);
      if (!run.fixed) return;
      const after = { ...rule.meta.examples.bad, ...run.fixed };
      expect(runExample(rule, after).findings).toEqual([]);
    },
  );
});

describe("docs/rules.md", () => {
  it("is what the rules' metadata renders (run `npm run docs` after changing a rule)", () => {
    const committed = readFileSync(`${ROOT}docs/rules.md`, "utf8");
    expect(committed).toBe(renderRulesMarkdown(RULES));
  });
});
