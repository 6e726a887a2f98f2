import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_URL } from "./docs.js";
import { formatJson, type JsonReport } from "./json.js";
import { emptyInput, reportInput, SECRET } from "./testing.js";

const SCHEMA_PATH = new URL("../../../docs/check-result.schema.json", import.meta.url);
const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;

/** The published schema lets consumers ignore new fields; the test also forbids fields it does not know. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = strict(value);
  if (out.type === "object" && out.properties) out.additionalProperties = false;
  return out;
}

function validator(target: unknown) {
  const ajv = new Ajv({ allErrors: true, strict: true, validateFormats: false });
  return ajv.compile(target as object);
}

const validate = validator(schema);
const validateStrict = validator(strict(schema));

function parse(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}

describe("formatJson", () => {
  it("validates against docs/check-result.schema.json (and declares it)", () => {
    for (const input of [reportInput(), emptyInput(), reportInput({ fixed: 2, root: "/srv/app" })]) {
      const report = parse(formatJson(input));
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(validateStrict(report), JSON.stringify(validateStrict.errors)).toBe(true);
      expect(report.$schema).toBe(JSON_SCHEMA_URL);
    }
    expect(schema.$id).toBe(JSON_SCHEMA_URL);
  });

  it("rejects a report the schema does not describe", () => {
    const report = parse(formatJson(reportInput())) as unknown as Record<string, unknown>;
    expect(validate({ ...report, schemaVersion: 2 })).toBe(false);
    const findings = report.findings as Array<Record<string, unknown>>;
    expect(validate({ ...report, findings: [{ ...findings[0], severity: "fatal" }] })).toBe(false);
    expect(validate({ ...report, findings: [{ ...findings[0], line: 0 }] })).toBe(false);
  });

  it("carries the summary, problems and every field of a finding", () => {
    const report = parse(formatJson(reportInput()));
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: "shipshape", version: "0.1.0" });
    expect(report.root).toBe(".");
    expect(report.summary).toEqual({
      errors: 3,
      warnings: 1,
      info: 1,
      suppressed: 2,
      fixable: 2,
      filesChecked: 4,
      failOn: "error",
      failed: true,
    });
    expect(report.problems).toEqual([
      { file: "compose.override.yaml", line: 3, column: 7, message: "is not valid YAML: bad indentation" },
    ]);
    const secret = report.findings.find((finding) => finding.file === "Dockerfile" && finding.line === 3);
    expect(secret).toEqual({
      ruleId: "SS2001",
      ruleName: "secret-in-image",
      title: "A secret is baked into the image",
      severity: "error",
      category: "secrets",
      file: "Dockerfile",
      line: 3,
      column: 5,
      endLine: 3,
      endColumn: 64,
      message:
        "`ENV OPENAI_API_KEY` holds an OpenAI API key (`sk-p…(44 chars)`): every layer of the image keeps it",
      rationale:
        "Anyone who can pull the image can read every layer, including `ENV` values and copied files.",
      fix: {
        description: "Pass the secret at run time (`env_file`, a secret mount), never at build time.",
        mechanical: false,
      },
      docs: "https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss2001",
      related: [{ file: ".env", line: 1, column: 1, message: "the same key is in `.env`" }],
    });
    const pinned = report.findings.find((finding) => finding.ruleId === "SS1001");
    expect(pinned?.fix).toEqual({ description: "Pin `node:20.20.2-bookworm-slim`", mechanical: true });
    expect(pinned).not.toHaveProperty("endLine");
  });

  it("keeps the engine's order and never includes source text", () => {
    const text = formatJson(reportInput());
    expect(text).not.toContain(SECRET);
    expect(parse(text).findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual([
      "compose.yaml:5:9",
      "Dockerfile:1:1",
      "Dockerfile:1:6",
      "Dockerfile:3:5",
      "Dockerfile:5:5",
    ]);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("reports a clean check with empty lists and fixed when --fix ran", () => {
    const report = parse(formatJson(emptyInput({ fixed: 4, failOn: "warning" })));
    expect(report.findings).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.summary).toMatchObject({ errors: 0, fixed: 4, failOn: "warning", failed: false });
  });

  it("still reports a finding of a rule it was not given", () => {
    const input = reportInput({ rules: [] });
    const report = parse(formatJson(input));
    expect(validate(report)).toBe(true);
    expect(report.findings[0]).toMatchObject({ ruleName: "SS2001", rationale: "", title: "" });
  });
});
