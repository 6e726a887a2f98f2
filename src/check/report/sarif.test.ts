import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvDraft04 from "ajv-draft-04";
import type * as Sarif from "sarif";
import { describe, expect, it } from "vitest";
import type { Finding } from "../types.js";
import { artifactLocation, formatSarif, SARIF_SCHEMA_URL, toSarif } from "./sarif.js";
import { emptyInput, FILES, findings, RULES, reportInput, SECRET, sources } from "./testing.js";

const require = createRequire(import.meta.url);
const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as object;
// The official schema is draft-04 and uses `format: uri` (unknown to ajv without ajv-formats), and a
// `language` pattern that is invalid with the `u` flag (an unbalanced `]`), hence unicodeRegExp: false.
// CommonJS: the class is both the module and its `default` (which is what the types describe).
const ajv = new AjvDraft04.default({
  allErrors: true,
  strict: false,
  validateFormats: false,
  unicodeRegExp: false,
});
const validate = ajv.compile(schema);

function parse(text: string): Sarif.Log {
  return JSON.parse(text) as Sarif.Log;
}

function run(log: Sarif.Log): Sarif.Run {
  expect(log.runs).toHaveLength(1);
  return log.runs[0]!;
}

describe("formatSarif", () => {
  it("validates against the official SARIF 2.1.0 schema", () => {
    const cases = [
      reportInput(),
      emptyInput(),
      reportInput({ rules: [] }),
      reportInput({ root: "/home/dev/my app" }),
      reportInput({ root: "apps/web" }),
    ];
    for (const input of cases) {
      const log = parse(formatSarif(input));
      expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    }
    // The validator does reject what SARIF does not allow.
    const log = parse(formatSarif(reportInput()));
    const result = run(log).results?.[0] as unknown as Record<string, unknown>;
    result.level = "info";
    expect(validate(log)).toBe(false);
  });

  it("has the header GitHub code scanning expects", () => {
    const log = parse(formatSarif(reportInput()));
    expect(log.$schema).toBe(SARIF_SCHEMA_URL);
    expect(log.version).toBe("2.1.0");
    const { driver } = run(log).tool;
    expect(driver.name).toBe("shipshape");
    expect(driver.version).toBe("0.1.0");
    expect(driver.informationUri).toBe("https://github.com/shipshape-dev/shipshape");
    expect(run(log).originalUriBaseIds?.["%SRCROOT%"]).toBeDefined();
    expect(run(log).columnKind).toBe("utf16CodeUnits");
  });

  it("describes every rule, with level, tags and a security severity for security rules", () => {
    const rules = run(parse(formatSarif(reportInput()))).tool.driver.rules ?? [];
    expect(rules.map((rule) => rule.id)).toEqual(["SS1001", "SS2001", "SS3001", "SS4001"]);
    const [tag, secret, root, npm] = rules;
    expect(tag).toMatchObject({
      name: "image-tag-floating",
      shortDescription: { text: "Image tag moves: `latest`, no tag, or a word tag" },
      helpUri: "https://github.com/shipshape-dev/shipshape/blob/main/docs/rules.md#ss1001",
      defaultConfiguration: { level: "error" },
      properties: { category: "reproducibility", tags: ["reproducibility"] },
    });
    expect(tag?.fullDescription?.text).toContain("`latest` (what a missing tag means)");
    expect(tag?.properties).not.toHaveProperty("security-severity");
    expect(secret?.properties).toEqual({
      category: "secrets",
      tags: ["secrets", "security"],
      "security-severity": "8.0",
    });
    expect(root?.properties).toMatchObject({ tags: ["hardening", "security"], "security-severity": "5.0" });
    expect(root?.defaultConfiguration?.level).toBe("warning");
    expect(npm?.defaultConfiguration?.level).toBe("note");
    expect(tag?.help?.markdown).toContain("**Fix:** Name an exact version");
    expect(tag?.help?.markdown).toContain("```dockerfile\nFROM node:latest\n```");
    expect(tag?.help?.text).toContain("Fix: Name an exact version");
  });

  it("never puts a secret from an example into the rule help", () => {
    const text = formatSarif(reportInput());
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("FAKEFAKE");
    const secret = run(parse(text)).tool.driver.rules?.find((rule) => rule.id === "SS2001");
    expect(secret?.help?.markdown).toContain("ENV OPENAI_API_KEY=sk-p****");
  });

  it("reports results with locations, related locations and levels", () => {
    const results = run(parse(formatSarif(reportInput()))).results ?? [];
    expect(results).toHaveLength(5);
    const secret = results.find((result) => result.locations?.[0]?.physicalLocation?.region?.startLine === 3);
    expect(secret).toMatchObject({
      ruleId: "SS2001",
      ruleIndex: 1,
      level: "error",
      message: {
        text: "`ENV OPENAI_API_KEY` holds an OpenAI API key (`sk-p…(44 chars)`): every layer of the image keeps it",
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "Dockerfile", uriBaseId: "%SRCROOT%" },
            region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 64 },
          },
        },
      ],
      relatedLocations: [
        {
          id: 1,
          physicalLocation: {
            artifactLocation: { uri: ".env", uriBaseId: "%SRCROOT%" },
            region: { startLine: 1, startColumn: 1 },
          },
          message: { text: "the same key is in `.env`" },
        },
      ],
    });
    expect(results.map((result) => result.level)).toEqual(["error", "warning", "error", "error", "note"]);
    for (const result of results) {
      const index = result.ruleIndex ?? -1;
      expect(run(parse(formatSarif(reportInput()))).tool.driver.rules?.[index]?.id).toBe(result.ruleId);
    }
  });

  it("reports input problems as tool execution notifications", () => {
    const [invocation] = run(parse(formatSarif(reportInput()))).invocations ?? [];
    expect(invocation).toEqual({
      executionSuccessful: true,
      toolExecutionNotifications: [
        {
          level: "warning",
          message: { text: "is not valid YAML: bad indentation" },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: "compose.override.yaml", uriBaseId: "%SRCROOT%" },
                region: { startLine: 3, startColumn: 7 },
              },
            },
          ],
        },
      ],
    });
  });

  it("is a valid, empty run for a clean check", () => {
    const log = parse(formatSarif(emptyInput()));
    expect(run(log).results).toEqual([]);
    expect(run(log).invocations?.[0]?.toolExecutionNotifications).toEqual([]);
    expect(run(log).tool.driver.rules).toHaveLength(4);
  });

  it("expresses mechanical fixes as replacements at character offsets", () => {
    const results = run(parse(formatSarif(reportInput()))).results ?? [];
    const pinned = results.find((result) => result.ruleId === "SS1001");
    const start = FILES.Dockerfile!.indexOf("latest");
    expect(pinned?.fixes).toEqual([
      {
        description: { text: "Pin `node:20.20.2-bookworm-slim`" },
        artifactChanges: [
          {
            artifactLocation: { uri: "Dockerfile", uriBaseId: "%SRCROOT%" },
            replacements: [
              {
                deletedRegion: { charOffset: start, charLength: 6 },
                insertedContent: { text: "20.20.2-bookworm-slim" },
              },
            ],
          },
        ],
      },
    ]);
    expect(results.find((result) => result.ruleId === "SS3001")).not.toHaveProperty("fixes");
  });

  it("fingerprints by rule, file and masked line text: stable when the line moves", () => {
    const fingerprintOf = (files: Record<string, string>, finding: Finding) =>
      toSarif({
        ...reportInput({ sources: sources(files) }),
        result: { findings: [finding], suppressed: 0, problems: [], filesChecked: 1 },
      }).runs[0]?.results?.[0]?.partialFingerprints?.primaryLocationLineHash;
    const secret = findings().find(
      (finding) => finding.location.line === 3 && finding.location.file === "Dockerfile",
    )!;
    const before = fingerprintOf(FILES, secret);
    const moved = { ...FILES, Dockerfile: `# a comment\n\n${FILES.Dockerfile}` };
    const after = fingerprintOf(moved, { ...secret, location: { ...secret.location, line: 5 } });
    expect(before).toMatch(/^[0-9a-f]{32}:1$/);
    expect(after).toBe(before);
    // Another rule on the same line, or the same rule on another line, is another alert.
    expect(fingerprintOf(FILES, { ...secret, ruleId: "SS3001" })).not.toBe(before);
    expect(fingerprintOf(FILES, { ...secret, location: { ...secret.location, line: 1 } })).not.toBe(before);
  });

  it("numbers identical lines so their alerts stay apart", () => {
    const files = { Dockerfile: "FROM node:latest\nFROM node:latest\n" };
    const finding = findings().find((f) => f.ruleId === "SS1001")!;
    const log = toSarif({
      ...reportInput({ sources: sources(files) }),
      result: {
        findings: [finding, { ...finding, location: { ...finding.location, line: 2 } }],
        suppressed: 0,
        problems: [],
        filesChecked: 1,
      },
    });
    const prints = (log.runs[0]?.results ?? []).map(
      (result) => result.partialFingerprints?.primaryLocationLineHash,
    );
    expect(prints[0]?.replace(/:1$/, ":2")).toBe(prints[1]);
  });

  it("keeps a finding of a rule it was not given, with a minimal descriptor", () => {
    const log = parse(formatSarif(reportInput({ rules: RULES.filter((rule) => rule.meta.id !== "SS4001") })));
    const rules = run(log).tool.driver.rules ?? [];
    expect(rules.at(-1)).toMatchObject({ id: "SS4001", defaultConfiguration: { level: "note" } });
    const result = run(log).results?.find((r) => r.ruleId === "SS4001");
    expect(result?.ruleIndex).toBe(rules.length - 1);
  });
});

describe("artifactLocation", () => {
  it("is relative to %SRCROOT% (the working directory), percent-encoded, forward slashes", () => {
    expect(artifactLocation(".", "Dockerfile")).toEqual({ uri: "Dockerfile", uriBaseId: "%SRCROOT%" });
    expect(artifactLocation("apps/web", "docker/Dockerfile")).toEqual({
      uri: "apps/web/docker/Dockerfile",
      uriBaseId: "%SRCROOT%",
    });
    expect(artifactLocation("my app", "a#b.yaml")).toEqual({
      uri: "my%20app/a%23b.yaml",
      uriBaseId: "%SRCROOT%",
    });
    expect(artifactLocation("apps\\web", "Dockerfile").uri).toBe("apps/web/Dockerfile");
  });

  it("is an absolute file URI without a base id when the checked directory is outside", () => {
    expect(artifactLocation("/srv/my app", "Dockerfile")).toEqual({ uri: "file:///srv/my%20app/Dockerfile" });
    expect(artifactLocation("C:\\work\\app", "Dockerfile")).toEqual({
      uri: "file:///C:/work/app/Dockerfile",
    });
  });
});
